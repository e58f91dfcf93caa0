"""No formula through a line break: a text field refuses the control characters that
a hand-made POST or an import could slip in (single-line fields line breaks and tabs
too), and a text stored before the rule is quoted by both CSV writers."""

import csv
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from feminisation import access
from indicators.enums import EventFormat, EventStatus
from indicators.exports import writer
from indicators.models import AwarenessEvent
from indicators.sheet import unguarded
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]

ADD_URL = reverse("admin:indicators_awarenessevent_add")
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
IMPORT_URL = reverse("admin:indicators_awarenessevent_import")
ATTACK = "Atelier\r@SUM(1+1)*cmd|' /C calc'!A0"


def event_data(initiative, organizer, audience, **fields):
    return {
        "initiative": initiative.pk,
        "title": "Découverte des métiers du verre",
        "date": "2025-03-14",
        "format": EventFormat.COMPANY_VISIT,
        "status": EventStatus.SUBMITTED,
        "venue_name": "Arc France",
        "official_commune": "62040",  # Arques (the `communes` fixture)
        "organizer": organizer.pk,
        "notes": "",
        "counts-TOTAL_FORMS": 1,
        "counts-INITIAL_FORMS": 0,
        "counts-MIN_NUM_FORMS": 0,
        "counts-MAX_NUM_FORMS": 1000,
        "counts-0-audience": audience.pk,
        "counts-0-people": 12,
        "counts-0-women": 5,
        **fields,
    }


@pytest.fixture
def event_form():
    return {
        "initiative": InitiativeFactory(),
        "organizer": PartnerFactory(name="Arc France"),
        "audience": AudienceFactory(),
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "title",
            ATTACK,
            "Ce texte doit tenir sur une ligne : retirez un retour chariot (U+000D).",
        ),
        ("venue_name", "Arc\nFrance", "retirez un saut de ligne (U+000A)"),
        # The commune is chosen among the official ones: no text to type.
        ("official_commune", "62040\t=1", "Sélectionnez un choix valide"),
        ("title", "Visite\x1b[31m", "contient un caractère de contrôle (U+001B)"),
        ("title", "Vis\x85ite", "contient un caractère de contrôle (U+0085)"),
        ("notes", "Bonne visite\x07", "contient un caractère de contrôle (U+0007)"),
        ("notes", "fin de ligne Mac\rancienne", "contient un retour chariot (U+000D)"),
    ],
)
def test_a_hand_made_post_with_a_control_character_creates_nothing(
    admin_client, event_form, field, value, message
):
    response = admin_client.post(ADD_URL, event_data(**event_form, **{field: value}))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors.get(field, ())), errors
    assertContains(response, message)
    assert not AwarenessEvent.objects.exists()


def test_a_change_reason_with_a_line_break_changes_nothing(admin_client):
    event = AwarenessEventFactory(title="Visite")
    url = reverse("admin:indicators_awarenessevent_change", args=[event.pk])
    data = form_data(admin_client.get(url), title="Visite corrigée", change_reason="motif\r=1")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"] == [
        "Ce texte doit tenir sur une ligne : retirez un retour chariot (U+000D)."
    ]
    event.refresh_from_db()
    assert event.title == "Visite"


def test_a_multi_line_field_keeps_the_line_breaks_and_tabs_a_browser_sends(
    admin_client, event_form
):
    notes = "Première ligne\r\nDeuxième ligne\n\tavec une tabulation\u2028et un séparateur"

    response = admin_client.post(ADD_URL, event_data(**event_form, notes=notes))

    assert response.status_code == 302
    assert AwarenessEvent.objects.get().notes == notes


def test_a_return_comment_with_a_control_character_returns_nothing(admin_client):
    event = AwarenessEventFactory(submitted=True)

    response = admin_client.post(
        CHANGELIST_URL,
        {
            "action": "return_for_correction",
            "_selected_action": [event.pk],
            "commentaire": "Corrigez la date\x1b",
        },
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Ce texte contient un caractère de contrôle (U+001B), invisible à l'écran : retirez-le "
        "(retapez le texte plutôt que de le coller). Aucune action n'a été renvoyée."
    ]
    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED


