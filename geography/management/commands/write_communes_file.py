from django.core.management.base import BaseCommand, CommandError

from feminisation.formatting import counted, noun
from geography import datafile


class Command(BaseCommand):
    help = (
        "Écrit geography/data/communes.csv, les communes de tous les départements, à "
        "partir du paquet npm "
        "@etalab/decoupage-administratif décompressé (le dossier qui contient "
        "package.json et data/) : lancé par `make communes`."
    )

    def add_arguments(self, parser):
        parser.add_argument("package_dir", help="Dossier « package » du paquet décompressé.")

    def handle(self, package_dir, **options):
        try:
            rows, version = datafile.rows_from_package(package_dir)
        except datafile.DataFileError as error:
            raise CommandError(str(error)) from error
        if not rows:
            raise CommandError(
                "Le paquet ne contient aucune commune d'un département : fichier inchangé."
            )
        datafile.write(rows)
        datafile.record_version(version)
        written = noun(len(rows), "écrite", "écrites")
        self.stdout.write(
            f"{counted(len(rows), 'commune', 'communes')} {written} dans "
            f"{datafile.PATH.relative_to(datafile.DATA_DIR.parent.parent)} "
            f"(@etalab/decoupage-administratif {version})."
        )
