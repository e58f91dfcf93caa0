"""The daily and monthly figures without rows of all audiences (issue 18): each
audience's row counts in `first_events` the events whose first audience (lowest id
among their lines) it is, so that all audiences' events are the sum of
`first_events`, and their people, women and known the sum of every audience's rows.
Half of the rows seed_demo wrote and each save rewrote go, with an index of the
audience and of the initiative on the tables whose covering index now leads with it."""

import django.db.models.deletion
from django.db import migrations, models

MESSAGES = {
    "daily": (
        "Ce jour a déjà ses chiffres pour cette initiative, ce format, ce statut et ce public."
    ),
    "monthly": (
        "Ce mois a déjà ses chiffres pour cette initiative, ce format, ce statut et ce public."
    ),
    "partner_daily": (
        "Ce jour a déjà ses chiffres pour ce partenaire, ce rôle, cette initiative, ce statut "
        "et ce public."
    ),
    "partner_monthly": (
        "Ce mois a déjà ses chiffres pour ce partenaire, ce rôle, cette initiative, ce statut "
        "et ce public."
    ),
}
# (table, prefix of its keys, model, key without the date and the audience).
TABLES = (
    ("indicators_dailyfigures", "daily", "dailyfigures", ("initiative_id", "format", "status")),
    (
        "indicators_partnerdailyfigures",
        "partner_daily",
        "partnerdailyfigures",
        ("partner_id", "role", "initiative_id", "status"),
    ),
    (
        "indicators_monthlyfigures",
        "monthly",
        "monthlyfigures",
        ("initiative_id", "format", "status"),
    ),
    (
        "indicators_partnermonthlyfigures",
        "partner_monthly",
        "partnermonthlyfigures",
        ("partner_id", "role", "initiative_id", "status"),
    ),
)
SUMMED = ("events", "first_events", "people", "women", "known")

# Each event's first line: no line of the event has a lower audience.
FIRST_LINES = (
    "SELECT line.event_id, line.audience_id FROM indicators_audiencecount line "
    "WHERE NOT EXISTS (SELECT 1 FROM indicators_audiencecount other "
    "WHERE other.event_id = line.event_id AND other.audience_id < line.audience_id)"
)
EVENT_KEYS = {
    "indicators_dailyfigures": [
        "SELECT event.date AS day, event.initiative_id, event.format, event.status, "
        "firsts.audience_id, COUNT(*) AS counted "
        f"FROM ({FIRST_LINES}) firsts "
        "JOIN indicators_awarenessevent event ON event.id = firsts.event_id "
        "GROUP BY event.date, event.initiative_id, event.format, event.status, firsts.audience_id"
    ],
    "indicators_partnerdailyfigures": [
        "SELECT event.date AS day, event.organizer_id AS partner_id, 'organised' AS role, "
        "event.initiative_id, event.status, firsts.audience_id, COUNT(*) AS counted "
        f"FROM ({FIRST_LINES}) firsts "
        "JOIN indicators_awarenessevent event ON event.id = firsts.event_id "
        "GROUP BY event.date, event.organizer_id, event.initiative_id, event.status, "
        "firsts.audience_id",
        "SELECT event.date AS day, co.partner_id, 'co_organised' AS role, "
        "event.initiative_id, event.status, firsts.audience_id, COUNT(*) AS counted "
        f"FROM ({FIRST_LINES}) firsts "
        "JOIN indicators_awarenessevent event ON event.id = firsts.event_id "
        "JOIN indicators_awarenessevent_co_organizers co ON co.awarenessevent_id = event.id "
        "GROUP BY event.date, co.partner_id, event.initiative_id, event.status, "
        "firsts.audience_id",
    ],
}