def test_an_imported_cell_with_a_control_character_is_refused_on_its_line(client, plan):
    InitiativeFactory(plan=plan, number=1)
    AudienceFactory(name="Filles", short_name="Filles", slug="filles")
    PartnerFactory(name="Arc France")
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    headers = ["date", "initiative", "intitulé", "format", "lieu", "commune", "organisateur"]
    headers += ["public", "personnes"]
    good = ["14/03/2025", "1", "Visite", "Visite d'entreprise", "Arc France", "Arques"]
    good += ["Arc France", "Filles", "24"]
    bad = [*good[:2], "Visite\x07", *good[3:5], "Arques\x9b", *good[6:]]
    stream = io.StringIO()
    csv.writer(stream).writerows([headers, good, bad])

    response = client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("actions.csv", stream.getvalue().encode())}
    )

    errors = [(error.line, error.message) for error in response.context["result"].errors]
    assert errors == [
        (
            3,
            "La colonne « intitulé » contient un caractère de contrôle (U+0007), invisible à "
            "l'écran : retirez-le (retapez le texte plutôt que de le coller).",
        ),
        (
            3,
            "La colonne « commune » contient un caractère de contrôle (U+009B), invisible à "
            "l'écran : retirez-le (retapez le texte plutôt que de le coller).",
        ),
    ]
    assert not AwarenessEvent.objects.exists()


@pytest.mark.parametrize("dialect", ["csv", "excel"])
def test_a_line_break_stored_before_the_rule_stays_inside_its_quoted_cell(client, world, dialect):
    """An event saved with a CR in its title (a raw update, as before the rule) gives
    one record in the file, and no line break outside a quoted cell is followed by a
    formula: on SQLite the Python writer writes the file, on PostgreSQL COPY does."""
    client.force_login(user_in(access.MANAGERS, "responsable"))
    event = AwarenessEventFactory(initiative=world["verrelles"], commune="Arques")
    AudienceCountFactory(event=event, audience=world["filles"], people=7, women=3)
    delimiter = ";" if dialect == "excel" else ","

    def export():
        response = client.get(reverse("export_events"), {"format": dialect})
        text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
        return text, list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))

    _, records_before = export()
    AwarenessEvent.objects.filter(pk=event.pk).update(
        title=ATTACK, venue_name="Salle\n=HYPERLINK(1)", commune="Arques\r\n+1"
    )
    text, records = export()

    assert len(records) == len(records_before)
    header = records[0]
    record = next(r for r in records if r[header.index("commune")] == "Arques\r\n+1")
    assert record[header.index("intitulé")] == ATTACK
    assert record[header.index("lieu")] == "Salle\n=HYPERLINK(1)"
    for line_break in re.finditer(r"(\r\n|\r|\n)(?=[=+\-@])", text):
        assert text[: line_break.start()].count('"') % 2 == 1, "a formula outside a quoted cell"


@pytest.mark.parametrize(
    "text",
    [
        "=SOMME(A1)",
        " =SOMME(A1)",
        "   +33 3 21",
        "\r@SUM(1+1)",
        "\n-1",
        "\x00=1+1",
        "\x1b=1+1",
        "\x7f@A1",
        "\x9b=1",
        "\xa0=1",
        "\u200b=1",
        "\u202e=1",
        "\u2028=1",
        "\u3000=1",
        "\ufeff=1",
        "\t",
        "\rtexte",
    ],
)
def test_the_formula_guard_looks_past_spaces_and_invisible_characters(text):
    guarded = writer.cell(text, writer.STANDARD)

    assert guarded == "'" + text
    assert unguarded(guarded) == text


@pytest.mark.parametrize("text", ["Arques", " Arques", "É=1", "a=1", "'=1", "", "1-2"])
def test_the_formula_guard_leaves_plain_text_alone(text):
    assert writer.cell(text, writer.STANDARD) == text
