"""Which territory each kind of record belongs to, and the narrowing of a queryset
to an account's territories: the admin, the exports, the imports, the reports and
the API narrow through here, as they narrow a partner's account to its
organisations through AwarenessEvent.objects.visible_to; the e-mails about events
go to the accounts that read them (`reach`, `readers`)."""

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)

from feminisation.access import SEE_EVERY_TERRITORY, sees_every_territory

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
    "indicators.eventcredit": "initiative__plan__territory",
    "indicators.dailyfigures": "initiative__plan__territory",
    # A deleted event is found, and restored, through its history; its initiative,
    # when deleted too, says the territory through its own.
    "indicators.historicalawarenessevent": "initiative__plan__territory",
    "initiatives.historicalinitiative": "plan__territory",
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
    return queryset.filter(visible_condition(queryset.model, user))


def visible_condition(model, user):
    """The Q that keeps the records of `model` that `user` reads (Q() for the
    national network, and for the records every territory shares): for a list
    filter's or a form field's choices."""
    if not is_scoped(model) or sees_every_territory(user):
        return Q()
    return condition(model, account_territories(user))


def is_scoped(model):
    """Whether records of `model` belong to territories (an audience, a commune do
    not: every territory shares them)."""
    return model._meta.label_lower in PATHS


def is_visible(obj, user):
    """Whether `user` reads `obj`: one query, kept on the object for the request's
    other questions (the admin asks several times per page)."""
    if sees_every_territory(user) or not is_scoped(type(obj)):
        return True
    seen = obj.__dict__.setdefault("_territory_visible_to", {})
    if user.pk not in seen:
        seen[user.pk] = _reads(obj, user)
    return seen[user.pk]


def _reads(obj, user):
    """Asked of the record its first link leads to when that one is scoped: a
    deleted record (shown from its history) still names it."""
    model = type(obj)
    head = PATHS[model._meta.label_lower].split("__")[0]
    field = None if head == "pk" else model._meta.get_field(head)
    if field is not None and field.many_to_one and is_scoped(field.related_model):
        value = getattr(obj, field.attname)
        related = field.related_model._base_manager.filter(pk=value)
        return value is not None and visible_to(related, user).exists()
    return obj.pk is not None and visible_to(model._base_manager.filter(pk=obj.pk), user).exists()


def narrow_links(obj, user):
    """Keeps, in `obj`'s many-to-many relations towards records of territories, only
    the records `user` reads (one query per relation): a read-only form lists every
    record a relation links, where an editable one offers only its choices (a
    partner working in two territories has accounts of both)."""
    if sees_every_territory(user):
        return
    lookups = [
        Prefetch(field.name, queryset=visible_to(field.related_model._default_manager.all(), user))
        for field in type(obj)._meta.many_to_many
        if is_scoped(field.related_model)
    ]
    if lookups:
        prefetch_related_objects([obj], *lookups)


def mark_visible(obj, user):
    """Says that `obj`, found through a queryset narrowed by visible_to, is visible."""
    obj.__dict__.setdefault("_territory_visible_to", {})[user.pk] = True


@dataclass(eq=False)
class Reader:
    """An account, with the territories whose records it reads (`every`: all of
    them, for the national network and superusers), read for many accounts at once
    (`reach`, `readers`): who is told of an event by e-mail."""

    account: object
    every: bool = False
    territories: set = field(default_factory=set)

    def reads(self, territory_id):
        return self.every or territory_id in self.territories


def reach(path="pk"):
    """The annotations that say, for rows each naming an account (`path` to it:
    "pk" for the accounts themselves, "user" for a membership), whether it reads
    every territory (`reads_every`, sees_every_territory's rule) and a territory it
    belongs to (`member_of`: one row per territory, None for none)."""
    from django.contrib.auth.models import Permission

    app_label, codename = SEE_EVERY_TERRITORY.split(".")
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    prefix = "" if path == "pk" else f"{path}__"
    every = (
        Q(**{f"{prefix}is_superuser": True})
        | Exists(granted.filter(group__user=OuterRef(path)))
        | Exists(granted.filter(user=OuterRef(path)))
    )
    return {
        "reads_every": ExpressionWrapper(every, output_field=BooleanField()),
        "member_of": F(f"{prefix}territories"),
    }


def readers(rows, account=lambda row: row):
    """{account id: Reader} from rows annotated by `reach` (`account`: the account
    a row names)."""
    found = {}
    for row in rows:
        named = account(row)
        reader = found.setdefault(named.pk, Reader(named))
        reader.every = reader.every or bool(row.reads_every)
        if row.member_of is not None:
            reader.territories.add(row.member_of)
    return found


def account_territories(user):
    """The ids of the territories `user` belongs to, as a subquery."""
    from territories.models import Territory

    if not user.is_authenticated:
        return Territory.objects.none().values("pk")
    return Territory.objects.filter(members=user).values("pk")


def account_initiatives(user):
    """The ids of the initiatives of the territories `user` belongs to, None for an
    account that reads every territory; read once per request and kept on the user.
    A partner's events are narrowed to its territories by these, on its credits
    (`AwarenessEventQuerySet.visible_to`)."""
    if sees_every_territory(user):
        return None
    if not hasattr(user, "_initiative_ids"):
        from initiatives.models import Initiative

        initiatives = Initiative.objects.filter(plan__territory__in=account_territories(user))
        user._initiative_ids = list(initiatives.order_by("pk").values_list("pk", flat=True))
    return user._initiative_ids


