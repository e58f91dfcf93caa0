"""French formatting of the plan's figures."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

NARROW_NBSP = "\u202f"


@register.filter
def number(value):
    """12345 → « 12 345 », with the narrow no-break space French typography uses."""
    return intcomma(value, use_l10n=True).replace("\xa0", NARROW_NBSP)


@register.filter
def percent(share):
    """0.523 → « 52 % »; an unknown share (None) → « — »."""
    if share is None:
        return "—"
    return f"{round(share * 100)}{NARROW_NBSP}%"
