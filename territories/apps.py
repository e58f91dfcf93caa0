from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = "Territoires"

    def ready(self):
        from feminisation import cache
        from territories.models import Epci, Territory

        # A territory's name and area are on its pages, the list and the national page.
        cache.watch(Territory, Epci)