def reaches_beyond(territories, user):
    """Whether `territories` (a queryset: those a shared record works in or is used
    by) include one that is not `user`'s. Such a record is those territories' too:
    deleted, or its links changed, it would leave their events, plans or accounts
    without it; only an account of all of them, or that sees every territory, may."""
    return beyond(territories, user).exists()


def beyond(territories, user):
    """Those of `territories` (a queryset) that are not `user`'s (none for an
    account that sees every territory): see `reaches_beyond`."""
    if sees_every_territory(user):
        return territories.none()
    return territories.exclude(pk__in=account_territories(user))


# Records that every territory's public site shows, whatever PATHS says.
EVERY_TERRITORY = {"territories.territory"}
ORIGIN = "_territory_origin"


def _first_step(model):
    """The forward foreign key a record of `model` reaches its territory through, or
    None (a many-to-many path, or the territory itself)."""
    path = PATHS[model._meta.label_lower]
    if path == "pk":
        return None
    field = model._meta.get_field(path.split("__")[0])
    return field if field.many_to_one else None


def remember_origin(sender, instance, **kwargs):
    """post_init: the record's foreign key towards its territory as read from the
    database, so that a save that moves it to another territory names both."""
    label = sender._meta.label_lower
    if label in PATHS and label not in EVERY_TERRITORY and (step := _first_step(sender)):
        instance.__dict__[ORIGIN] = instance.__dict__.get(step.attname)


def references(instance):
    """What a write of `instance` changes on the territories' sites, read without a
    query (the writes of a transaction are resolved together once it commits, by
    territories_of): a set of (model label, pk) whose territories to read, or None
    when the write concerns every territory (shared data such as the audiences, a
    territory itself). A record reached through a foreign key is named by its
    parent, which a deletion leaves in place (or deletes too, naming its own)."""
    model = type(instance)
    label = model._meta.label_lower
    if label not in PATHS or label in EVERY_TERRITORY:
        return None
    step = _first_step(model)
    if step is None:
        return {(label, instance.pk)}
    parent = step.related_model._meta.label_lower
    ids = {instance.__dict__.get(step.attname), instance.__dict__.get(ORIGIN)}
    # A record attached to nothing yet (or whose key was not loaded) could be any
    # territory's.
    return {(parent, pk) for pk in ids if pk is not None} or None


def records(model, pks):
    """The references of records of `model` named by their pks (a many-to-many
    change seen from the other side), or None when `model` is shared."""
    label = model._meta.label_lower
    if pks is None or label not in PATHS or label in EVERY_TERRITORY:
        return None
    return {(label, pk) for pk in pks}


def territories_of(refs, *, deleted=frozenset(), using=None):
    """The slugs of the territories the records `refs` ((model label, pk) pairs)
    belong to, one query per model; None when one of them belongs to no territory
    or cannot be found (then it may have been any territory's), unless it was
    deleted in the same transaction (`deleted`), which named its own parent."""
    from django.apps import apps

    by_model = {}
    # A record deleted with the others names its territory by its own parent.
    for label, pk in set(refs) - set(deleted):
        by_model.setdefault(label, set()).add(pk)
    slugs = set()
    for label, pks in by_model.items():
        model = apps.get_model(label)
        path = PATHS[label]
        rows = model._base_manager.using(using).filter(pk__in=pks)
        found = set()
        for pk, slug in rows.values_list("pk", "slug" if path == "pk" else f"{path}__slug"):
            if slug is None:
                return None
            found.add(pk)
            slugs.add(slug)
        if pks - found:
            return None
    return slugs


# Asking an export, a report or the API for several territories at once.
EVERY_TERRITORY_CHOICE = "tous"


def not_yours(territory):
    return (
        f"Votre compte n'a pas accès aux chiffres du territoire « {territory.name} » : "
        "il ne peut exporter que ceux des territoires dont il est membre. Demandez à "
        "l'équipe de ce territoire de vous y rattacher."
    )


ONLY_NATIONAL = (
    "Seul le réseau national exporte les chiffres de tous les territoires à la fois : "
    "choisissez l'un de vos territoires."
)


def territory_refusal(user, territory):
    """Why `user` may not read `territory`'s data, in French; None when it may.
    `territory` None stands for every territory at once."""
    if sees_every_territory(user):
        return None
    if territory is None:
        return ONLY_NATIONAL
    if account_territories(user).filter(pk=territory.pk).exists():
        return None
    return not_yours(territory)


def first_plan(user):
    """The current plan of the first territory `user` reads that has one, with
    `several` True when it reads another territory too; in one query, the one an
    account of one territory reads (an instance with one territory: every account)."""
    from initiatives.models import CURRENT_FIRST, ActionPlan
    from territories.models import Territory

    others = visible_to(Territory.objects.exclude(pk=OuterRef("territory")), user)
    plans = visible_to(ActionPlan.objects.published(), user)
    return (
        plans.annotate(several=Exists(others))
        .select_related("territory")
        .order_by("territory__name", *CURRENT_FIRST)
        .first()
    )
