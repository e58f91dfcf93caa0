import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from feminisation.cache import invalidate_public_pages
from feminisation.formatting import number
from geography.models import Commune
from indicators import demo
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import AudienceCount, AwarenessEvent
from initiatives.models import ActionPlan

MAX_EVENTS = 1_000_000
MAX_DAYS = 3660
BATCH_SIZE = 2000
NOTES = "Action fictive, générée pour la démonstration par la commande seed_demo."


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
            help="Ne rien faire si une action de sensibilisation existe déjà.",
        )

    def handle(self, *args, **options):
        count = _integer(options["events"], "--events", 1, MAX_EVENTS)
        seed = _integer(options["seed"], "--seed", 0, 2**63)
        days = _integer(options["days"], "--days", 1, MAX_DAYS)
        end = _date(options["end"]) if options["end"] else timezone.localdate()
        start = end - datetime.timedelta(days=days - 1)

        if options["if_empty"] and AwarenessEvent.objects.exists():
            self.stdout.write(
                "Des actions de sensibilisation existent déjà : aucune action n'a été générée."
            )
            return

        plan = ActionPlan.objects.current()
        if plan is None:
            raise CommandError(
                "Aucun plan d'action publié : lancez d'abord « manage.py load_plan »."
            )
        initiatives = _sources(plan)
        if not demo.usable(initiatives):
            raise CommandError(
                f"Le plan « {plan} » n'a aucune initiative avec un partenaire pilote et un "
                "public cible : impossible d'y rattacher des actions."
            )

        drafts = demo.generate(initiatives, count, start, end, seed)
        with transaction.atomic():
            lines = _insert(drafts)
            store.refresh_days({draft.date for draft in drafts})
        # Bulk inserts send no signal: the cached public pages must be dropped here.
        invalidate_public_pages()

        self.stdout.write(
            f"{_number(count)} actions de sensibilisation validées créées "
            f"({_number(lines)} lignes de comptage), du {start:%d/%m/%Y} au {end:%d/%m/%Y}."
        )


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


def _insert(drafts):
    """Bulk-inserts the events, their count lines and co-organisers; returns the
    number of count lines. The events are linked to their official communes when
    `load_communes` has loaded them."""
    loaded = set(
        Commune.objects.filter(pk__in=set(demo.COMMUNE_CODES.values())).values_list("pk", flat=True)
    )
    events = AwarenessEvent.objects.bulk_create(
        [
            AwarenessEvent(
                initiative_id=draft.initiative_pk,
                date=draft.date,
                title=draft.title,
                format=draft.format,
                venue_name=draft.venue_name,
                commune=draft.commune,
                official_commune_id=draft.commune_code if draft.commune_code in loaded else None,
                organizer_id=draft.organizer_pk,
                status=EventStatus.VALIDATED,
                notes=NOTES,
            )
            for draft in drafts
        ],
        batch_size=BATCH_SIZE,
    )
    lines = AudienceCount.objects.bulk_create(
        [
            AudienceCount(event_id=event.pk, audience_id=audience, people=people, women=women)
            for event, draft in zip(events, drafts, strict=True)
            for audience, people, women in draft.lines
        ],
        batch_size=BATCH_SIZE,
    )
    CoOrganizer = AwarenessEvent.co_organizers.through
    CoOrganizer.objects.bulk_create(
        [
            CoOrganizer(awarenessevent_id=event.pk, partner_id=partner)
            for event, draft in zip(events, drafts, strict=True)
            for partner in draft.co_organizer_pks
        ],
        batch_size=BATCH_SIZE,
    )
    return len(lines)


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
    if not 2000 <= date.year <= 2100:
        raise CommandError(f"--end doit tomber entre 2000 et 2100, pas le {date:%d/%m/%Y}.")
    return date


def _number(value):
    """12 345, with the narrow no-break space French typography puts between thousands."""
    return number(value)
