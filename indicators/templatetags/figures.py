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
