"""Entering an action twice: the same date, commune, initiative and organiser as
another asks for confirmation, in the admin's form and in an import's preview. A
warning, never a refusal."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from feminisation.access import PARTNERS, TERRITORY_STAFF
from indicators.admin.forms import AwarenessEventAdminForm
from indicators.enums import EventFormat, EventStatus
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.indicators.test_import import HEADERS, csv_file, row
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]

ADD_URL = reverse("admin:indicators_awarenessevent_add")
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
IMPORT_URL = reverse("admin:indicators_awarenessevent_import")
MARCH_14 = datetime.date(2025, 3, 14)
CONFIRM_LABEL = "Enregistrer quand même, ce n&#x27;est pas un doublon"


@pytest.fixture(autouse=True)
def uncached_content_types():
    ContentType.objects.clear_cache()


@pytest.fixture
def plan():
    return ActionPlanFactory(title="Plan mixité")


@pytest.fixture
def verrelles(plan):
    return InitiativeFactory(
        plan=plan, number=1, title="Réseau Verr'Elles", slug="reseau-verrelles"
    )


@pytest.fixture
def corif(plan):
    return InitiativeFactory(plan=plan, number=2, title="Portraits CORIF", slug="portraits-corif")


@pytest.fixture
def girls():
    return AudienceFactory(name="Filles", short_name="Filles", slug="filles")


@pytest.fixture
def arc():
    return PartnerFactory(name="Arc France", slug="arc-france")


@pytest.fixture
def capital_filles():
    return PartnerFactory(name="Capital Filles", slug="capital-filles")


@pytest.fixture
def visit(verrelles, arc, girls):
    """The action already entered: Arc France's visit in Arques on 14 March."""
    event = AwarenessEventFactory(
        initiative=verrelles,
        organizer=arc,
        date=MARCH_14,
        title="Visite de la verrerie",
        format=EventFormat.COMPANY_VISIT,
        venue_name="Arc France",
        commune="Arques",
        status=EventStatus.SUBMITTED,
    )
    AudienceCountFactory(event=event, audience=girls, people=24, women=13)
    return event


@pytest.fixture
def staff_client(client):
    client.force_login(user_in(TERRITORY_STAFF, "equipe"))
    return client


@pytest.fixture
def partner_client(client, arc):
    client.force_login(user_in(PARTNERS, "verrelles", organisations=[arc]))
    return client


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def duplicates_of(event, **changes):
    values = {
        "date": event.date,
        "commune": event.commune,
        "initiative_id": event.initiative_id,
        "organizer_id": event.organizer_id,
        **changes,
    }
    return AwarenessEvent.objects.duplicates_of(**values)


# The rule -------------------------------------------------------------------------


@pytest.mark.parametrize("commune", ["Arques", "arques", "ARQUES", "  Arques ", "Ârques"])
def test_the_same_date_commune_initiative_and_organiser_is_a_duplicate(visit, commune):
    assert duplicates_of(visit, commune=commune) == [visit]


def test_communes_match_without_case_accents_spaces_or_hyphens(verrelles, arc):
    event = AwarenessEventFactory(
        initiative=verrelles, organizer=arc, date=MARCH_14, commune="Éperlecques"
    )

    for typed in ("eperlecques", "  ÉPERLECQUES", "Eperlecques "):
        assert duplicates_of(event, commune=typed) == [event]
    hyphenated = AwarenessEventFactory(
        initiative=verrelles, organizer=arc, date=MARCH_14, commune="Saint-Martin-lez-Tatinghem"
    )
    assert duplicates_of(hyphenated, commune="saint martin  lez tatinghem") == [hyphenated]


@pytest.mark.parametrize("different", ["date", "commune", "initiative", "organizer"])
def test_one_of_the_four_fields_different_is_no_duplicate(visit, corif, capital_filles, different):
    changes = {
        "date": {"date": MARCH_14 + datetime.timedelta(days=1)},
        "commune": {"commune": "Arques-la-Bataille"},
        "initiative": {"initiative_id": corif.pk},
        "organizer": {"organizer_id": capital_filles.pk},
    }[different]

    assert duplicates_of(visit, **changes) == []


