"""Form fields that read a filter from a query string written by hand as well as by
the filter forms: values are stripped, a missing value is None or a default, and an
error message quotes the value it could not read, cut short."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from indicators.models.events import FIRST_DATE, LAST_DATE

# The years of the events' dates: a period outside them holds none.
FIRST_YEAR, LAST_DATE_YEAR = FIRST_DATE.year, LAST_DATE.year
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def _stripped(value):
    return value.strip() if isinstance(value, str) else ""


class Stripped:
    """Shows the value as it was read, stripped: `annee=%202025` selects 2025."""

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return data.strip() if isinstance(data, str) else data


class YearField(Stripped, forms.Field):
    """A year from FIRST_YEAR to `last`, in ASCII digits; shown as a list of years."""

    widget = forms.Select
    default_error_messages = {
        "invalid": (
            "L'année « %(value)s » n'est pas valide : choisissez une année entre "
            f"{FIRST_YEAR} et %(last)s."
        ),
    }

    def __init__(self, *, last, **kwargs):
        self.last = last
        super().__init__(**kwargs)

    def to_python(self, value):
        value = _stripped(value)
        if not value:
            return None
        # The length first: int() refuses strings of more than 4,300 digits.
        if not (len(value) <= 4 and value.isascii() and value.isdigit()) or not (
            FIRST_YEAR <= int(value) <= self.last
        ):
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"value": value[:40], "last": self.last},
            )
        return int(value)


class IsoDateField(Stripped, forms.Field):
    """A date as AAAA-MM-JJ, what <input type="date"> sends, read by
    date.fromisoformat() (which also takes 20250901, as the hand parser did)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": (
            "La date « %(value)s » n'est pas valide : utilisez le format AAAA-MM-JJ, "
            "par exemple 2025-09-01."
        ),
        "out_of_range": f"La date doit être comprise entre {FIRST_YEAR} et {LAST_DATE_YEAR}.",
    }

    def to_python(self, value):
        value = _stripped(value)
        if not value:
            return None
        try:
            date = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value[:40]}
            ) from None
        if not FIRST_YEAR <= date.year <= LAST_DATE_YEAR:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return date


class SlugChoiceField(Stripped, forms.ModelChoiceField):
    """An object of `queryset` named by its slug: one query when a slug is given
    (none for an empty one), and one more only when the list is rendered."""

    def __init__(self, queryset, *, label_attribute, **kwargs):
        self.label_attribute = label_attribute
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)

    def label_from_instance(self, obj):
        return getattr(obj, self.label_attribute)

    def to_python(self, value):
        value = _stripped(value)
        if not value:
            return None
        # Checked before the query: PostgreSQL rejects some characters (NUL) outright.
        found = self.queryset.filter(slug=value).first() if SLUG.fullmatch(value) else None
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value[:60]},
            )
        return found


class DefaultChoiceField(Stripped, forms.ChoiceField):
    """One of `choices`; `default` when the parameter is missing or empty."""

    def __init__(self, *, default, **kwargs):
        self.default = default
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return _stripped(value) or self.default

    def validate(self, value):
        if not self.valid_value(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value[:40]},
            )


class CommaSeparatedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes (selon=initiative&selon=public) that also read one comma-separated
    list (selon=initiative,public), the short form a hand-written address uses."""

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name) or []
        return [part.strip() for value in values for part in value.split(",") if part.strip()]


class SeveralChoicesField(forms.MultipleChoiceField):
    """Any number of `choices`, as checkboxes or a comma-separated list."""

    widget = CommaSeparatedCheckboxes

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def validate(self, value):
        for part in value:
            if not self.valid_value(part):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": part[:40]},
                )


class CommuneField(Stripped, forms.ChoiceField):
    """A commune among the plan's validated events', or None."""

    def to_python(self, value):
        return _stripped(value) or None

    def validate(self, value):
        if value is not None and not self.valid_value(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value[:60]},
            )


class PageField(Stripped, forms.Field):
    """A page number from 1, in ASCII digits; 1 when missing."""

    widget = forms.HiddenInput

    def to_python(self, value):
        value = _stripped(value)
        if not value:
            return 1
        if not (len(value) <= 6 and value.isascii() and value.isdigit() and int(value) >= 1):
            raise ValidationError(
                "La page « %(value)s » n'existe pas : donnez un numéro de page, par exemple 2.",
                code="invalid",
                params={"value": value[:40]},
            )
        return int(value)
