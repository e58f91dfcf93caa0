from django.core.management.base import BaseCommand, CommandError

from feminisation.cache import invalidate_public_pages
from feminisation.formatting import number
from indicators.figures import store
from indicators.models import (
    DailyFigures,
    MonthlyFigures,
    PartnerDailyFigures,
    PartnerMonthlyFigures,
)

SHOWN_DAYS = 20


class Command(BaseCommand):
    help = (
        "Vérifie que les chiffres par jour et par mois (lus par le tableau de bord et les "
        "exports) sont égaux aux sommes des lignes de comptage des actions ; avec --reparer, "
        "recalcule les jours et les mois en écart."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reparer",
            action="store_true",
            help="Recalcule depuis les actions les jours en écart et les lieux manquants.",
        )

    def handle(self, *args, reparer=False, **options):
        differ = store.days_that_differ()
        missing = store.venues_missing()
        rows = sum(
            model.objects.count()
            for model in (DailyFigures, PartnerDailyFigures, MonthlyFigures, PartnerMonthlyFigures)
        )
        if not differ and not missing:
            rows = number(rows)
            self.stdout.write(
                f"Chiffres conformes : les {rows} lignes de chiffres par jour et par mois sont "
                "égales aux sommes des actions, et chaque lieu d'action est connu."
            )
            return
        problems = []
        if differ:
            shown = ", ".join(f"{day:%d/%m/%Y}" for day in differ[:SHOWN_DAYS])
            more = f" et {len(differ) - SHOWN_DAYS} autres" if len(differ) > SHOWN_DAYS else ""
            problems.append(
                f"{len(differ)} jour(s) dont les chiffres diffèrent des actions (le 1er du mois "
                f"pour les chiffres d'un mois) : {shown}{more}."
            )
        if missing:
            problems.append(f"{missing} lieu(x) d'action absent(s) de la liste des lieux.")
        if not reparer:
            raise CommandError(
                "Écart trouvé. "
                + " ".join(problems)
                + " Lancez « manage.py check_figures --reparer » pour les recalculer."
            )
        store.refresh_days(differ)
        if missing:
            store.add_missing_venues()
        invalidate_public_pages()  # pages cached with the wrong figures
        self.stdout.write("Réparé. " + " ".join(problems) + " Recalculés depuis les actions.")
        if store.days_that_differ() or store.venues_missing():
            raise CommandError("Des écarts demeurent après la réparation : signalez-le.")
