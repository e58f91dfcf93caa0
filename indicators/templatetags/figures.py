"""The French formatting of `feminisation.formatting`, as template filters."""

from django import template

from feminisation import formatting

register = template.Library()
register.filter("number", formatting.number)
register.filter("percent", formatting.percent)
register.filter("change", formatting.change)
register.filter("points", formatting.points)
register.filter("moment", formatting.moment)
register.filter("long_date", formatting.long_date)
# « Actions {{ partner.name|of }} »: « Actions d'Elles Bougent ».
register.filter("of", formatting.of)
# {% counted n "personne" "personnes" %}, {% noun n "personne" "personnes" %}: Django's
# `pluralize` would write « 0 personnes ».
register.simple_tag(formatting.counted, name="counted")
register.simple_tag(formatting.noun, name="noun")


@register.filter
def women_among(event):
    """An event's women or girls (`with_totals`): « — » when nobody's sex is known,
    and when only some people's is, among how many: unknown is not zero, and « 20 »
    beside 80 people would read as a quarter."""
    if not event.total_known:
        return "—"
    women = formatting.number(event.total_women)
    if event.total_known == event.total_people:
        return women
    return f"{women} (sexe connu pour {formatting.number(event.total_known)})"
