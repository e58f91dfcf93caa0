"""Events and the official communes: linking the events entered with a free-text
commune, and the names that are left for staff to link by hand.

A migration cannot do the linking: it runs before `load_communes` has filled the
table, and must not read code that changes. `load_communes` links after each load,
which makes the linking run again on every deployment and cost nothing once done."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count

from feminisation.cache import invalidate_public_pages
from geography.matching import CommuneMatcher
from indicators.figures import store
from indicators.models import AwarenessEvent
from territories import scoping
from territories.models import Territory


def link_events():
    """Links each event still without an official commune whose text names exactly
    one commune of its territory's departments (whatever the case, accents or
    hyphens), and writes that commune's own spelling in its text. One UPDATE per
    distinct name and territory, whatever the number of events; returns the number
    of events linked."""
    unlinked = AwarenessEvent.objects.without_official_commune()
    territory_path = scoping.PATHS["indicators.awarenessevent"]
    names = unlinked.order_by().values_list(territory_path, "commune").distinct()
    by_territory = defaultdict(list)
    for territory, name in names:
        by_territory[territory].append(name)
    territories = Territory.objects.in_bulk(by_territory)
    linked = 0
    with transaction.atomic(), store.collecting():
        for territory_pk, territory_names in sorted(by_territory.items()):
            matcher = CommuneMatcher(territories[territory_pk])
            linked += _link(
                unlinked.filter(**{territory_path: territory_pk}), territory_names, matcher
            )
        if linked:
            invalidate_public_pages()
    return linked


def _link(unlinked, names, matcher):
    linked = 0
    for name in names:
        commune = matcher.unique(name)
        if commune is None:
            continue
        events = unlinked.filter(commune=name)
        if name != commune.name:
            # The venues reached are counted by (venue, commune) text: the days of
            # the events whose text changes are summed again (at the block's end).
            store.refresh_days(events.order_by().values_list("date", flat=True).distinct())
        linked += events.update(official_commune=commune, commune=commune.name)
    return linked


def names_to_link(limit=None, events=None):
    """The free-text communes of events (of `events`, by default all) without an
    official commune: each name with its number of events, the most frequent first."""
    events = AwarenessEvent.objects.all() if events is None else events
    names = (
        events.without_official_commune()
        .order_by()
        .values("commune")
        .annotate(events=Count("pk"))
        .order_by("-events", "commune")
    )
    return list(names[:limit] if limit else names)
