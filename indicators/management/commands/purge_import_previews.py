from django.core.management.base import BaseCommand

from indicators.models import ImportPreview


class Command(BaseCommand):
    help = (
        "Efface les fichiers d'import déposés depuis plus d'une heure et jamais confirmés "
        "(chaque dépôt le fait déjà ; la nuit, pour ceux que personne ne suit)."
    )

    def handle(self, *args, **options):
        deleted, _ = ImportPreview.objects.expired().delete()
        self.stdout.write(f"Fichiers d'import expirés effacés : {deleted}.")
