from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from feminisation import backups
from feminisation.cache import invalidate_public_pages


class Command(BaseCommand):
    help = (
        "Remplace tout le contenu de la base de données par celui d'une sauvegarde faite par "
        "« make backup ». C'est « make restore FILE=… »."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="Le fichier de sauvegarde à restaurer.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ne pas demander de confirmation.",
        )

    def handle(self, *args, backup, interactive, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        if interactive:
            answer = input(
                f"Tout le contenu de la base « {connection.settings_dict['NAME']} » va être "
                f"remplacé par celui de {backup}. Tapez « oui » pour continuer : "
            )
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée.")
        # The restore replaces the file or the tables under this process's feet.
        connection.close()
        try:
            backups.restore(connection.settings_dict, backup)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        # The cached pages show the figures of the database just replaced, and Redis
        # keeps them past the servers' restart.
        invalidate_public_pages()
        self.stdout.write(
            f"Base restaurée depuis {backup}. Lancez « manage.py migrate » si la sauvegarde "
            "vient d'une version plus ancienne de l'application."
        )
