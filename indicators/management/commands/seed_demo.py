import datetime
import gc
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from feminisation.cache import invalidate_public_pages
from feminisation.formatting import number
from geography.models import Commune
from indicators import demo, demo_figures, demo_writes
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import AwarenessEvent
from indicators.models.events import FIRST_DATE, LAST_DATE
from initiatives.models import ActionPlan
from territories import demo as demo_territories

MAX_EVENTS = 10_000_000
MAX_DAYS = 3660
# Events generated and written at a time: memory stays flat whatever --events.
BATCH_SIZE = 10_000


class Command(BaseCommand):
    help = (
        "Génère des actions de sensibilisation validées, fictives mais plausibles, pour le "
        "plan d'action publié (à lancer après load_plan). Même graine et même date de fin : "
        "mêmes actions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--events", default=400, help="Nombre d'actions à créer (400 par défaut)."
        )
        parser.add_argument("--seed", default=0, help="Graine du générateur (0 par défaut).")
        parser.add_argument(
            "--end",
            help="Dernier jour de la période, au format AAAA-MM-JJ (aujourd'hui par défaut).",
        )
        parser.add_argument(
            "--days", default=365, help="Durée de la période en jours (365 par défaut)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Ne générer d'actions que pour les territoires qui n'en ont encore aucune "
                "(ceux que --territories ajoute, par exemple) : rien si chacun en a."
            ),
        )
        parser.add_argument(
            "--territories",
            default=1,
            help=(
                "Nombre de territoires de l'instance (1 par défaut) : ceux qui manquent sont "
                "créés, avec leur plan, leurs partenaires et leurs objectifs, à partir de "
                "vraies intercommunalités ; les actions sont réparties entre tous."
            ),
        )

    def handle(self, *args, **options):
        count = _integer(options["events"], "--events", 1, MAX_EVENTS)
        seed = _integer(options["seed"], "--seed", 0, 2**63)
        days = _integer(options["days"], "--days", 1, MAX_DAYS)
        territories = _integer(
            options["territories"], "--territories", 1, demo_territories.MAX_TERRITORIES
        )
        end = _date(options["end"]) if options["end"] else timezone.localdate()
        start = end - datetime.timedelta(days=days - 1)
        if start < FIRST_DATE:
            raise CommandError(
                f"La période commencerait le {start:%d/%m/%Y}, avant {FIRST_DATE.year} : "
                "réduisez --days ou choisissez un --end plus tardif."
            )

        plan = ActionPlan.objects.current()
        if plan is None:
            raise CommandError(
                "Aucun plan d'action publié : lancez d'abord « manage.py load_plan »."
            )
        if added := demo_territories.missing(territories):
            years = range(start.year, end.year + 1)
            created = demo_territories.create(added, seed, years, count * 365 / days)
            self.stdout.write(f"Territoires de démonstration créés : {_number(len(created))}.")
        plans = demo_territories.current_plans()
        if options["if_empty"]:
            # The events asked for are the whole instance's: the territories without
            # any get their share of them.
            every = len(plans)
            plans = demo_territories.without_events(plans)
            if not plans:
                self.stdout.write(
                    "Des actions de sensibilisation existent déjà : aucune action n'a été générée."
                )
                return
            count = max(1, count * len(plans) // every)
        initiatives = demo_territories.sources(plans, _sources)
        if not demo.usable(initiatives):
            raise CommandError(
                f"Le plan « {plan} » n'a aucune initiative avec un partenaire pilote et un "
                "public cible : impossible d'y rattacher des actions."
            )

        draw = demo.Draw(initiatives, count, start, end, seed, BATCH_SIZE)
        with _no_cycle_collection(), transaction.atomic():
            fresh = not AwarenessEvent.objects.exists()
            if connection.vendor == "postgresql":
                # Into a database without events, the figures are summed as the
                # events are drawn (indicators/demo_figures.py).
                figures = demo_figures.DemoFigures(EventStatus.VALIDATED) if fresh else None
                with demo_writes.foreign_keys_checked_at_the_end(fresh):
                    with demo_writes.indexes_built_at_the_end(fresh):
                        days, lines = demo_writes.copy(draw, count, _loaded_communes(), figures)
                    _figures(fresh, days, summed=figures is not None)
            else:
                days, lines = demo_writes.create(draw.batches(), count, _loaded_communes())
                _figures(fresh, days)
        # Bulk inserts send no signal: the cached public pages must be dropped here.
        invalidate_public_pages()

        self.stdout.write(
            f"{_number(count)} actions de sensibilisation validées créées "
            f"({_number(lines)} lignes de comptage), du {start:%d/%m/%Y} au {end:%d/%m/%Y}."
        )


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused: the batches being drawn and the figures
    being summed are hundreds of thousands of live tuples and lists that it walked
    again and again, for two thirds of the drawing's time. They form no cycle: their
    reference counts free them, memory stays flat."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sources(plan):
    initiatives = plan.initiatives.order_by("number").prefetch_related(
        "lead_partners", "associated_partners", "audiences"
    )

    def pairs(objects):
        return tuple(sorted(((o.pk, o.slug) for o in objects), key=lambda pair: pair[1]))

    return [
        demo.InitiativeSource(
            pk=initiative.pk,
            slug=initiative.slug,
            title=initiative.title,
            leads=pairs(initiative.lead_partners.all()),
            associated=pairs(initiative.associated_partners.all()),
            audiences=tuple(
                (a.pk, a.slug)
                for a in sorted(initiative.audiences.all(), key=lambda a: (a.order, a.slug))
            ),
        )
        for initiative in initiatives
    ]


def _figures(fresh, days, summed=False):
    """The stored figures of the new events, unless they were summed as they were
    drawn: summed from the events, with statistics that know the tables' new size."""
    _analyze(*demo_writes.WRITTEN)
    if not summed:
        # One pass over every event beats refreshing each of ten years of days.
        if fresh:
            store.rebuild_all()
        else:
            store.refresh_days(days)
    _analyze(*demo_writes.FIGURES)


def _loaded_communes():
    """The communes that `load_communes` has loaded (35,000 codes at most): the
    events are linked to those."""
    return set(Commune.objects.values_list("pk", flat=True))


def _analyze(*models):
    """Fresh statistics for the tables just written (PostgreSQL): the figures are
    summed, and the pages then read, with plans fit for their new size."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = ", ".join(quote(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _integer(value, option, minimum, maximum):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CommandError(f"{option} attend un nombre entier, pas « {value} ».") from None
    if not minimum <= number <= maximum:
        raise CommandError(
            f"{option} doit être compris entre {_number(minimum)} et {_number(maximum)} "
            f"(reçu : {_number(number)})."
        )
    return number


def _date(value):
    try:
        date = datetime.datetime.strptime(str(value), "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"--end attend une date valide au format AAAA-MM-JJ, par exemple 2025-06-30, "
            f"pas « {value} »."
        ) from None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise CommandError(
            f"--end doit tomber entre {FIRST_DATE.year} et {LAST_DATE.year}, "
            f"pas le {date:%d/%m/%Y}."
        )
    return date


def _number(value):
    """12 345, with the narrow no-break space French typography puts between thousands."""
    return number(value)
