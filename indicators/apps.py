from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicateurs"

    def ready(self):
        from feminisation.cache import connect_invalidation
        from indicators import daily

        connect_invalidation()
        daily.connect()
