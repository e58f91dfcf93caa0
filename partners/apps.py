from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partenaires"

    def ready(self):
        from feminisation import cache
        from partners.models import Contact, Partner

        # Partners and their public contacts are on the public pages.
        cache.watch(Partner, Contact)
