"""The admin home's to-do list, per role: territory staff see what awaits
validation, the past events without figures and the old drafts; partners what was
returned to them, their drafts and their past events without figures; managers the
year's figures against the targets. Each item links to the events list narrowed to
exactly the events it counts, and the home's queries do not grow with the events."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db

INDEX_URL = reverse("admin:index")
EVENTS_URL = reverse("admin:indicators_awarenessevent_changelist")
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
@collected
def world(today):
    plan = ActionPlanFactory(start_date=datetime.date(today.year - 2, 1, 1))
    initiative = InitiativeFactory(plan=plan, title="Réseau Verr'Elles")
    arc = PartnerFactory(name="Arc France")
    capso = PartnerFactory(name="CAPSO")
    past = today - datetime.timedelta(days=10)
    later = today + datetime.timedelta(days=10)

    def event(title, organizer, status, date, *, lines=True, co_organizers=(), age=0):
        created = AwarenessEventFactory(
            initiative=initiative,
            organizer=organizer,
            co_organizers=co_organizers,
            status=status,
            date=date,
            title=title,
        )
        if lines:
            AudienceCountFactory(event=created, people=20, women=12)
        if age:
            AwarenessEvent.objects.filter(pk=created.pk).update(
                created_at=timezone.now() - datetime.timedelta(days=age)
            )
        return created

    events = {
        "submitted": event("Visite de la verrerie", arc, EventStatus.SUBMITTED, past),
        "returned": event("Forum à corriger", arc, EventStatus.RETURNED, past),
        "old_draft": event("Vieux brouillon", arc, EventStatus.DRAFT, later, age=45),
        "new_draft": event("Brouillon récent", arc, EventStatus.DRAFT, later, age=5),
        "past_draft": event(
            "Brouillon passé sans chiffres", arc, EventStatus.DRAFT, past, lines=False
        ),
        # Arc co-organises it: it sees it, but only CAPSO may enter its figures.
        "capso_missing": event(
            "Atelier sans chiffres",
            capso,
            EventStatus.VALIDATED,
            past,
            lines=False,
            co_organizers=[arc],
        ),
        "capso_returned": event("Renvoyée à CAPSO", capso, EventStatus.RETURNED, past),
        "validated": event("Action validée", capso, EventStatus.VALIDATED, past),
        # Not past yet: no figures expected.
        "future_without_lines": event(
            "Action à venir", capso, EventStatus.VALIDATED, later, lines=False
        ),
    }
    TargetFactory(plan=plan, year=today.year, people=100, women=50)
    return {"plan": plan, "initiative": initiative, "arc": arc, "capso": capso, **events}


def items(response):
    return {item.task.key: item for item in response.context["todo"]}


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


STAFF_EXPECTED = {
    "a_valider": {"submitted"},
    "sans_chiffres": {"past_draft", "capso_missing"},
    "brouillons_anciens": {"old_draft"},
}
PARTNER_EXPECTED = {
    "a_corriger": {"returned"},
    "brouillons": {"old_draft", "new_draft", "past_draft"},
    "passees_sans_chiffres": {"past_draft"},
}


@pytest.mark.parametrize(
    ("group", "expected", "labels"),
    [
        pytest.param(
            access.TERRITORY_STAFF,
            STAFF_EXPECTED,
            ["À valider (1)", "Actions sans chiffres (2)", "Brouillons de plus de 30 jours (1)"],
            id="staff",
        ),
        pytest.param(
            access.PARTNERS,
            PARTNER_EXPECTED,
            ["À corriger (1)", "Brouillons (3)", "Actions passées sans chiffres (1)"],
            id="partner",
        ),
    ],
)
def test_each_item_counts_the_events_its_link_lists(client, world, group, expected, labels):
    client.force_login(user_in(group, "quelquun", organisations=[world["arc"]]))

    response = client.get(INDEX_URL)

    found = items(response)
    assert list(found) == list(expected)
    for key, names in expected.items():
        assert found[key].count == len(names)
        assert listed(client, found[key].url) == {world[name] for name in names}
    for item, label in zip(found.values(), labels, strict=True):
        assertContains(response, f'<a href="{item.url}"><strong>{label}</strong></a>', html=True)


def test_the_staff_see_what_each_item_is(client, world):
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))

    response = client.get(INDEX_URL)

    assertContains(response, "</a> : action soumise, à valider ou renvoyer</li>")
    assertContains(response, "</a> : actions passées sans ligne de comptage</li>")
    assertContains(response, "</a> : brouillon créé il y a plus de 30 jours, jamais soumis</li>")


def test_a_task_without_events_says_so_and_links_nowhere(client, world):
    world["returned"].delete()
    client.force_login(user_in(access.PARTNERS, "verrelles", organisations=[world["arc"]]))

    response = client.get(INDEX_URL)

    assertContains(response, "<li>Rien à corriger</li>", html=True)
    assertNotContains(response, "a_faire=a_corriger")
    assertContains(response, "Brouillons (3)")


@pytest.mark.parametrize(
    ("group", "sentence"),
    [
        pytest.param(access.TERRITORY_STAFF, "Tout est à jour : rien ne vous attend.", id="staff"),
        pytest.param(access.PARTNERS, "Tout est à jour : rien ne vous attend.", id="partner"),
    ],
)
def test_with_nothing_to_do_the_home_says_everything_is_up_to_date(client, group, sentence):
    partner = PartnerFactory()
    AudienceCountFactory(event=AwarenessEventFactory(organizer=partner))
    client.force_login(user_in(group, "quelquun", organisations=[partner]))

    response = client.get(INDEX_URL)

    assertContains(response, f"<p>{sentence}</p>", html=True)
    assertNotContains(response, "a_faire=")


def test_a_partner_counts_only_the_events_of_its_organisations(client, world):
    other = PartnerFactory(name="Elles Bougent")
    client.force_login(user_in(access.PARTNERS, "elles", organisations=[other]))

    response = client.get(INDEX_URL)

    assert {key: item.count for key, item in items(response).items()} == {
        "a_corriger": 0,
        "brouillons": 0,
        "passees_sans_chiffres": 0,
    }


def test_a_closed_years_events_are_not_a_partners_tasks(client, world):
    """Once their year is closed, only the staff change its events: the partner's
    home no longer asks it to correct, finish or count them (its save would be
    refused), nor does the events list's counter, which counts as the home does."""
    from indicators.models import ClosedYear

    returned, past_draft = world["returned"], world["past_draft"]
    last_year = datetime.date(returned.date.year - 1, 6, 1)
    AwarenessEvent.objects.filter(pk__in=[returned.pk, past_draft.pk]).update(date=last_year)
    ClosedYear.objects.create(plan=world["plan"], year=last_year.year)
    client.force_login(user_in(access.PARTNERS, "verrelles", organisations=[world["arc"]]))

    response = client.get(INDEX_URL)

    found = items(response)
    assert {key: item.count for key, item in found.items()} == {
        "a_corriger": 0,
        "brouillons": 2,
        "passees_sans_chiffres": 0,
    }
    assert listed(client, found["brouillons"].url) == {world["old_draft"], world["new_draft"]}
    assert listed(client, EVENTS_URL)  # the list itself still shows them
    assert client.get(EVENTS_URL).context["workflow_counts"]["returned"] == 0


