"""After 0024 rewrote every credit: PostgreSQL's VACUUM marks their pages visible
to all again, without which a partner's list reads each credit's row besides its
index entry (Elles Bougent's list at 200 territories: 743 ms before, 181 ms after).
Outside a transaction, which VACUUM requires; nothing to do elsewhere."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM ANALYZE indicators_eventcredit")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("indicators", "0024_event_credits_initiative")]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop)]
