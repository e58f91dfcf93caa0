"""An event's commune is an official one: chosen in the form by name or postal
code, read from an import file, linked by `load_communes` for the events entered
before, and listed for staff when no commune matches their text."""

import csv
import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from feminisation import access
from geography.models import Commune
from indicators.admin.forms import COMMUNE_REQUIRED
from indicators.communes import link_events, names_to_link
from indicators.figures import store
from indicators.models import AwarenessEvent, Venue
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]

CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
OVERVIEW_URL = reverse("admin:indicators_awarenessevent_overview")
IMPORT_URL = reverse("admin:indicators_awarenessevent_import")


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def typed(commune, **fields):
    """An event entered before the official communes: its commune only a text."""
    return AwarenessEventFactory(commune=commune, official_commune=None, **fields)


@pytest.fixture
def staff_client(client):
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    return client


# The form.


def test_the_commune_chosen_gives_the_event_its_name(staff_client, communes):
    event = AwarenessEventFactory(commune="Saint-Omer")
    data = form_data(staff_client.get(change_url(event)), official_commune="62525")

    response = staff_client.post(change_url(event), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert (event.official_commune, event.commune) == (communes["Longuenesse"], "Longuenesse")


def test_an_event_typed_before_must_be_linked_when_next_saved(staff_client, communes):
    event = typed("St Omer", title="Forum")
    page = staff_client.get(change_url(event))
    assertContains(page, "Commune saisie avant la liste des communes officielles : « St Omer ».")

    refused = staff_client.post(change_url(event), form_data(page, title="Forum des métiers"))

    assert refused.context["adminform"].form.errors["official_commune"] == [COMMUNE_REQUIRED]
    event.refresh_from_db()
    assert (event.title, event.commune) == ("Forum", "St Omer")

    saved = staff_client.post(
        change_url(event), form_data(page, title="Forum des métiers", official_commune="62765")
    )

    assert saved.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.official_commune, event.commune) == (
        "Forum des métiers",
        communes["Saint-Omer"],
        "Saint-Omer",
    )


# Linking the events entered before.


def test_load_communes_links_the_events_whose_text_names_one_commune(settings):
    audience = AudienceFactory()
    plain = typed("Arques", venue_name="Verrerie")
    loose = typed("  saint-OMER", venue_name="Lycée")
    AudienceCountFactory(event=loose, audience=audience)
    AudienceCountFactory(event=typed("saint omer", venue_name="Lycée"), audience=audience)
    homonym = typed("Saint-Aubin")
    typo = typed("Sant-Omer")
    out = StringIO()

    call_command("load_communes", departments=["59", "62"], stdout=out)

    assert out.getvalue().splitlines()[1] == (
        "Actions rattachées à leur commune : 3. Restent 2 actions à rattacher à la main "
        "(2 noms de commune inconnus ou ambigus) : voir « Communes à rattacher » dans le "
        "tableau de suivi."
    )
    linked = AwarenessEvent.objects.exclude(official_commune=None)
    assert sorted(linked.values_list("pk", "official_commune", "commune")) == sorted(
        [
            (plain.pk, "62040", "Arques"),
            (loose.pk, "62765", "Saint-Omer"),
            (loose.pk + 1, "62765", "Saint-Omer"),
        ]
    )
    # The two spellings of one venue are one venue reached now.
    assert store.days_that_differ() == []
    assert Venue.objects.filter(name="Lycée", commune="Saint-Omer").exists()
    assert names_to_link() == [
        {"commune": "Saint-Aubin", "events": 1},
        {"commune": "Sant-Omer", "events": 1},
    ]
    assert set(AwarenessEvent.objects.without_official_commune()) == {homonym, typo}


def test_linking_again_links_nothing_and_costs_one_update_per_name(
    django_assert_max_num_queries,
):
    for _ in range(30):
        typed("ARQUES")
    typed("Longuenesse ")

    # The territory's communes, the names, a savepoint and an UPDATE per name, the
    # days of the renamed events and their figures.
    with django_assert_max_num_queries(40):
        assert link_events() == 31

    assert link_events() == 0
    assert set(AwarenessEvent.objects.values_list("commune", flat=True)) == {
        "Arques",
        "Longuenesse",
    }


# What is left, for staff.


def test_the_overview_lists_the_names_left_to_link_with_their_events(staff_client):
    typed("Sant-Omer")
    typed("Sant-Omer")
    typed("Saint-Aubin")
    AwarenessEventFactory(commune="Arques")

    response = staff_client.get(OVERVIEW_URL)

    assert response.context["communes_to_link"] == [
        {"commune": "Sant-Omer", "events": 2},
        {"commune": "Saint-Aubin", "events": 1},
    ]
    assertContains(
        response,
        f'<a href="{CHANGELIST_URL}?commune_a_rattacher=Sant-Omer">« Sant-Omer »</a>',
        html=True,
    )


