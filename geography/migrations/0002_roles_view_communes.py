"""Every role reads the communes: the events' form offers them by autocomplete,
which Django opens only to accounts that may view the model. Nobody but a
superuser changes them (`load_communes` does)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# As feminisation.access names them today; written out so that this migration does
# not change when that module does.
GROUPS = ("Équipe territoire", "Responsables", "Partenaires")


def _view_commune(apps):
    # Permissions are normally created after all migrations; the groups need it now.
    app_config = apps.get_app_config("geography")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    return apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="geography", codename="view_commune"
    )


def forwards(apps, schema_editor):
    permission = _view_commune(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def backwards(apps, schema_editor):
    permission = _view_commune(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("geography", "0001_initial"),
        ("indicators", "0003_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
