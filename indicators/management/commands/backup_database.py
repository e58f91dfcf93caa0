from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from feminisation import backups


class Command(BaseCommand):
    help = (
        "Sauvegarde toute la base de données dans un fichier daté : pg_dump (format custom) "
        "pour PostgreSQL, copie cohérente pour SQLite, lisible par son seul propriétaire "
        "(0600) dans un dossier qui lui est réservé (0700). C'est « make backup »."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(settings.BASE_DIR / "backups"),
            help="Dossier où écrire la sauvegarde (par défaut : backups/).",
        )

    def handle(self, *args, output_dir, **options):
        database = connections[DEFAULT_DB_ALIAS].settings_dict
        try:
            path, warnings = backups.back_up(database, output_dir, timezone.localtime())
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        for warning in warnings:
            self.stderr.write(warning, style_func=self.style.WARNING)
        self.stdout.write(f"Sauvegarde écrite : {path}")
