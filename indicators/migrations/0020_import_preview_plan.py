"""A pending import file keeps the plan its preview matched it against, not only
the territory: a plan published between the preview and the confirmation would
otherwise receive the file, its « 1 » read as another initiative. The files waiting
(an hour at most) are dropped: their preview named no plan, and the confirmation
asks for the file again."""

import django.db.models.deletion
from django.db import migrations, models


def drop_pending_files(apps, schema_editor):
    apps.get_model("indicators", "ImportPreview").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0019_leaner_indexes"),
        ("initiatives", "0004_plan_territory"),
    ]

    operations = [
        migrations.RunPython(drop_pending_files, migrations.RunPython.noop),
        migrations.RemoveField(model_name="importpreview", name="territory"),
        migrations.AddField(
            model_name="importpreview",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="initiatives.actionplan",
                verbose_name="plan d'action",
            ),
            preserve_default=False,
        ),
    ]
