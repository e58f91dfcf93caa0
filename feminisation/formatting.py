"""How the application writes numbers, shares, counts and months in French: one
place for every page, message, export and command."""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.dateformat import format as date_format

NARROW_NBSP = "\u202f"
MINUS = "\u2212"
STABLE = "stable"


def number(value):
    """12345 → « 12 345 », with the narrow no-break space French typography uses; an
    unknown count (None, such as women among people whose sex is not known) → « — »."""
    if value is None:
        return "—"
    return intcomma(value, use_l10n=True).replace("\xa0", NARROW_NBSP)


ROUNDINGS = {"nearest": ROUND_HALF_UP, "floor": ROUND_FLOOR}


def percentage(share, decimals=0, rounding="nearest"):
    """A share in percent to `decimals` places, halves up (0.125 → 13, or 12.5 to one
    decimal) or, with "floor", down: the one rounding of every page, file and API
    answer. Worked from the share's shortest decimal writing, not from its binary
    one, in which 0.29 * 100 is 28.999…: rounded down, 29 people of 100 would read
    28 %. An int without decimals, a float with them."""
    return _rounded(share, 2, decimals, rounding)


def fraction(share, decimals, rounding="nearest"):
    """A share from 0 to 1 (as the API gives it) to `decimals` places, by the same
    rule as `percentage`: 0.29 rounded down stays 0.29."""
    return _rounded(share, 0, decimals, rounding)


def rate(value):
    """People per 1,000 inhabitants to one decimal, for the files and the API (None:
    unknown), by the same rule as `percentage`, which the pages' `floatformat:1`
    follows too: 1,914 people for 46,400 inhabitants, 41.25, give 41.3 everywhere,
    where round() would halve to even (41.2)."""
    return None if value is None else _rounded(value, 0, 1, "nearest")


def _rounded(share, scale, decimals, rounding):
    exact = Decimal(str(share)).scaleb(scale)
    exact = exact.quantize(Decimal(1).scaleb(-decimals), ROUNDINGS[rounding])
    return float(exact) if decimals else int(exact)


def percent(share, rounding="nearest"):
    """0.523 → « 52 % », 0.125 → « 13 % »; an unknown share (None) → « — ». With
    "floor", 0.9997 gives « 99 % »: progress towards a target never reads 100 %
    before it is reached."""
    if share is None:
        return "—"
    return f"{percentage(share, rounding=rounding)}{NARROW_NBSP}%"


def change(ratio):
    """A change, signed: 0.123 → « +12 % », -0.08 → « \u22128 % » (the minus sign, not a
    hyphen), less than half a percent either way → « stable »; halves away from zero,
    as every percentage (`percentage`): 0.125 → « +13 % »."""
    value = percentage(ratio)
    if value == 0:
        return STABLE
    return f"{'+' if value > 0 else MINUS}{abs(value)}{NARROW_NBSP}%"


def points(difference):
    """A change between two percentages, in whole points: 3 → « +3 points », -1 →
    « \u22121 point », 0 → « stable »; unknown (None) → « — »."""
    if difference is None:
        return "—"
    if difference == 0:
        return STABLE
    sign = "+" if difference > 0 else MINUS
    return f"{sign}{abs(difference)} {'point' if abs(difference) < 2 else 'points'}"


def noun(count, singular, plural):
    """The word that goes with a count, where the figure is written apart (a card's
    figure above its label): French plural starts at 2."""
    return singular if count < 2 else plural


def counted(count, singular, plural):
    """« 1 personne », « 0 personne », « 12 personnes »."""
    return f"{number(count)} {noun(count, singular, plural)}"


def month_label(month):
    """« janvier 2025 », from Django's French month names (LANGUAGE_CODE)."""
    return date_format(month, "F Y")


def progress_percent(reached, target):
    """The progress towards a target in percent with one decimal, for the files:
    rounded down, as the pages round it (`percent`'s "floor"), so that it never reads
    100.0 before the target is reached (9,999 people of 10,000: 99.9). In integers:
    a float's error would write 29 % as 28.9. None without a target."""
    if not target:
        return None
    return reached * 1000 // target / 10


def share_percent(share):
    """A share in percent with one decimal, for the files (None: unknown), rounded as
    the pages round it (`percent`)."""
    return None if share is None else percentage(share, 1)


def of(name):
    """« de Lumbres », « d'Arques », « du Mans », « des Mureaux », « d'Elles Bougent »:
    « de » before a name, elided before a vowel, and contracted with its article
    « Le » or « Les »."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return contracted + name[len(article) :]
    return f"d'{name}" if name[:1] in "AEÉÈÊIÎOUYŒ" else f"de {name}"


def long_date(value):
    """A date in words: « 1er mars 2026 », « 2 mars 2026 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F Y')}"


def moment(value):
    """A date and time, in local time: « 1er mars 2026 à 9 h 05 »."""
    local = timezone.localtime(value)
    return f"{long_date(local)} à {local.hour} h {local:%M}"
