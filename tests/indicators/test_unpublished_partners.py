"""A partner whose « visible publiquement » box is unticked is named on no public
page or file: its figures still count in every total, and add up with the other
unpublished partners' under « Autres partenaires » in the per-partner breakdowns.
The staff, in the admin and in the managers' exports, read every name."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from feminisation import access
from indicators.exports import xlsx
from indicators.figures import stats, tables
from initiatives.enums import PartnerRole
from initiatives.models import PlanPartner
from tests.browser.pages import PARTNER_SLUG
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import ContactFactory, PartnerFactory
from tests.public_urls import CHARTS, PUBLIC_URLS
from tests.shared import collected

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
DAY = datetime.date(YEAR, 1, 1)
FILTERED = [f"?annee={YEAR}", "?initiative=reseau-verrelles", "?public=filles"]


@pytest.fixture
@collected
def partners(plan):
    """Arc France, published; two unpublished partners, with every link a public
    page could name them by: organiser, co-organiser, the plan's stakeholder and
    supporter, an initiative's lead and associated partner, a public contact's
    organisation."""
    verrelles = InitiativeFactory(plan=plan, slug="reseau-verrelles")
    girls = AudienceFactory(slug="filles")
    # The public page list names this partner's page.
    arc = PartnerFactory(name="Arc France", slug=PARTNER_SLUG)
    foundry = PartnerFactory(
        name="Fonderie Discrète", short_name="FDX", slug="fonderie-discrete", hidden=True
    )
    workshop = PartnerFactory(name="Atelier Secret", slug="atelier-secret", hidden=True)
    # (organiser, co-organisers, people, women)
    for organizer, co_organizers, people, women in [
        (arc, [foundry], 30, 18),
        (foundry, [], 15, 9),
        (workshop, [foundry], 10, None),
        (arc, [], 5, 2),
    ]:
        event = AwarenessEventFactory(
            initiative=verrelles, date=DAY, organizer=organizer, co_organizers=co_organizers
        )
        AudienceCountFactory(event=event, audience=girls, people=people, women=women)
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=verrelles, date=DAY, organizer=foundry, draft=True),
        audience=girls,
        people=100,
    )
    PlanPartner.objects.create(plan=plan, partner=foundry, role=PartnerRole.STAKEHOLDER)
    PlanPartner.objects.create(plan=plan, partner=workshop, role=PartnerRole.SUPPORTER)
    PlanPartner.objects.create(plan=plan, partner=arc, role=PartnerRole.STAKEHOLDER)
    verrelles.lead_partners.set([arc, foundry])
    verrelles.associated_partners.set([workshop])
    plan.contacts.set([ContactFactory(partner=foundry, full_name="Camille Martin", public=True)])
    return {"arc": arc, "hidden": [foundry, workshop]}


def hidden_words(partners):
    return [
        word
        for partner in partners["hidden"]
        for word in (partner.name, partner.short_name, partner.slug)
        if word
    ]


def content(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"] == xlsx.CONTENT_TYPE:  # every cell of every sheet
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            str(value) for sheet in book for row in sheet.values for value in row if value
        )
    return data.decode("utf-8-sig")


def test_no_public_page_or_file_names_an_unpublished_partner(client, partners):
    urls = [
        *PUBLIC_URLS,
        *(f"/{query}" for query in FILTERED),
        *(f"/donnees/graphiques/{chart}.csv{query}" for chart in CHARTS for query in FILTERED),
    ]
    named = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = content(response)
        named += [f"{url}: {word}" for word in hidden_words(partners) if word in text]

    assert named == []
    # The published partner and the public contact are still shown.
    assertContains(client.get("/partenaires/"), "Arc France")
    assertContains(client.get("/plan/"), "Camille Martin")


def test_unpublished_partners_add_up_as_others_in_the_partner_chart(client, partners):
    response = client.get("/donnees/graphiques/par-partenaire.csv")

    # Arc France: 30 + 5. The foundry: 30 (co-organised) + 15 + 10 (co-organised),
    # the workshop 10: each partner credited in full for a joint event, as always.
    assert content(response).splitlines() == [
        "Partenaire,Personnes sensibilisées,dont femmes ou filles,part des femmes (%)",
        "Arc France,35,20,57.1",
        "Autres partenaires,65,27,60.0",
    ]


def test_the_totals_still_count_the_unpublished_partners_events(client, partners, plan):
    totals = stats.totals(stats.Scope(plan))

    assert (totals.events, totals.people, totals.women) == (4, 60, 29)
    response = client.get("/")
    assertContains(response, '<dd data-figure="people">60</dd>', html=True)
    assertContains(response, '<dd data-figure="partners">3</dd>', html=True)


@pytest.mark.parametrize(
    "scope",
    [{}, {"start": DAY, "end": DAY}, {"precomputed": False}],
    ids=["plan", "period", "from the lines"],
)
def test_the_others_row_is_the_sum_of_the_unpublished_partners_rows(plan, partners, scope):
    scope = stats.Scope(plan, **scope)
    hidden_ids = {partner.pk for partner in partners["hidden"]}
    named = stats.by_partner(scope, public=False)
    unpublished = [row for row in named if row.key[0] in hidden_ids]

    public = stats.by_partner(scope)

    assert [row.label for row in public] == ["Arc France", stats.UNPUBLISHED_PARTNERS]
    assert public[0] == next(row for row in named if row.label == "Arc France")
    others = public[-1]
    for name in ("events", "people", "women", "people_with_known_women"):
        assert getattr(others, name) == sum(getattr(row, name) for row in unpublished), name


def test_the_daily_figures_and_the_lines_group_the_same_way(plan, partners):
    assert stats.by_partner(stats.Scope(plan)) == stats.by_partner(
        stats.Scope(plan, precomputed=False)
    )
    assert tables.partners_by_year(stats.Scope(plan)) == tables.partners_by_year(
        stats.Scope(plan, precomputed=False)
    )


def test_the_staff_read_every_name_in_the_overview(admin_client, partners):
    response = admin_client.get(reverse("admin:indicators_awarenessevent_overview"))

    for partner in partners["hidden"]:
        assertContains(response, partner.name)


def test_the_managers_partner_export_names_every_partner(client, partners):
    client.force_login(user_in(access.MANAGERS, "responsable"))

    text = content(client.get(reverse("export_partners"), {"format": "csv"}))

    assert f"{YEAR},Fonderie Discrète,1,2,55,27,60.0" in text.splitlines()
    # Nobody's sex known: « dont femmes » empty, not 0.
    assert f"{YEAR},Atelier Secret,1,0,10,," in text.splitlines()


def test_only_accounts_that_see_every_partner_export_the_figures():
    """The managers' files name unpublished partners (and the events file is
    imported back by their names): only the groups that read them in the admin
    may download them."""
    exporting = Group.objects.filter(permissions__codename="export_figures")
    seeing_all = Group.objects.filter(permissions__codename="see_all_events")

    assert set(exporting) <= set(seeing_all)
    assert exporting.exists()