def test_an_event_is_no_duplicate_of_itself_and_a_deleted_one_does_not_count(visit):
    assert duplicates_of(visit, exclude_pk=visit.pk) == []
    assert duplicates_of(visit) == [visit]

    visit.delete()

    assert duplicates_of(visit) == []


def test_many_keys_are_looked_up_in_one_query_per_200_dates(visit, django_assert_num_queries):
    keys = [
        (MARCH_14 + datetime.timedelta(days=day), visit.initiative_id, visit.organizer_id, "arques")
        for day in range(450)
    ]

    with django_assert_num_queries(3):
        found = AwarenessEvent.objects.sharing_keys(keys)

    assert dict(found) == {keys[0]: [visit]}


# The admin's form -----------------------------------------------------------------


def add_data(initiative, organizer, **fields):
    return {
        "initiative": initiative.pk,
        "title": "Visite de l'atelier de moulage",
        "date": "2025-03-14",
        "format": EventFormat.COMPANY_VISIT,
        "status": EventStatus.DRAFT,
        "venue_name": "Arc France",
        "official_commune": "62040",  # Arques
        "organizer": organizer.pk,
        "notes": "",
        "counts-TOTAL_FORMS": 0,
        "counts-INITIAL_FORMS": 0,
        "counts-MIN_NUM_FORMS": 0,
        "counts-MAX_NUM_FORMS": 1000,
        **fields,
    }


def test_adding_a_duplicate_warns_and_saves_nothing_until_confirmed(
    staff_client, visit, verrelles, arc
):
    response = staff_client.post(ADD_URL, add_data(verrelles, arc))

    assert response.status_code == 200
    assert AwarenessEvent.objects.count() == 1
    assertContains(
        response,
        "Une action du même partenaire existe déjà à cette date, dans cette commune et pour "
        "cette initiative :",
    )
    assertContains(
        response,
        f'<li><a href="{change_url(visit)}">Visite de la verrerie</a> — le 14/03/2025 à Arques, '
        "par Arc France (statut : Soumise, à valider)</li>",
        html=True,
    )
    assertContains(
        response,
        '<input type="checkbox" name="confirm_duplicate" id="id_confirm_duplicate">',
        html=True,
    )
    assertContains(
        response, f'<label for="id_confirm_duplicate">{CONFIRM_LABEL}</label>', html=True
    )

    response = staff_client.post(ADD_URL, add_data(verrelles, arc, confirm_duplicate="on"))

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    assert AwarenessEvent.objects.filter(title="Visite de l'atelier de moulage").exists()


def test_a_confirmed_duplicate_with_another_error_keeps_its_box_ticked(
    staff_client, visit, verrelles, arc
):
    response = staff_client.post(
        ADD_URL, add_data(verrelles, arc, title="", confirm_duplicate="on")
    )

    assert AwarenessEvent.objects.count() == 1
    assertContains(
        response,
        '<input type="checkbox" name="confirm_duplicate" id="id_confirm_duplicate" checked>',
        html=True,
    )


def test_no_warning_for_another_organiser_or_day(staff_client, visit, verrelles, capital_filles):
    response = staff_client.post(ADD_URL, add_data(verrelles, capital_filles))

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    assert AwarenessEvent.objects.count() == 2


def change_data(event, **fields):
    data = add_data(
        event.initiative,
        event.organizer,
        title=event.title,
        date=event.date.isoformat(),
        format=event.format,
        status=event.status,
        venue_name=event.venue_name,
        official_commune=event.official_commune_id or "",
        seen_version=event.version,
        change_reason="",
    )
    return {**data, **fields}


def test_editing_a_duplicate_without_changing_its_key_does_not_warn_again(
    staff_client, visit, verrelles, arc
):
    twin = AwarenessEventFactory(
        initiative=verrelles, organizer=arc, date=MARCH_14, commune="ARQUES", title="Séance 2"
    )

    response = staff_client.post(
        change_url(twin), change_data(twin, title="Deuxième séance", official_commune="62040")
    )

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    twin.refresh_from_db()
    assert (twin.title, twin.commune) == ("Deuxième séance", "Arques")


