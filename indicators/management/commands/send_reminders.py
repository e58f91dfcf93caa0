from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feminisation import emails
from feminisation.formatting import counted
from indicators.notifications import reminders


class Command(BaseCommand):
    help = (
        "Envoie à chaque compte le récapitulatif de ce qui l'attend (à lancer chaque semaine, "
        "par cron) : aux partenaires leurs actions à corriger, leurs brouillons et leurs "
        "actions passées sans chiffres ; à l'équipe du territoire les actions à valider. "
        "Personne ne reçoit de courriel quand rien ne l'attend, ni quand il l'a désactivé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche qui recevrait quoi, sans rien envoyer.",
        )

    def handle(self, *args, dry_run=False, **options):
        found = reminders.reminders(timezone.localdate())
        if not found:
            self.stdout.write("Rien n'attend personne : aucun courriel à envoyer.")
            return
        for reminder in found:
            account = reminder.account
            self.stdout.write(f"{account.get_username()} <{account.email}> : {reminder.summary}.")
        total = counted(len(found), "courriel", "courriels")
        if dry_run:
            self.stdout.write(f"Essai : {total} à envoyer, aucun envoyé.")
            return
        sent = emails.send_all([reminder.email() for reminder in found])
        if failed := len(found) - sent:
            could_not = "n'a pas pu être envoyé" if failed == 1 else "n'ont pas pu être envoyés"
            raise CommandError(
                f"{counted(failed, 'courriel', 'courriels')} sur {len(found)} {could_not} : le "
                "journal dit pourquoi (réglage EMAIL_URL, serveur de courriel)."
            )
        self.stdout.write(f"{total} envoyé{'s' if sent > 1 else ''}.")
