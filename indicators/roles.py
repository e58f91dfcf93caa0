"""The three roles of the application and what each may do, as Django groups.

Kept in one place so the migration that creates the groups and the tests that
check them read the same list."""

TERRITORY_STAFF = "Équipe territoire"
MANAGERS = "Responsables"
PARTNERS = "Partenaires"

PLAN_MODELS = {
    "partners": ["partner", "contact"],
    "initiatives": ["actionplan", "audience", "initiative", "achievement"],
    "indicators": ["awarenessevent", "audiencecount", "target", "closedyear"],
}
ALL_ACTIONS = ["add", "change", "delete", "view"]


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
        "indicators.validate_awarenessevent",
        "indicators.see_all_events",
        "indicators.export_figures",
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
    ],
    MANAGERS: [
        *_on_plan_models(["view"]),
        "indicators.see_all_events",
        "indicators.export_figures",
    ],
    # What a partner's account may touch is narrowed further to its organisations'
    # events by the admin (AwarenessEvent.objects.visible_to).
    PARTNERS: [
        "indicators.add_awarenessevent",
        "indicators.change_awarenessevent",
        "indicators.delete_awarenessevent",
        "indicators.view_awarenessevent",
        "indicators.add_audiencecount",
        "indicators.change_audiencecount",
        "indicators.delete_audiencecount",
        "indicators.view_audiencecount",
        "partners.view_partner",
        "initiatives.view_initiative",
        "initiatives.view_audience",
    ],
}