def test_the_lists_counter_of_events_to_correct_is_the_partners_own(client, world):
    """CAPSO's returned event, which Arc co-organises, is CAPSO's to correct: Arc's
    list counts only its own, as its home does, and links to the same task."""
    world["capso_returned"].co_organizers.add(world["arc"])
    client.force_login(user_in(access.PARTNERS, "verrelles", organisations=[world["arc"]]))

    response = client.get(EVENTS_URL)

    assert response.context["workflow_counts"]["returned"] == 1
    assertContains(response, '<a href="?a_faire=a_corriger">1 action à corriger</a>', html=True)


def test_the_filter_offers_each_role_its_own_tasks(client, world):
    client.force_login(user_in(access.PARTNERS, "verrelles", organisations=[world["arc"]]))

    # The staff's tasks are not a partner's: the list says the filter is unreadable.
    response = client.get(CHANGELIST_URL, {"a_faire": "a_valider"})

    assert response.status_code == 302
    assert response.url == f"{CHANGELIST_URL}?e=1"


def test_managers_see_the_years_figures_against_the_targets(client, world, today):
    client.force_login(user_in(access.MANAGERS, "responsable"))

    response = client.get(INDEX_URL)

    # The one validated event with lines this year.
    assertContains(response, f"<h2>Chiffres {today.year}</h2>", html=True)
    assertContains(
        response,
        "<p><strong>20</strong> personnes sensibilisées, dont 12 femmes ou filles, "
        "par 1 action validée.</p>",
        html=True,
    )
    assertContains(
        response,
        "<li>Tout le plan : <strong>20</strong> sur un objectif de 100 personnes (20\u202f%), "
        "dont 12 sur 50 femmes ou filles (24\u202f%)</li>",
        html=True,
    )
    assertContains(
        response,
        f'<a href="{reverse("admin:indicators_awarenessevent_overview")}">'
        "Tableau de suivi de la saisie</a>",
        html=True,
    )
    assertContains(
        response,
        f'<a href="{reverse("home")}?annee={today.year}">Tableau de bord public {today.year}</a>',
        html=True,
    )
    assert response.context["todo"] == []
    assertNotContains(response, "<h2>À faire</h2>", html=True)


