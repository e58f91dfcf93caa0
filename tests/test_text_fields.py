"""What a person may type in a text field: one rule (`feminisation.validators`), on
every text field of every model that a person writes."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from feminisation import validators

APPS = ("indicators", "initiatives", "partners")
# Written by the code, never typed in a form: the stored figures (from the events),
# and an import file waiting for confirmation (its token, its file's name).
WRITTEN_BY_CODE = {"DailyFigures", "PartnerDailyFigures", "Venue", "VenueMonth", "ImportPreview"}
# Text that Django's own validators already restrict to a few printable characters.
RESTRICTED = (models.SlugField, models.URLField, models.EmailField)


def typed_text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model.__name__ in WRITTEN_BY_CODE:
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.CharField | models.TextField)
                and not isinstance(field, RESTRICTED)
                and not field.choices
                # The history's own columns (its reason is checked by the form).
                and not field.name.startswith("history_")
            ):
                yield model, field


def test_every_typed_text_field_refuses_control_characters():
    fields = list(typed_text_fields())
    wrong = [
        f"{model.__name__}.{field.name}"
        for model, field in fields
        if validators.TextCharacters(multiline=isinstance(field, models.TextField))
        not in field.validators
    ]

    assert len(fields) > 30  # events, partners, contacts, plans… and their histories
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    [
        "Visite de la verrerie",
        "Saint-Omer",
        " espaces ",
        "=SOMME(A1)",
        "emoji 👩\u200d🔧",
        "à\xa0b",
    ],
)
def test_printable_text_is_accepted_everywhere(text):
    validators.single_line(text)
    validators.multiline(text)


@pytest.mark.parametrize("text", ["a\nb", "a\r\nb", "a\tb", "a\u2028b", "a\u2029b", "\r\n"])
def test_line_breaks_and_tabs_are_accepted_in_multi_line_fields_only(text):
    validators.multiline(text)
    with pytest.raises(ValidationError):
        validators.single_line(text)


@pytest.mark.parametrize(
    ("text", "character"),
    [
        ("a\x00b", "un caractère nul (U+0000)"),
        ("a\x01b", "un caractère de contrôle (U+0001)"),
        ("a\x0bb", "un caractère de contrôle (U+000B)"),
        ("a\x0cb", "un caractère de contrôle (U+000C)"),
        ("a\x1fb", "un caractère de contrôle (U+001F)"),
        ("a\x7fb", "un caractère de contrôle (U+007F)"),
        ("a\x85b", "un caractère de contrôle (U+0085)"),
        ("a\x9fb", "un caractère de contrôle (U+009F)"),
        ("a\rb", "un retour chariot (U+000D)"),
        ("a\n\rb", "un retour chariot (U+000D)"),
    ],
)
def test_other_control_characters_are_refused_everywhere(text, character):
    with pytest.raises(ValidationError) as refused:
        validators.multiline(text)

    assert refused.value.messages == [
        f"Ce texte contient {character}, invisible à l'écran : retirez-le (retapez le texte "
        "plutôt que de le coller)."
    ]
    with pytest.raises(ValidationError):
        validators.single_line(text)