def test_the_events_list_filters_the_events_left_to_link(staff_client):
    typo = typed("Sant-Omer")
    homonym = typed("Saint-Aubin")
    AwarenessEventFactory(commune="Arques")

    every = staff_client.get(CHANGELIST_URL, {"commune_a_rattacher": "toutes"})
    one = staff_client.get(CHANGELIST_URL, {"commune_a_rattacher": "Sant-Omer"})

    assert set(every.context["cl"].result_list) == {typo, homonym}
    assert list(one.context["cl"].result_list) == [typo]
    assertContains(one, "À rattacher : « Sant-Omer »")


def test_the_overview_says_when_every_event_is_linked(staff_client):
    AwarenessEventFactory(commune="Arques")

    response = staff_client.get(OVERVIEW_URL)

    assertContains(response, "Toutes les actions sont rattachées à une commune officielle.")


# Imports.


@pytest.fixture
def plan_data():
    plan = ActionPlanFactory()
    InitiativeFactory(plan=plan, number=1)
    AudienceFactory(name="Filles", short_name="Filles", slug="filles")
    PartnerFactory(name="Arc France")


IMPORT_HEADER = (
    "date",
    "initiative",
    "intitulé",
    "format",
    "lieu",
    "commune",
    "organisateur",
    "public",
    "personnes",
)


def import_file(client, *communes):
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(IMPORT_HEADER)
    for number, commune in enumerate(communes, start=1):
        date = f"{number:02d}/03/2025"
        visit = ("1", "Visite", "Visite d'entreprise", "Usine")
        writer.writerow((date, *visit, commune, "Arc France", "Filles", "12"))
    upload = SimpleUploadedFile("actions.csv", stream.getvalue().encode())
    return client.post(IMPORT_URL, {"file": upload})


@pytest.mark.usefixtures("plan_data")
def test_an_imported_commune_is_read_by_name_code_or_postal_code(staff_client, communes):
    preview = import_file(
        staff_client, "ARQUES", "eperlecques", "62765", "Saint-Aubin (62170)", "Lille (59800)"
    )
    assert preview.context["errors"] == []

    staff_client.post(IMPORT_URL, {"token": preview.context["token"]})

    assert list(
        AwarenessEvent.objects.order_by("date").values_list("official_commune", "commune")
    ) == [
        ("62040", "Arques"),
        ("62297", "Éperlecques"),
        ("62765", "Saint-Omer"),
        ("62742", "Saint-Aubin"),
        ("59350", "Lille"),
    ]


@pytest.mark.usefixtures("plan_data")
def test_an_unknown_or_ambiguous_commune_refuses_its_line(staff_client):
    preview = import_file(staff_client, "Arques", "Saint-Aubin", "Sant-Omer")

    assert [(error.line, error.message) for error in preview.context["errors"]] == [
        (
            3,
            "« Saint-Aubin » désigne plusieurs communes (« Saint-Aubin (59440) », "
            "« Saint-Aubin (62170) ») : écrivez le nom suivi du code postal, par exemple "
            "« Saint-Aubin (59440) ».",
        ),
        (
            4,
            "Commune inconnue : « Sant-Omer » n'est le nom d'aucune commune du Nord ou du "
            "Pas-de-Calais. Écrivez son nom officiel (par exemple « Lille »), son code "
            "INSEE, ou « nom (code postal) ». Vouliez-vous dire « Saint-Omer » ?",
        ),
    ]
    assert not AwarenessEvent.objects.exists()


def test_an_export_gives_the_insee_code_which_settles_homonyms_when_read_back(staff_client):
    saint_aubin = Commune.objects.get(code="59529")
    event = AwarenessEventFactory(commune="Saint-Aubin", official_commune=saint_aubin)
    AudienceCountFactory(event=event)
    typed("Sant-Omer", initiative=event.initiative)

    response = staff_client.get(reverse("export_events"), {"statut": "toutes", "format": "csv"})
    content = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(content.decode())))

    assert [(row["commune"], row["code INSEE"]) for row in rows] == [
        ("Saint-Aubin", "59529"),
        ("Sant-Omer", ""),
    ]
    # Read back without the event still to link: « Saint-Aubin » is the Nord's.
    lines = content.decode().splitlines()
    upload = SimpleUploadedFile("evenements.csv", "\n".join(lines[:2]).encode())
    preview = staff_client.post(IMPORT_URL, {"file": upload})
    assert preview.context["errors"] == []
    assert (preview.context["created"], preview.context["updated"]) == ([], [])


# Demonstration data.


def test_the_demo_events_are_linked_to_their_official_communes():
    call_command("load_plan", stdout=StringIO())
    call_command("load_communes", departments=["59", "62"], stdout=StringIO())

    call_command("seed_demo", "--events", "40", "--end", "2025-06-30", stdout=StringIO())

    events = AwarenessEvent.objects.all()
    assert events.count() == 40
    assert not events.without_official_commune().exists()
    assert all(
        event.commune == event.official_commune.name
        for event in events.select_related("official_commune")
    )
