"""The plan each admin page reads for an account: its territory's current plan (the
one its public site shows), where the pages of an instance with one territory read
`ActionPlan.objects.current()`.

An account of several territories (the national network: every one) chooses the
territory in the address, `?territoire=<slug>`; the home lists each one's plan."""

from initiatives.models import ActionPlan
from territories.models import Territory

PARAMETER = "territoire"


def territories_of(user):
    """The territories `user` reads, by name: all of them for the national network."""
    return list(Territory.objects.visible_to(user).order_by("name"))


def current_plans(user):
    """The current plan of each territory `user` reads (territories without a
    published plan left out), by territory name: one query."""
    plans = ActionPlan.objects.current_of_each_territory().filter(
        territory__in=Territory.objects.visible_to(user).values("pk")
    )
    return list(plans.select_related("territory").order_by("territory__name", "territory"))


def chosen_territory(user, slug=None, territories=None):
    """The territory among `user`'s named by `slug`, else its first one; None for an
    account of no territory (or a slug it does not read)."""
    territories = territories_of(user) if territories is None else territories
    if slug:
        return next((t for t in territories if t.slug == slug), None)
    return territories[0] if territories else None


def plan_for(user, territory=None, plans=None):
    """The current plan of `territory` (an instance or an id) if `user` reads it,
    else of the account's only territory with a published plan; None when it has
    several (it chooses), or none. One query, as ActionPlan.objects.current(), or
    none given the account's `plans` (current_plans)."""
    plans = current_plans(user) if plans is None else plans
    if territory is None:
        return plans[0] if len(plans) == 1 else None
    territory_id = getattr(territory, "pk", territory)
    return next((plan for plan in plans if plan.territory_id == territory_id), None)