def test_moving_an_event_onto_another_warns_on_the_change_form(staff_client, visit, verrelles, arc):
    other = AwarenessEventFactory(
        initiative=verrelles, organizer=arc, date=datetime.date(2025, 3, 21), commune="Arques"
    )

    response = staff_client.post(change_url(other), change_data(other, date="2025-03-14"))

    assertContains(response, CONFIRM_LABEL)
    assertContains(response, f'<a href="{change_url(visit)}">Visite de la verrerie</a>')
    assertNotContains(response, f'<a href="{change_url(other)}">')
    other.refresh_from_db()
    assert other.date == datetime.date(2025, 3, 21)

    response = staff_client.post(
        change_url(other), change_data(other, date="2025-03-14", confirm_duplicate="on")
    )

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    other.refresh_from_db()
    assert other.date == MARCH_14


def test_a_partner_is_warned_of_its_own_organisations_events(
    partner_client, visit, verrelles, arc, capital_filles
):
    AwarenessEventFactory(
        initiative=verrelles,
        organizer=capital_filles,
        date=MARCH_14,
        commune="Arques",
        title="Forum de Capital Filles",
    )

    response = partner_client.post(ADD_URL, add_data(verrelles, arc))

    assertContains(response, f'<a href="{change_url(visit)}">Visite de la verrerie</a>')
    assertNotContains(response, "Forum de Capital Filles")
    assert AwarenessEvent.objects.count() == 2


def test_a_partner_never_learns_of_another_partners_events(
    django_user_model, verrelles, arc, capital_filles
):
    """Even from a form that names another organiser (refused by the workflow): the
    warning lists only the events the account may see."""
    hidden = AwarenessEventFactory(
        initiative=verrelles, organizer=capital_filles, date=MARCH_14, commune="Arques"
    )
    partner = user_in(PARTNERS, "verrelles", organisations=[arc])
    form_class = modelform_factory(
        AwarenessEvent,
        form=AwarenessEventAdminForm,
        fields=[
            "initiative",
            "title",
            "date",
            "format",
            "venue_name",
            "official_commune",
            "organizer",
        ],
    )
    form_class.user = partner
    data = add_data(verrelles, capital_filles)

    form = form_class(data)

    assert not form.is_valid()
    assert "organizer" in form.errors
    assert hidden.title not in str(form.non_field_errors())
    # The same form from the territory staff names it.
    form_class.user = user_in(TERRITORY_STAFF, "equipe")
    assert hidden.title in str(form_class(data).non_field_errors())


# The import -----------------------------------------------------------------------


def upload(client, rows, headers=HEADERS):
    content = csv_file(rows, headers=headers)
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile("actions.csv", content)})


def confirm(client, preview):
    assert preview.context["token"], "the preview offers no confirmation"
    return client.post(IMPORT_URL, {"token": preview.context["token"]})


def test_the_preview_warns_of_recorded_and_in_file_duplicates_then_imports_them_all(
    staff_client, visit, girls, capital_filles
):
    rows = [
        # line 2: looks like the recorded visit (the commune typed differently)
        row(intitulé="Visite de l'atelier", commune="ARQUES "),
        # lines 3 and 4: two new actions alike, in Saint-Omer
        row(intitulé="Forum des métiers", commune="Saint-Omer"),
        row(intitulé="Forum, second jour", commune="saint omer"),
        # line 5: another organiser, no duplicate
        row(intitulé="Visite avec Capital Filles", organisateur="Capital Filles"),
    ]

    preview = upload(staff_client, rows)

    assertContains(
        preview,
        "<p>3 actions du fichier ressemblent à des actions déjà saisies ou à d'autres actions "
        "du fichier (même date, commune, initiative et organisateur) : vérifiez-les avant de "
        "confirmer.</p>",
        html=True,
    )
    warnings = {
        duplicate.change.lines[0]: (
            [event.pk for event in duplicate.recorded],
            [other.lines for other in duplicate.in_file],
        )
        for duplicate in preview.context["duplicates"]
    }
    assert warnings == {2: ([visit.pk], []), 3: ([], [[4]]), 4: ([], [[3]])}
    assertContains(
        preview,
        f'<li>l\'action <a href="{change_url(visit)}">n° {visit.pk}</a>, déjà saisie — Visite '
        "de la verrerie (14/03/2025, Arques, statut : Soumise, à valider)</li>",
        html=True,
    )
    assertContains(
        # The commune by its official name, whatever the file's spelling.
        preview,
        "<li>l'action de la ligne 4 du fichier — Forum, second jour (Saint-Omer)</li>",
    )
    assertContains(
        preview,
        '<input type="submit" class="default" value="Confirmer l\'import, doublons possibles '
        'compris">',
    )
    # Warnings, not errors.
    assert preview.context["result"].is_valid

    response = confirm(staff_client, preview)

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    assert AwarenessEvent.objects.count() == 5


