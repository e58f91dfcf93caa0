import django.db.models.deletion
from django.db import migrations, models

# The credits of every event, in one statement each (see indicators.credits), written
# before the tables' indexes are built: each index is then built once, sorted, instead
# of growing row by row.
FILL = [
    """
    INSERT INTO indicators_creditedcoorganizer (event_id, partner_id, co_organizer_id)
    SELECT c.event_id, c.partner_id, l.partner_id
    FROM (
        SELECT e.id AS event_id, e.organizer_id AS partner_id FROM indicators_awarenessevent e
        UNION ALL
        SELECT l.awarenessevent_id, l.partner_id
        FROM indicators_awarenessevent_co_organizers l
        JOIN indicators_awarenessevent e ON e.id = l.awarenessevent_id
        WHERE l.partner_id <> e.organizer_id
    ) c
    JOIN indicators_awarenessevent_co_organizers l ON l.awarenessevent_id = c.event_id
    """,
    """
    INSERT INTO indicators_eventcredit (event_id, partner_id, date, organizer_id)
    SELECT e.id, e.organizer_id, e.date, e.organizer_id FROM indicators_awarenessevent e
    UNION ALL
    SELECT e.id, l.partner_id, e.date, e.organizer_id
    FROM indicators_awarenessevent e
    JOIN indicators_awarenessevent_co_organizers l ON l.awarenessevent_id = e.id
    WHERE l.partner_id <> e.organizer_id
    """,
]


def fill(apps, schema_editor):
    for statement in FILL:
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        # The rows' foreign key checks, deferred to the commit, would forbid building
        # the indexes below in this transaction: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")
        # The partners' lists are planned, and their events counted, with the
        # statistics of the new tables.
        schema_editor.execute("ANALYZE indicators_eventcredit, indicators_creditedcoorganizer")


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0013_monthly_figures'),
        ('partners', '0003_text_refuses_control_characters'),
    ]

    operations = [
        migrations.CreateModel(
            name='CreditedCoOrganizer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('co_organizer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner', verbose_name='co-organisateur')),
                ('event', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='indicators.awarenessevent', verbose_name='action de sensibilisation')),
                ('partner', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner', verbose_name='partenaire crédité')),
            ],
            options={
                'verbose_name': "co-organisateur d'une action créditée",
                'verbose_name_plural': 'co-organisateurs des actions créditées',
            },
        ),
        migrations.CreateModel(
            name='EventCredit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name="date de l'action")),
                ('event', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='credits', to='indicators.awarenessevent', verbose_name='action de sensibilisation')),
                ('organizer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner', verbose_name='partenaire organisateur')),
                ('partner', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner', verbose_name='partenaire crédité')),
            ],
            options={
                'verbose_name': "crédit d'une action à un partenaire",
                'verbose_name_plural': 'crédits des actions aux partenaires',
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='creditedcoorganizer',
            name='partner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner', verbose_name='partenaire crédité'),
        ),
        migrations.AddConstraint(
            model_name='creditedcoorganizer',
            constraint=models.UniqueConstraint(fields=('event', 'partner', 'co_organizer'), name='credited_co_organizer_once', violation_error_message='Ce co-organisateur est déjà noté pour cette action.'),
        ),
        migrations.AddIndex(
            model_name='creditedcoorganizer',
            index=models.Index(fields=['co_organizer', 'partner'], name='credited_co_organizer_idx'),
        ),
        migrations.AddConstraint(
            model_name='eventcredit',
            constraint=models.UniqueConstraint(fields=('event', 'partner'), name='credit_once_per_event_and_partner', violation_error_message='Cette action est déjà créditée à ce partenaire.'),
        ),
        migrations.AddIndex(
            model_name='eventcredit',
            index=models.Index(fields=['partner', 'date', 'event'], name='credit_partner_date_idx'),
        ),
        migrations.AddIndex(
            model_name='eventcredit',
            index=models.Index(fields=['organizer', 'partner'], name='credit_organizer_idx'),
        ),
    ]
