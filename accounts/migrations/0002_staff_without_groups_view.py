"""The territory staff no longer read the groups and their permissions: the accounts
they create are put in « Partenaires » without a choice."""

from django.db import migrations

STAFF = "Équipe territoire"


def _view_group(apps):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="auth", codename="view_group"
    )


def forwards(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name=STAFF):
        group.permissions.remove(*_view_group(apps))


def backwards(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name=STAFF):
        group.permissions.add(*_view_group(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_historicaluser"),
        ("indicators", "0003_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
