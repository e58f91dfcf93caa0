from django.db import migrations

from feminisation.access import PERMISSIONS, give_roles_their_permissions


def create_roles(apps, schema_editor):
    give_roles_their_permissions(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("indicators", "0002_workflow_history_closed_years"),
        ("initiatives", "0002_historicalinitiative"),
        ("partners", "0002_partner_members_historicalpartner"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
