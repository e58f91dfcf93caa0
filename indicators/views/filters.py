"""The dashboard's filters, read from the query string: every view of the
dashboard is a shareable URL. A value that cannot be read raises InvalidFilter,
whose message is shown to the visitor (in French) with a 400 status."""

import datetime
import re
from dataclasses import dataclass

from indicators.enums import EventStatus
from indicators.figures.stats import Scope
from initiatives.models import Audience
from partners.models import Partner

PARAMS = ("annee", "du", "au", "initiative", "public")
EXPORT_PARAMS = (*PARAMS, "organisateur", "statut", "par", "selon", "format")
STATUS_CHOICES = {
    "validee": (EventStatus.VALIDATED,),
    "soumise": (EventStatus.SUBMITTED,),
    "a_corriger": (EventStatus.RETURNED,),
    "brouillon": (EventStatus.DRAFT,),
    "toutes": tuple(EventStatus.values),
}
FIRST_YEAR = 2000
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


class InvalidFilter(Exception):
    pass


@dataclass(frozen=True)
class DashboardFilters:
    year: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    initiative: object = None
    audience: object = None
    partner: object = None
    statuses: tuple = (EventStatus.VALIDATED,)

    @property
    def is_filtered(self):
        return any(
            value is not None
            for value in (self.year, self.start, self.end, self.initiative, self.audience)
        )

    @property
    def has_period(self):
        return self.year is not None or self.start is not None or self.end is not None

    def scope(self, plan):
        start, end = self.start, self.end
        if self.year is not None:
            start, end = datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)
        return Scope(
            plan,
            start=start,
            end=end,
            initiative=self.initiative,
            audience=self.audience,
            partner=self.partner,
            statuses=self.statuses,
        )

    def period_label(self):
        if self.year is not None:
            return f"en {self.year}"
        if self.start and self.end:
            return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"
        if self.start:
            return f"depuis le {self.start:%d/%m/%Y}"
        if self.end:
            return f"jusqu'au {self.end:%d/%m/%Y}"
        return "depuis le début du plan"


def _single(query, name):
    values = query.getlist(name)
    if len(values) > 1:
        raise InvalidFilter(f"Le filtre « {name} » est donné plusieurs fois : gardez-en un seul.")
    return values[0].strip() if values else ""


def _date(query, name, label):
    raw = _single(query, name)
    if not raw:
        return None
    try:
        date = datetime.date.fromisoformat(raw)
    except ValueError:
        raise InvalidFilter(
            f"La date {label} « {raw[:40]} » n'est pas valide : utilisez le format "
            "AAAA-MM-JJ, par exemple 2025-09-01."
        ) from None
    if not FIRST_YEAR <= date.year <= 2100:
        raise InvalidFilter(f"La date {label} doit être comprise entre {FIRST_YEAR} et 2100.")
    return date


def parse(query, plan, *, today):
    year_raw = _single(query, "annee")
    year = None
    if year_raw:
        if not (year_raw.isascii() and year_raw.isdigit()) or not (
            FIRST_YEAR <= int(year_raw) <= today.year + 1
        ):
            raise InvalidFilter(
                f"L'année « {year_raw[:40]} » n'est pas valide : choisissez une année entre "
                f"{FIRST_YEAR} et {today.year + 1}."
            )
        year = int(year_raw)
    start = _date(query, "du", "de début")
    end = _date(query, "au", "de fin")
    if year is not None and (start or end):
        raise InvalidFilter("Choisissez soit une année, soit des dates de début et de fin.")
    if start and end and start > end:
        raise InvalidFilter("La date de début doit précéder la date de fin.")

    initiative = None
    if slug := _single(query, "initiative"):
        initiative = _lookup(plan.initiatives, slug)
        if initiative is None:
            raise InvalidFilter(f"Aucune initiative du plan ne correspond à « {slug[:60]} ».")
    audience = None
    if slug := _single(query, "public"):
        audience = _lookup(Audience.objects, slug)
        if audience is None:
            raise InvalidFilter(f"Aucun public cible ne correspond à « {slug[:60]} ».")
    return DashboardFilters(
        year=year, start=start, end=end, initiative=initiative, audience=audience
    )


def _lookup(objects, slug):
    # Checked before the query: PostgreSQL rejects some characters (NUL) outright.
    if not SLUG.fullmatch(slug):
        return None
    return objects.filter(slug=slug).first()


@dataclass(frozen=True)
class ExportRequest:
    filters: DashboardFilters
    period: str = "mois"
    by_initiative: bool = False
    by_audience: bool = False
    dialect: str = "excel"


def parse_export(query, plan, *, today):
    """The export page's filters: the dashboard's, plus the organising partner, the
    events' status, the counts' period and breakdown, and the CSV dialect."""
    chosen = parse(query, plan, today=today)
    partner = None
    if slug := _single(query, "organisateur"):
        partner = _lookup(Partner.objects, slug)
        if partner is None:
            raise InvalidFilter(f"Aucun partenaire ne correspond à « {slug[:60]} ».")
    status = _single(query, "statut") or "validee"
    if status not in STATUS_CHOICES:
        raise InvalidFilter(
            f"Le statut « {status[:40]} » n'existe pas : choisissez parmi "
            f"{', '.join(STATUS_CHOICES)}."
        )
    period = _single(query, "par") or "mois"
    if period not in ("mois", "trimestre", "annee"):
        raise InvalidFilter(
            f"La période « {period[:40]} » n'existe pas : choisissez mois, trimestre ou annee."
        )
    # « selon » comes as checkboxes (selon=initiative&selon=public) or as one list.
    breakdown = {
        part.strip()
        for value in query.getlist("selon")
        for part in value.split(",")
        if part.strip()
    }
    if unknown := breakdown - {"initiative", "public"}:
        raise InvalidFilter(
            f"Impossible de ventiler selon « {sorted(unknown)[0][:40]} » : choisissez "
            "initiative, public, ou les deux (selon=initiative,public)."
        )
    dialect = _single(query, "format") or "excel"
    if dialect not in ("excel", "csv"):
        raise InvalidFilter(f"Le format « {dialect[:40]} » n'existe pas : choisissez excel ou csv.")
    return ExportRequest(
        filters=DashboardFilters(
            year=chosen.year,
            start=chosen.start,
            end=chosen.end,
            initiative=chosen.initiative,
            audience=chosen.audience,
            partner=partner,
            statuses=STATUS_CHOICES[status],
        ),
        period=period,
        by_initiative="initiative" in breakdown,
        by_audience="public" in breakdown,
        dialect=dialect,
    )
