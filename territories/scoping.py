"""Which territory each kind of record belongs to, and the narrowing of a queryset
to an account's territories: the admin, the exports, the imports, the reports and
the API narrow through here, as they narrow a partner's account to its
organisations through AwarenessEvent.objects.visible_to."""

from django.db.models import Q, QuerySet

from feminisation.access import sees_every_territory

# model label → the path from a record to its territory (or territories).
PATHS = {
    "territories.territory": "pk",
    "territories.epci": "territory",
    "initiatives.actionplan": "territory",
    "initiatives.planpartner": "plan__territory",
    "initiatives.planlink": "plan__territory",
    "initiatives.initiative": "plan__territory",
    "initiatives.initiativelink": "initiative__plan__territory",
    "initiatives.achievement": "initiative__plan__territory",
    "indicators.target": "plan__territory",
    "indicators.closedyear": "plan__territory",
    "indicators.awarenessevent": "initiative__plan__territory",
    "indicators.audiencecount": "event__initiative__plan__territory",
    "partners.partner": "territories",
    "partners.contact": "partner__territories",
    "auth.user": "territories",
}
# Paths through a many-to-many relation: a record in two of the territories must
# not be listed twice.
MANY = {"partners.partner", "partners.contact", "auth.user"}


def condition(model, territories):
    """The Q that keeps the records of `model` that belong to one of `territories`
    (ids, instances, or a queryset of their ids read as a subquery)."""
    path = PATHS[model._meta.label_lower]
    if isinstance(territories, QuerySet):
        ids = territories
    else:
        ids = [getattr(territory, "pk", territory) for territory in territories]
    if model._meta.label_lower in MANY:
        return Q(pk__in=model._base_manager.filter(**{f"{path}__in": ids}).values("pk"))
    return Q(**{f"{path}__in": ids})


def in_territories(queryset, territories):
    return queryset.filter(condition(queryset.model, territories))


def visible_to(queryset, user):
    """The records of `queryset` that `user` may read as far as territories go:
    all of them for the national network, else those of its territories (read in
    the same query)."""
    if sees_every_territory(user):
        return queryset
    return in_territories(queryset, account_territories(user))


def account_territories(user):
    """The ids of the territories `user` belongs to, as a subquery."""
    from territories.models import Territory

    if not user.is_authenticated:
        return Territory.objects.none().values("pk")
    return Territory.objects.filter(members=user).values("pk")
