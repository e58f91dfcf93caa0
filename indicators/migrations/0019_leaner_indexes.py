"""Foreign keys' indexes that another index already serves, or that index what is
never looked up, replaced by nothing or by leaner ones (issue 18: seed_demo builds
each of them at 10M events). The fields only change in Django's state: in the
database, their indexes are dropped by name, without the drop and re-check of each
foreign key that AlterField would run on the whole table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column) of each index dropped: Django named it after them.
DROPPED = [
    ("indicators_audiencecount", "event_id"),
    ("indicators_awarenessevent", "created_by_id"),
    ("indicators_awarenessevent", "official_commune_id"),
    ("indicators_awarenessevent", "updated_by_id"),
    ("indicators_awarenessevent", "validated_by_id"),
    ("indicators_partnerdailyfigures", "partner_id"),
    ("indicators_venuemonth", "venue_id"),
]


def _names(schema_editor, table, column):
    name = schema_editor._create_index_name(table, [column])
    if schema_editor.connection.vendor == "postgresql" and column == "official_commune_id":
        return [name, schema_editor._create_index_name(table, [column], suffix="_like")]
    return [name]


def drop_indexes(apps, schema_editor):
    for table, column in DROPPED:
        for name in _names(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column in DROPPED:
        name, *like = _names(schema_editor, table, column)
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")
        for name in like:
            schema_editor.execute(
                f"CREATE INDEX {quote(name)} ON {quote(table)} "
                f"({quote(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("geography", "0003_commune_epci_index"),
        ("indicators", "0018_territory_figure_indexes"),
        ("initiatives", "0004_plan_territory"),
        ("partners", "0004_partner_territories"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="audiencecount",
                    name="event",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="counts",
                        to="indicators.awarenessevent",
                        verbose_name="action de sensibilisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="awarenessevent",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="créée par",
                    ),
                ),
                migrations.AlterField(
                    model_name="awarenessevent",
                    name="official_commune",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text=(
                            "Tapez le nom ou le code postal de la commune, "
                            "puis choisissez-la dans la liste."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="geography.commune",
                        verbose_name="commune",
                    ),
                ),
                migrations.AlterField(
                    model_name="awarenessevent",
                    name="updated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="modifiée par",
                    ),
                ),
                migrations.AlterField(
                    model_name="awarenessevent",
                    name="validated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="validée par",
                    ),
                ),
                migrations.AlterField(
                    model_name="partnerdailyfigures",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="venuemonth",
                    name="venue",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="indicators.venue",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
        migrations.AddIndex(
            model_name="awarenessevent",
            index=models.Index(fields=["official_commune"], name="event_official_commune_idx"),
        ),
        migrations.AddIndex(
            model_name="awarenessevent",
            index=models.Index(
                condition=models.Q(("validated_by__isnull", False)),
                fields=["validated_by"],
                name="event_validated_by_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="awarenessevent",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="event_created_by_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="awarenessevent",
            index=models.Index(
                condition=models.Q(("updated_by__isnull", False)),
                fields=["updated_by"],
                name="event_updated_by_idx",
            ),
        ),
    ]
