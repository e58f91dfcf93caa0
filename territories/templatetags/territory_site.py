from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def site_territory(context):
    """The territory whose site the page belongs to, or None (a page of an instance
    with several territories, an error page rendered without a request)."""
    request = context.get("request")
    territory = getattr(request, "territory", None)
    return territory if territory else None


@register.simple_tag(takes_context=True)
def instance_url(context, name, *args):
    """The address of one of the instance's own pages (the admin, the legal pages,
    the list of territories), which no territory's site holds: outside the
    /territoires/<slug>/ prefix that {% url %} adds inside a territory's site."""
    url = reverse(name, args=args)
    prefix = get_script_prefix()
    root = getattr(context.get("request"), "instance_prefix", prefix)
    return root + url.removeprefix(prefix)