def _month(connection, column):
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def count_first_events(apps, schema_editor):
    """Each audience's row counts the events whose first audience it is; then the rows
    of all audiences go."""
    execute = schema_editor.execute
    for table, _, _, fields in TABLES[:2]:
        key = ("day", *fields, "audience_id")
        counted = " UNION ALL ".join(EVENT_KEYS[table])
        matched = " AND ".join(
            f"{table}.{'date' if name == 'day' else name} = counted.{name}" for name in key
        )
        execute(
            f"UPDATE {table} SET first_events = counted.counted FROM ({counted}) counted "
            f"WHERE {matched}"
        )
    for (daily, *_), (monthly, _, _, fields) in zip(TABLES[:2], TABLES[2:], strict=True):
        month = _month(schema_editor.connection, "date")
        columns = ", ".join((*fields, "audience_id"))
        matched = " AND ".join(
            f"{monthly}.{name} = rolled.{name}" for name in ("month", *fields, "audience_id")
        )
        execute(
            f"UPDATE {monthly} SET first_events = rolled.counted FROM ("
            f"SELECT {month} AS month, {columns}, SUM(first_events) AS counted FROM {daily} "
            f"WHERE audience_id IS NOT NULL GROUP BY {month}, {columns}) rolled "
            f"WHERE {matched}"
        )
    for table, *_ in TABLES:
        execute(f"DELETE FROM {table} WHERE audience_id IS NULL")
    _check_now(schema_editor)


def _check_now(schema_editor):
    """The rows' foreign key checks, deferred to the commit, would forbid altering
    and indexing the tables in this transaction (PostgreSQL): run them now."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def add_rows_of_all_audiences(apps, schema_editor):
    """Back: the rows of all audiences again, the sums of every audience's rows (the
    events, those of their first audience's)."""
    for table, _, _, fields in TABLES:
        date = "month" if "monthly" in table else "date"
        columns = ", ".join((date, *fields))
        schema_editor.execute(
            f"INSERT INTO {table} ({columns}, audience_id, events, first_events, people, "
            f"women, known) SELECT {columns}, NULL, SUM(first_events), 0, SUM(people), "
            f"SUM(women), SUM(known) FROM {table} GROUP BY {columns}"
        )
    _check_now(schema_editor)


def _audience():
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="initiatives.audience",
    )


def _initiative():
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="initiatives.initiative",
    )


def _key_fields(table, fields):
    date = "month" if "monthly" in table else "date"
    return (date, *(name.removesuffix("_id") for name in fields), "audience")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0022_plausible_event_dates"),
        ("initiatives", "0004_plan_territory"),
        ("partners", "0004_partner_territories"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model,
                name="first_events",
                field=models.IntegerField(
                    default=0, verbose_name="actions dont c'est le premier public"
                ),
                preserve_default=False,
            )
            for _, _, model, _ in TABLES
        ),
        *(
            migrations.RemoveConstraint(model_name=model, name=f"{prefix}_{kind}_key")
            for _, prefix, model, _ in TABLES
            for kind in ("all_audiences", "audience")
        ),
        migrations.RemoveIndex(model_name="dailyfigures", name="daily_totals_idx"),
        migrations.RemoveIndex(model_name="monthlyfigures", name="monthly_totals_idx"),
        migrations.RemoveIndex(model_name="monthlyfigures", name="monthly_audiences_idx"),
        # Back, after the audience may be empty again and the partial keys are back.
        migrations.RunPython(count_first_events, add_rows_of_all_audiences),
        *(
            migrations.AlterField(model_name=model, name="audience", field=_audience())
            for _, _, model, _ in TABLES
        ),
        migrations.AlterField(model_name="dailyfigures", name="initiative", field=_initiative()),
        migrations.AlterField(model_name="monthlyfigures", name="initiative", field=_initiative()),
        migrations.AddIndex(
            model_name="dailyfigures",
            index=models.Index(
                fields=["initiative", "status", "date"],
                include=("format", "audience", *SUMMED),
                name="daily_totals_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="monthlyfigures",
            index=models.Index(
                fields=["initiative", "status", "month"],
                include=("format", "audience", *SUMMED),
                name="monthly_totals_idx",
            ),
        ),
        *(
            migrations.AddConstraint(
                model_name=model,
                constraint=models.UniqueConstraint(
                    fields=_key_fields(table, fields),
                    name=f"{prefix}_key",
                    violation_error_message=MESSAGES[prefix],
                ),
            )
            for table, prefix, model, fields in TABLES
        ),
    ]