def test_one_duplicate_is_told_in_the_singular(staff_client, visit, girls, capital_filles):
    preview = upload(staff_client, [row(intitulé="Visite de l'atelier")])

    assertContains(
        preview,
        "1 action du fichier ressemble à une action déjà saisie ou à une autre action du fichier "
        "(même date, commune, initiative et organisateur) : vérifiez-la avant de confirmer.",
    )


def test_a_file_without_duplicates_shows_no_warning(staff_client, visit, girls):
    preview = upload(staff_client, [row(intitulé="Visite de l'atelier", commune="Blendecques")])

    assert preview.context["duplicates"] == []
    assertNotContains(preview, "<h3>Doublons possibles</h3>", html=True)
    assertContains(preview, '<input type="submit" class="default" value="Confirmer l\'import">')


def test_updating_an_event_by_its_reference_is_no_duplicate_of_itself(
    staff_client, visit, verrelles, arc, girls
):
    # Another session of the same day, entered knowingly: its twin is not new.
    AwarenessEventFactory(
        initiative=verrelles, organizer=arc, date=MARCH_14, commune="Arques", title="Séance 2"
    )
    headers = [*HEADERS, "référence"]

    preview = upload(staff_client, [row(personnes="30", référence=str(visit.pk))], headers)

    assert len(preview.context["result"].updated) == 1
    assert preview.context["duplicates"] == []
    assertNotContains(preview, "<h3>Doublons possibles</h3>", html=True)


def test_an_update_that_moves_an_event_onto_another_is_warned(
    staff_client, visit, verrelles, arc, girls
):
    other = AwarenessEventFactory(
        initiative=verrelles, organizer=arc, date=MARCH_14, commune="Blendecques", title="Forum"
    )
    AudienceCountFactory(event=other, audience=girls, people=24, women=13)
    headers = [*HEADERS, "référence"]
    moved = row(intitulé="Forum", lieu=other.venue_name, référence=str(other.pk))

    preview = upload(staff_client, [moved], headers)

    [duplicate] = preview.context["duplicates"]
    assert duplicate.change.event.pk == other.pk
    assert duplicate.recorded == [visit]


def test_an_event_the_file_moves_away_is_no_longer_a_duplicate_where_it_was(
    staff_client, visit, girls
):
    headers = [*HEADERS, "référence"]
    rows = [
        row(commune="Blendecques", référence=str(visit.pk)),  # the visit moves
        row(intitulé="Visite de l'atelier", référence=""),  # a new one takes its place
    ]

    preview = upload(staff_client, rows, headers)

    result = preview.context["result"]
    assert (len(result.created), len(result.updated)) == (1, 1)
    assert preview.context["duplicates"] == []


def test_a_partner_is_warned_of_its_own_events_in_the_preview(
    partner_client, visit, girls, capital_filles
):
    preview = upload(partner_client, [row(intitulé="Visite de l'atelier")])

    [duplicate] = preview.context["duplicates"]
    assert duplicate.recorded == [visit]


@pytest.mark.parametrize("events", [2, 200])
def test_an_import_checks_its_duplicates_in_the_same_queries_whatever_its_length(
    staff_client, visit, girls, django_assert_num_queries, events
):
    """200 new actions over 100 days, each day's pair alike, the first also like the
    recorded visit: the same queries as for 2."""
    rows = [
        row(
            date=f"{MARCH_14 + datetime.timedelta(days=number // 2):%d/%m/%Y}",
            intitulé=f"Visite n° {number}",
        )
        for number in range(events)
    ]

    # The import's (the plan's initiatives held in it, the territory's communes
    # included), and the duplicates' one.
    with django_assert_num_queries(17):
        preview = upload(staff_client, rows)

    duplicates = preview.context["result"].duplicates
    assert len(duplicates) == events
    assert duplicates[0].recorded == [visit]
