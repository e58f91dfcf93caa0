from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicateurs"

    def ready(self):
        from feminisation import cache
        from indicators import credits
        from indicators.figures import signals, upgrade
        from indicators.models import AudienceCount, AwarenessEvent, ClosedYear, Target

        # The stored figures (daily, partners', venues) change with these events and
        # lines, which empty the cache already: they are not watched, so their
        # refresh deletes in one statement instead of row by row.
        cache.watch(
            AwarenessEvent,
            AudienceCount,
            Target,
            ClosedYear,
            relations=[AwarenessEvent.co_organizers],
        )
        signals.connect()
        credits.connect()
        post_migrate.connect(upgrade.sum_after_migrate, sender=self)
