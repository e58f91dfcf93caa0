"""Who may do what: the four roles as Django groups, the permissions that tell
them apart, who sees every partner's events and who every territory's.

Kept in one place so the migration that creates the groups, the admin, the views
and the tests read the same names. What an account may do with one event is
`indicators.workflow`'s to decide."""

SEE_ALL_EVENTS = "indicators.see_all_events"
VALIDATE_EVENTS = "indicators.validate_awarenessevent"
EXPORT_FIGURES = "indicators.export_figures"
VIEW_EVENTS = "indicators.view_awarenessevent"
SEE_EVERY_TERRITORY = "territories.see_every_territory"
VIEW_TERRITORIES = "territories.view_territory"

TERRITORY_STAFF = "Équipe territoire"
MANAGERS = "Responsables"
PARTNERS = "Partenaires"
# A network (France Clusters, the ANCT, a Region) that reads every territory's
# plan and figures and writes nothing.
NATIONAL_NETWORK = "Réseau national"

PLAN_MODELS = {
    "partners": ["partner", "contact"],
    "initiatives": ["actionplan", "audience", "initiative", "achievement"],
    "indicators": ["awarenessevent", "audiencecount", "target", "closedyear"],
}
ALL_ACTIONS = ["add", "change", "delete", "view"]
# Every role picks an event's commune among them (an autocomplete); only
# `load_communes` changes them.
VIEW_COMMUNES = "geography.view_commune"


def _on_plan_models(actions):
    return [
        f"{app}.{action}_{model}"
        for app, models in PLAN_MODELS.items()
        for model in models
        for action in actions
    ]


PERMISSIONS = {
    TERRITORY_STAFF: [
        *_on_plan_models(ALL_ACTIONS),
        VALIDATE_EVENTS,
        SEE_ALL_EVENTS,
        EXPORT_FIGURES,
        # Partner accounts only: accounts.rules narrows them.
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        VIEW_COMMUNES,
        VIEW_TERRITORIES,
    ],
    MANAGERS: [
        *_on_plan_models(["view"]),
        SEE_ALL_EVENTS,
        EXPORT_FIGURES,
        VIEW_COMMUNES,
        VIEW_TERRITORIES,
    ],
    NATIONAL_NETWORK: [
        *_on_plan_models(["view"]),
        SEE_ALL_EVENTS,
        EXPORT_FIGURES,
        VIEW_COMMUNES,
        VIEW_TERRITORIES,
        SEE_EVERY_TERRITORY,
    ],
    # What a partner's account may touch is narrowed further to its organisations'
    # events by the admin (AwarenessEvent.objects.visible_to).
    PARTNERS: [
        "indicators.add_awarenessevent",
        "indicators.change_awarenessevent",
        "indicators.delete_awarenessevent",
        VIEW_EVENTS,
        "indicators.add_audiencecount",
        "indicators.change_audiencecount",
        "indicators.delete_audiencecount",
        "indicators.view_audiencecount",
        "partners.view_partner",
        "initiatives.view_initiative",
        "initiatives.view_audience",
        VIEW_COMMUNES,
    ],
}


def sees_all_events(user):
    """Territory staff and managers see every partner's events; a partner's
    accounts see only their organisations' events."""
    return user.is_superuser or user.has_perm(SEE_ALL_EVENTS)


def sees_every_territory(user):
    """The national network and superusers read every territory's data; every other
    account only that of the territories it belongs to (`territories.scoping.visible_to`)."""
    return user.is_superuser or user.has_perm(SEE_EVERY_TERRITORY)


def can_validate(user):
    """Territory staff: they validate events, and only they may still change a
    validated event without sending it back, or an event of a closed year."""
    return user.has_perm(VALIDATE_EVENTS)


def organisation_ids(user):
    """The partner organisations a partner's account enters events for, first one
    first; read once per request and kept on the user, as Django keeps permissions."""
    if not hasattr(user, "_organisation_ids"):
        user._organisation_ids = list(user.partner_organisations.values_list("pk", flat=True))
    return user._organisation_ids


# Exports: who downloads which events, decided here for /exports/, its files and the
# admin's export of a selection.

NO_EXPORT = (
    "Votre compte ne permet pas d'exporter les chiffres : les exports sont réservés "
    "aux responsables, à l'équipe du territoire et aux comptes des partenaires."
)
NO_ORGANISATION = (
    "Votre compte n'est rattaché à aucune organisation partenaire : il n'a donc aucune "
    "action à exporter. Demandez à l'équipe du territoire de le rattacher à votre "
    "organisation."
)


def export_refusal(user):
    """Why `user` may not export, in French; None when it may. Managers and staff
    export every event; a partner's account, which sees its organisations' events
    in the admin, exports those."""
    if user.has_perm(EXPORT_FIGURES):
        return None
    if not user.has_perm(VIEW_EVENTS):
        return NO_EXPORT
    if not organisation_ids(user):
        return NO_ORGANISATION
    return None


def can_export(user):
    return export_refusal(user) is None


def export_organisations(user):
    """Whose events an account that `can_export` exports: None for every partner's,
    else the ids of its own organisations (events they organise or co-organise)."""
    if user.has_perm(EXPORT_FIGURES):
        return None
    return tuple(organisation_ids(user))


def give_roles_their_permissions(apps):
    """Creates the groups of PERMISSIONS and gives each its permissions, with the
    models of `apps` (a migration's): the migrations that add a role or a permission
    to one call it. Permissions are normally created after all migrations; the
    groups need them now. A permission on a model that a later migration creates
    does not exist yet: that migration calls this again."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    create_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def create_roles(Group, Permission):
    """The groups of PERMISSIONS, each given its permissions, with the models given:
    a migration's, or the real ones once a transactional test has emptied the tables."""
    for name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
