"""The stored figures of a database upgraded from before they existed.

Migrations indicators.0005 (the figures' tables) and 0010 (their unique keys) cannot
sum the events themselves: the application's code of today writes tables and
columns that later migrations create. They leave the tables empty instead, and the
figures are summed here, after `migrate`, once every migration is applied."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from feminisation.cache import invalidate_public_pages
from indicators.figures import store
from indicators.models import AudienceCount, DailyFigures


def never_summed():
    """Whether events have count lines but no stored figure: what 0005 leaves of a
    database that had events, or 0010 of one whose figures were doubled."""
    return AudienceCount.objects.exists() and not DailyFigures.objects.exists()


def sum_after_migrate(sender, using, plan=None, stdout=None, **kwargs):
    """post_migrate: sums every figure of a database upgraded from before they
    existed. Only after a `migrate` that applied migrations forwards and left none
    to apply (not after `flush`, whose tables are empty, nor to an earlier state,
    whose tables today's code does not know)."""
    if using != DEFAULT_DB_ALIAS or not plan or any(backwards for _, backwards in plan):
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()) or not never_summed():
        return
    store.rebuild_all()
    invalidate_public_pages()  # pages cached without the figures
    if stdout is not None:
        stdout.write(
            "Chiffres stockés (par jour, par mois, par lieu) additionnés depuis les actions."
        )
