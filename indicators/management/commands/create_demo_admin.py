import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Pour « make run » uniquement : crée le superutilisateur de démonstration « admin » "
        "(ou réinitialise son mot de passe) et affiche son mot de passe. Refuse de s'exécuter "
        "sans DEBUG ou hors de la base SQLite de développement."
    )

    def handle(self, *args, **options):
        # A known account with a printed password must never reach a real database.
        if not settings.DEBUG:
            raise CommandError(
                "create_demo_admin est réservée au développement : elle refuse de s'exécuter "
                "quand DEBUG est désactivé. Pour un vrai compte, utilisez « manage.py "
                "createsuperuser »."
            )
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        if vendor != "sqlite":
            raise CommandError(
                "create_demo_admin ne s'exécute que sur la base SQLite de développement, pas "
                f"sur une base {vendor}. Pour un vrai compte, utilisez « manage.py "
                "createsuperuser »."
            )

        password = secrets.token_urlsafe(12)
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: USERNAME}).first()
        if user is None:
            User.objects.create_superuser(**{User.USERNAME_FIELD: USERNAME}, password=password)
        else:
            user.set_password(password)
            user.is_active = user.is_staff = user.is_superuser = True
            user.save()
        self.stdout.write(
            f"Compte de démonstration : identifiant « {USERNAME} », mot de passe "
            f"« {password} » — http://127.0.0.1:8000/admin/"
        )