def test_without_a_published_plan_managers_are_told_so(client, today):
    client.force_login(user_in(access.MANAGERS, "responsable"))

    response = client.get(INDEX_URL)

    assertContains(response, f"<h2>Chiffres {today.year}</h2>", html=True)
    assertContains(
        response,
        "<p>Aucun plan d'action n'est publié : ses chiffres et ses objectifs s'afficheront "
        "ici quand il le sera.</p>",
        html=True,
    )


def test_staff_and_partners_do_not_get_the_managers_figures(client, world, today):
    for group in (access.TERRITORY_STAFF, access.PARTNERS):
        client.force_login(user_in(group, f"compte-{len(group)}", organisations=[world["arc"]]))
        response = client.get(INDEX_URL)
        assertNotContains(response, f"<h2>Chiffres {today.year}</h2>", html=True)


# Each: session, user, the user's permissions (own and group's), the recent actions.
# Staff: the submitted events and old drafts; the past events, and those the daily
# figures count.
STAFF_QUERIES = 5 + 3
# Partners: their organisations and their territories' initiatives, one count.
PARTNER_QUERIES = 5 + 3
# Managers: the current plan, the year's totals, the targets and their sums, and
# whether the instance serves several territories (the public dashboard's address).
MANAGER_QUERIES = 5 + 5


@pytest.mark.parametrize("more", [0, 12])
@pytest.mark.parametrize(
    ("group", "queries"),
    [
        pytest.param(access.TERRITORY_STAFF, STAFF_QUERIES, id="staff"),
        pytest.param(access.PARTNERS, PARTNER_QUERIES, id="partner"),
        pytest.param(access.MANAGERS, MANAGER_QUERIES, id="manager"),
    ],
)
def test_the_homes_queries_do_not_grow_with_the_events(
    client, django_assert_num_queries, world, today, group, queries, more
):
    past = today - datetime.timedelta(days=3)
    with store.collecting():
        for status in [*EventStatus] * more:
            event = AwarenessEventFactory(
                initiative=world["initiative"], organizer=world["arc"], status=status, date=past
            )
            if status != EventStatus.DRAFT:
                AudienceCountFactory(event=event)
    client.force_login(user_in(group, "quelquun", organisations=[world["arc"]]))

    with django_assert_num_queries(queries):
        response = client.get(INDEX_URL)

    assert response.status_code == 200


def test_the_staffs_count_from_the_daily_figures_follows_every_change(client, world, today):
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    # Its last line deleted: without figures again.
    world["validated"].counts.get().delete()
    # Moved from the future into the past.
    world["future_without_lines"].date = today - datetime.timedelta(days=1)
    world["future_without_lines"].save()
    # Figures entered at last.
    AudienceCountFactory(event=world["capso_missing"])
    # Another plan's draft, and an event deleted with its lines.
    AwarenessEventFactory(initiative__plan__draft=True, date=today - datetime.timedelta(days=2))
    world["submitted"].delete()

    response = client.get(INDEX_URL)

    item = items(response)["sans_chiffres"]
    assert item.count == AwarenessEvent.objects.without_counts(today).count() == 4
    assert len(listed(client, item.url)) == 4
