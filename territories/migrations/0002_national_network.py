"""The « Réseau national » role, and the territories' permissions given to the
roles that read them (feminisation.access.PERMISSIONS)."""

from django.db import migrations

from feminisation.access import NATIONAL_NETWORK, give_roles_their_permissions


def sync_roles(apps, schema_editor):
    give_roles_their_permissions(apps)


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
