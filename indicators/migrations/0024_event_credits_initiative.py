"""Each event's credits say its initiative (issue 18): a partner's account sees its
organisations' events in its territories, narrowed on the credits' index rather than
on the events, whose territory the planner took for independent of the partner (a
partner's list read every event of its territory: 1.9 s at 200 territories). The
statistics of the (partner, initiative) pairs let PostgreSQL estimate how many
events a partner has in a territory."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE indicators_eventcredit SET initiative_id = e.initiative_id "
    "FROM indicators_awarenessevent e WHERE e.id = indicators_eventcredit.event_id"
)
STATISTICS = "credit_partner_initiative_stats"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS {STATISTICS} (mcv) ON partner_id, initiative_id "
            "FROM indicators_eventcredit"
        )
        schema_editor.execute("ANALYZE indicators_eventcredit")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0023_figures_without_rows_of_all_audiences"),
        ("initiatives", "0004_plan_territory"),
    ]

    operations = [
        # Dropped before the rows are rewritten, built again with their initiative.
        migrations.RemoveIndex(model_name="eventcredit", name="credit_partner_date_idx"),
        migrations.AddField(
            model_name="eventcredit",
            name="initiative",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="initiatives.initiative",
                verbose_name="initiative de l'action",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="eventcredit",
            name="initiative",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="initiatives.initiative",
                verbose_name="initiative de l'action",
            ),
        ),
        migrations.AddIndex(
            model_name="eventcredit",
            index=models.Index(
                fields=["partner", "date", "event"],
                include=("initiative",),
                name="credit_partner_date_idx",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
