"""Dependencies run one way: the apps use the project package (access, formatting,
cache), never the reverse, and the public pages' cache watches the models the apps
name, no others (not the stored figures, not the history)."""

import ast
from pathlib import Path

from django.apps import apps
from django.db.models.signals import post_save

from feminisation.cache import record_write

PROJECT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "indicators", "initiatives", "partners")


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_project_package_imports_no_app():
    offending = {
        f"{path.name}: {module}"
        for path in (PROJECT / "feminisation").glob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in APPS
    }

    assert offending == set()


def test_the_cache_watches_the_models_the_pages_read_and_nothing_else():
    watched = {
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        if any(receiver is record_write for receiver in post_save._live_receivers(model)[0])
    }

    assert watched == {
        "partners.Partner",
        "partners.Contact",
        "initiatives.ActionPlan",
        "initiatives.PlanPartner",
        "initiatives.PlanLink",
        "initiatives.InitiativeLink",
        "initiatives.Audience",
        "initiatives.Initiative",
        "initiatives.Achievement",
        "indicators.AwarenessEvent",
        "indicators.AudienceCount",
        "indicators.Target",
        "indicators.ClosedYear",
        "territories.Territory",
        "territories.Epci",
    }
