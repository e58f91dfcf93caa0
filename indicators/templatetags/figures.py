"""The French formatting of `feminisation.formatting`, as template filters."""

from django import template

from feminisation import formatting

register = template.Library()
register.filter("number", formatting.number)
register.filter("percent", formatting.percent)
register.filter("moment", formatting.moment)
