"""The venues' monthly rows without an audience go: only the venues are read from
`VenueMonth`, never a number of events for all audiences together, and the venues of
all audiences are those of every audience's rows (issue 18: a third of the rows
seed_demo wrote, and that each save rewrote)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_rows_of_all_audiences(apps, schema_editor):
    apps.get_model("indicators", "VenueMonth").objects.filter(audience__isnull=True).delete()


def add_rows_of_all_audiences(apps, schema_editor):
    """Back: each month's venues of all audiences again, counted from the events
    (an event with two audiences counts once there)."""
    quote = schema_editor.quote_name
    month = (
        "date_trunc('month', event.date)::date"
        if schema_editor.connection.vendor == "postgresql"
        else "date(event.date, 'start of month')"
    )
    schema_editor.execute(
        f"INSERT INTO {quote('indicators_venuemonth')} "
        "(month, venue_id, initiative_id, status, audience_id, events) "
        f"SELECT {month}, venue.id, event.initiative_id, event.status, NULL, COUNT(*) "
        f"FROM {quote('indicators_awarenessevent')} event "
        f"JOIN {quote('indicators_venue')} venue "
        "ON venue.name = event.venue_name AND venue.commune = event.commune "
        f"WHERE EXISTS (SELECT 1 FROM {quote('indicators_audiencecount')} line "
        "WHERE line.event_id = event.id) "
        f"GROUP BY {month}, venue.id, event.initiative_id, event.status"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0020_import_preview_plan"),
        ("initiatives", "0004_plan_territory"),
    ]

    operations = [
        # Back, last: once the audience may be empty again.
        migrations.RunPython(drop_rows_of_all_audiences, add_rows_of_all_audiences),
        migrations.RemoveConstraint(
            model_name="venuemonth",
            name="venue_month_all_audiences_key",
        ),
        migrations.RemoveConstraint(
            model_name="venuemonth",
            name="venue_month_audience_key",
        ),
        migrations.RemoveIndex(
            model_name="venuemonth",
            name="venue_month_plan_idx",
        ),
        migrations.AlterField(
            model_name="venuemonth",
            name="audience",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="initiatives.audience",
            ),
        ),
        migrations.AlterField(
            model_name="venuemonth",
            name="initiative",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="initiatives.initiative",
            ),
        ),
        migrations.AddIndex(
            model_name="venuemonth",
            index=models.Index(
                fields=["initiative", "status", "month"],
                include=("venue", "audience"),
                name="venue_month_plan_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="venuemonth",
            constraint=models.UniqueConstraint(
                fields=("month", "venue", "initiative", "status", "audience"),
                name="venue_month_key",
                violation_error_message=(
                    "Ce mois a déjà une ligne pour ce lieu, cette initiative, ce statut et ce "
                    "public."
                ),
            ),
        ),
    ]
