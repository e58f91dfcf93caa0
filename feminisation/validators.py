"""What a person may type in a text field.

A control character is invisible on screen, yet a CSV file or a spreadsheet reads it
as structure: a carriage return starts a new row whose first cell may be a formula,
a tab a new cell. So no text field holds one, and a single-line field refuses line
breaks and tabs too. A multi-line field keeps line feeds and tabs, and CRLF, which
browsers send for every line break of a textarea (Django stores it as sent)."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Unicode's control characters (category Cc: C0, DEL, C1), and the line and
# paragraph separators that editors and Python's str.splitlines() break lines at.
_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")

LINE_BREAKS = "\r\n\u2028\u2029"
NAMES = {
    "\x00": "un caractère nul",
    "\t": "une tabulation",
    "\n": "un saut de ligne",
    "\r": "un retour chariot",
    "\u2028": "un séparateur de ligne",
    "\u2029": "un séparateur de paragraphe",
}


def forbidden_character(text, *, multiline=False):
    """The first character of `text` that a field of that kind refuses, or None."""
    found = (_MULTILINE if multiline else _SINGLE_LINE).search(text)
    return found and found.group()[0]


def describe(char):
    """« un retour chariot (U+000D) »: what the message names."""
    return f"{NAMES.get(char, 'un caractère de contrôle')} (U+{ord(char):04X})"


def problem(text, *, multiline=False, subject="Ce texte"):
    """Why `text` cannot be saved in such a field, in French, or None."""
    char = forbidden_character(text, multiline=multiline)
    if char is None:
        return None
    if char in LINE_BREAKS and not multiline:
        return f"{subject} doit tenir sur une ligne : retirez {describe(char)}."
    return (
        f"{subject} contient {describe(char)}, invisible à l'écran : retirez-le "
        "(retapez le texte plutôt que de le coller)."
    )


@deconstructible
class TextCharacters:
    """The field validator: `TextCharacters()` for a CharField, `TextCharacters(
    multiline=True)` for a TextField."""

    code = "control_character"

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        message = problem(str(value), multiline=self.multiline)
        if message is not None:
            raise ValidationError(message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, TextCharacters) and other.multiline == self.multiline


single_line = TextCharacters()
multiline = TextCharacters(multiline=True)


def may_be_slug(model, value):
    """Whether `value`, read from an address, may be one of the model's identifiers
    (its `slug` field): if not, it names nothing and is looked up nowhere (PostgreSQL
    refuses a NUL byte outright; no identifier is longer than its field)."""
    from django.core.validators import slug_re

    longest = model._meta.get_field("slug").max_length
    return isinstance(value, str) and len(value) <= longest and bool(slug_re.match(value))
