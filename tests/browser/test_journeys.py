"""The everyday journey of the three roles, in Chromium, from the invitation to the
figure on the public dashboard: staff invite a partner; the partner chooses a
password from the e-mail, logs an event on a phone and submits it; staff find it
under « À valider » and return it with a comment; the partner gets the e-mail, sees
« À corriger (1) » and fixes it; staff see what changed and validate it; the
manager sees it in the year's figures, and the public in the list of actions."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from feminisation import access
from feminisation.formatting import number
from indicators.admin import todo as todo_module
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from initiatives.models import ActionPlan
from partners.models import Partner
from tests.browser.admin import PASSWORD, log_in
from tests.browser.pages import PARTNER_SLUG
from tests.indicators.accounts import user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PARTNER_PASSWORD = "le mot de passe choisi par Léa"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
TITLE = "Parcours : atelier à la verrerie"
COMMENT = "Il manque les filles : combien étaient-elles ?"


@pytest.fixture(scope="module")
def accounts(site, django_db_blocker):
    """Committed, for the live server to see; the site's clean-up deletes them."""
    with django_db_blocker.unblock():
        staff = user_in(access.TERRITORY_STAFF, "equipe-parcours")
        manager = user_in(access.MANAGERS, "responsable-parcours")
        for user, address in ((staff, "nadia@territoire.example.fr"), (manager, None)):
            user.email = address or ""
            user.set_password(PASSWORD)
            user.save()
        return {"staff": staff, "manager": manager}


def log_out(page):
    page.context.clear_cookies()


def choose(page, field, search):
    """Picks the first option a select2 autocomplete offers for `search`."""
    page.locator(f"#id_{field} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    option = page.locator(".select2-results__option--highlighted")
    expect(option).to_contain_text(search)
    option.click()


def link_in(message, pattern):
    """The path of the e-mail's link: the notifications' links start from SITE_URL,
    the public address, which the test server is not."""
    return urlsplit(re.search(rf"https?://\S+{pattern}\S*", message.body).group(0)).path


def figure(page, name):
    """A figure of the public dashboard, as a number."""
    return int(re.sub(r"\D", "", page.locator(f"[data-figure={name}]").inner_text()))


def todo(page, label):
    return page.locator("#content").get_by_role("link", name=re.compile(rf"^{label} \(\d+\)"))


def test_from_invitation_to_the_public_figures(page, accounts):
    organisation = Partner.objects.get(slug=PARTNER_SLUG)
    people_before = todo_module.year_figures(timezone.localdate(), ActionPlan.objects.current())[
        "totals"
    ].people
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    public_people = figure(page, "people")

    # Staff invite a partner: a name, an address, an organisation.
    log_in(page, "equipe-parcours")
    page.goto(reverse("admin:auth_user_add"))
    page.fill("#id_first_name", "Léa")
    page.fill("#id_last_name", "Martin")
    page.fill("#id_email", "lea.martin@capso.example.fr")
    page.select_option("#id_organisations_from", label=str(organisation))
    page.click("#id_organisations_add")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "L'invitation est envoyée à lea.martin@capso.example.fr"
    )
    [invitation] = mail.outbox
    assert invitation.to == ["lea.martin@capso.example.fr"]
    log_out(page)

    # The partner chooses a password from the e-mail, on a phone, and logs in by
    # address.
    page.set_viewport_size(PHONE)
    page.goto(link_in(invitation, "/compte/invitation/"))
    page.get_by_label("Mot de passe :", exact=True).fill(PARTNER_PASSWORD)
    page.get_by_label("Le même, de nouveau :").fill(PARTNER_PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.locator("#content")).to_contain_text("Votre mot de passe est enregistré.")
    log_in(page, "Lea.Martin@capso.example.fr", PARTNER_PASSWORD)

    # …records an event and submits it.
    page.goto(reverse("admin:indicators_awarenessevent_add"))
    choose(page, "initiative", "Verr")
    page.fill("#id_title", TITLE)
    page.select_option("#id_format", index=1)
    page.fill("#id_venue_name", "Salle polyvalente")
    # A commune the demo's events never use: the save is no duplicate of theirs.
    choose(page, "official_commune", "Helfaut")
    line = page.locator("#counts-group tr.form-row").first
    line.locator("select").select_option(index=1)
    line.locator("input[name$='-people']").fill("24")
    page.check(f"input[name=status][value={EventStatus.SUBMITTED}]")
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    mail.outbox.clear()
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text(TITLE)
    event = AwarenessEvent.objects.get(title=TITLE)
    assert event.status == EventStatus.SUBMITTED
    [submitted] = mail.outbox
    assert submitted.to == ["nadia@territoire.example.fr"]
    log_out(page)

    # Staff find it under « À valider » and return it with a comment.
    page.set_viewport_size(DESKTOP)
    log_in(page, "nadia@territoire.example.fr")
    # Other browser tests may have submitted events too.
    todo(page, "À valider").click()
    page.get_by_role("link", name=TITLE).click()
    page.check(f"input[name=status][value={EventStatus.RETURNED}]")
    page.fill("#id_review_comment", COMMENT)
    mail.outbox.clear()
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    [returned] = mail.outbox
    assert returned.to == ["lea.martin@capso.example.fr"]
    assert COMMENT in returned.body
    log_out(page)

    # The partner follows the e-mail's link, reads the comment and fixes the event.
    page.set_viewport_size(PHONE)
    log_in(page, "lea.martin@capso.example.fr", PARTNER_PASSWORD)
    expect(todo(page, "À corriger")).to_have_text(re.compile(r"À corriger \(1\)"))
    page.goto(link_in(returned, f"/admin/indicators/awarenessevent/{event.pk}/change/"))
    expect(page.locator("#content")).to_contain_text(COMMENT)
    line = page.locator("#counts-group tr.form-row.has_original").first
    line.locator("input[name$='-women']").fill("11")
    page.check(f"input[name=status][value={EventStatus.SUBMITTED}]")
    mail.outbox.clear()
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED
    log_out(page)

    # Staff see what changed since they returned it, and validate it.
    page.set_viewport_size(DESKTOP)
    log_in(page, "equipe-parcours")
    page.goto(reverse("admin:indicators_awarenessevent_change", args=[event.pk]))
    changes = page.locator(".changes-since-review")
    expect(changes).to_contain_text("renvoyée pour correction")
    expect(changes).to_contain_text("nombre de femmes non renseigné")
    expect(changes).to_contain_text("24 personnes, dont 11 femmes ou filles")
    page.check(f"input[name=status][value={EventStatus.VALIDATED}]")
    mail.outbox.clear()
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    event.refresh_from_db()
    assert event.status == EventStatus.VALIDATED
    [validated] = mail.outbox
    assert validated.to == ["lea.martin@capso.example.fr"]
    log_out(page)

    # The public sees it in the dashboard's figures and among the validated actions.
    page.goto("/")
    assert figure(page, "people") == public_people + 24
    page.goto("/actions/")
    row = page.locator("tr", has_text=TITLE)
    expect(row).to_contain_text("24")
    expect(row).to_contain_text("11")

    # The manager's home counts it in the year's figures.
    log_in(page, "responsable-parcours")
    expect(page.locator("#year-figures-module")).to_contain_text(
        f"{number(people_before + 24)} personnes sensibilisées"
    )
