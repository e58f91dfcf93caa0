"""The « Réseau national » role, and the territories' permissions given to the
roles that read them (feminisation.access.PERMISSIONS)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from feminisation.access import NATIONAL_NETWORK, PERMISSIONS


def sync_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


def remove_network(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NATIONAL_NETWORK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0001_initial"),
        ("initiatives", "0004_plan_territory"),
        ("accounts", "0003_notification_settings"),
        ("geography", "0002_roles_view_communes"),
    ]

    operations = [migrations.RunPython(sync_roles, remove_network)]
