"""Each version of an account names its territories. The versions written before
hold the account's territories as they are now: until then an account's territories
were those the territories' own migration gave it, and an empty name would show
« — → its territories » at its next change, a change that never happened."""

from django.db import migrations, models


def name_current_territories(apps, schema_editor):
    Territory = apps.get_model("territories", "Territory")
    HistoricalUser = apps.get_model("accounts", "HistoricalUser")
    names = {}
    for user_id, name in Territory.members.through.objects.values_list(
        "user_id", "territory__name"
    ):
        names.setdefault(user_id, []).append(name)
    for user_id, territories in names.items():
        HistoricalUser.objects.filter(id=user_id).update(
            territories_names=", ".join(sorted(territories))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification_settings"),
        ("territories", "0002_national_network"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaluser",
            name="territories_names",
            field=models.TextField(blank=True, verbose_name="territoires"),
        ),
        migrations.RunPython(name_current_territories, migrations.RunPython.noop),
    ]
