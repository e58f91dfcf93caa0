from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from feminisation.cache import invalidate_public_pages
from feminisation.formatting import counted, noun, number
from geography import datafile
from geography.departments import DEPARTMENTS
from geography.models import Commune


class Command(BaseCommand):
    help = (
        "Charge les communes officielles de France du fichier geography/data/communes.csv "
        "(crée les nouvelles, met à jour celles qui ont changé), puis rattache à leur "
        "commune les actions dont la commune, saisie en texte libre, en nomme une seule. "
        "Sans risque si relancée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=datafile.PATH, help="Un autre fichier de communes (CSV)."
        )
        parser.add_argument(
            "--departments",
            nargs="+",
            metavar="CODE",
            help=(
                "Ne charger que les communes de ces départements, par exemple « 59 62 » "
                "(toute la France par défaut)."
            ),
        )

    def handle(self, *args, file, departments, **options):
        # The one place geography reaches into the events: after the load, link them.
        from indicators import communes

        unknown = sorted(set(departments or ()) - set(DEPARTMENTS))
        if unknown:
            raise CommandError(
                f"Département inconnu : {', '.join(unknown)}. Écrivez son code, par exemple "
                "59, 2A ou 974."
            )
        try:
            loaded = datafile.read(file, departments)
        except datafile.DataFileError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            created, updated = Commune.objects.upsert(loaded)
            if created or updated:
                # The territory's page shows the communes' populations and EPCIs.
                invalidate_public_pages()
        unchanged = len(loaded) - created - updated
        self.stdout.write(
            f"Communes : {counted(created, 'créée', 'créées')}, "
            f"{counted(updated, 'mise à jour', 'mises à jour')}, "
            f"{counted(unchanged, 'inchangée', 'inchangées')}."
        )
        linked = communes.link_events()
        left = communes.names_to_link()
        events_left = sum(name["events"] for name in left)
        message = f"Actions rattachées à leur commune : {number(linked)}."
        if events_left:
            message += (
                f" {noun(events_left, 'Reste', 'Restent')} "
                f"{counted(events_left, 'action', 'actions')} à rattacher à la main "
                f"({counted(len(left), 'nom', 'noms')} de commune "
                f"{noun(len(left), 'inconnu', 'inconnus')} ou "
                f"{noun(len(left), 'ambigu', 'ambigus')}) : voir « Communes à rattacher » "
                "dans le tableau de suivi."
            )
        self.stdout.write(message)
