"""The tables the managers export: people reached per period (and per initiative
and audience, against the targets), and each partner's year; and the open data's
list of events with their figures."""

import datetime
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncYear

from indicators.figures.scope import Figures, figures_of, source
from indicators.figures.stats import UNPUBLISHED_PARTNER, _as_date, _credited_in
from indicators.models import AwarenessEvent, Target
from territories.models import alphabetical_key

ROWS_PER_FETCH = 2000

PERIODS = {"mois": TruncMonth, "trimestre": TruncQuarter, "annee": TruncYear}


@dataclass(frozen=True)
class TableRow(Figures):
    """One row of the counts table: a period, and the initiative and/or audience
    it is broken down by (None when not broken down)."""

    period: datetime.date = None
    initiative: tuple = None  # (id, number, title)
    audience: tuple = None  # (id, name)
    events: int = 0
    target: object = None
    # The territory's id, when broken down by territory.
    territory: int = None
    # Whether the row holds its whole year (a yearly row of a period that does not
    # cut it): only then are its people measured against the year's target, as the
    # dashboard measures them over the whole year.
    whole_year: bool = False

    @property
    def progress(self):
        """The year's people over its target; None without one, or for a row that
        holds only part of its year."""
        if not (self.target and self.whole_year):
            return None
        return self.people / self.target.people


def counts_table(scope, period, by_initiative=False, by_audience=False, *, by_territory=False):
    """People reached per period (« mois », « trimestre », « annee »), optionally per
    territory (for a scope of several plans: the national open data), initiative
    and/or audience; on yearly rows, the target of exactly that scope."""
    counted = source(scope, per_audience=by_audience)
    initiative, number, title, territory, territory_name = (
        counted.field(name)
        for name in (
            "initiative",
            "initiative__number",
            "initiative__title",
            "initiative__plan__territory",
            "initiative__plan__territory__name",
        )
    )
    fields, ordering = ["period"], ["period"]
    if by_territory:
        # Ordered below, in French.
        fields += [territory, territory_name]
    if by_initiative:
        fields += [initiative, number, title]
        ordering.append(number)
    if by_audience:
        fields += ["audience", "audience__order", "audience__name"]
        ordering.append("audience__order")
    rows = (
        counted.rows.annotate(period=PERIODS[period](counted.field("date")))
        .values(*fields)
        .annotate(**counted.sums)
        .order_by(*ordering)
    )
    targets = {}
    # The targets are the plan's: never set against one partner's share of it. Of
    # several plans (one a territory), each territory's rows get its own plan's.
    if period == "annee" and not scope.narrowed_to_partners:
        targets = {
            (
                t.plan.territory_id if by_territory else None,
                t.year,
                t.initiative_id,
                t.audience_id,
            ): t
            for t in Target.objects.filter(scope.of_plan("plan")).select_related("plan")
        }
    table = []
    territory_keys = {}
    for row in rows:
        if by_territory and row[territory] not in territory_keys:
            territory_keys[row[territory]] = alphabetical_key(row[territory_name])
        start = _as_date(row["period"])
        initiative_id = row[initiative] if by_initiative else _pk(scope.initiative)
        audience_id = row["audience"] if by_audience else _pk(scope.audience)
        territory_id = row[territory] if by_territory else None
        table.append(
            TableRow(
                period=start,
                initiative=((row[initiative], row[number], row[title]) if by_initiative else None),
                audience=(row["audience"], row["audience__name"]) if by_audience else None,
                events=row["events_sum"],
                target=targets.get((territory_id, start.year, initiative_id, audience_id)),
                territory=territory_id,
                whole_year=period == "annee" and _holds_the_year(scope, start.year),
                **figures_of(row),
            )
        )
    if by_territory:
        # The database's collation puts « Évreux » after « Flandre ». A stable sort:
        # each territory's rows keep their initiatives' and audiences' order.
        table.sort(key=lambda row: (row.period, territory_keys[row.territory], row.territory))
    return table


def _holds_the_year(scope, year):
    return (scope.start is None or scope.start <= datetime.date(year, 1, 1)) and (
        scope.end is None or scope.end >= datetime.date(year, 12, 31)
    )


def _pk(instance):
    return instance.pk if instance is not None else None


@dataclass(frozen=True)
class PartnerYear(Figures):
    year: int = 0
    partner: str = ""
    organised: int = 0
    co_organised: int = 0


def partners_by_year(scope, *, public=True):
    """Per partner and year: events organised, co-organised, and the people they
    reached (see `_credited`; `public` as for `stats.by_partner`)."""
    rows = [
        PartnerYear(year=_as_date(year).year, partner=name, **entry)
        for (year, _, name), entry in _credited_in(
            scope, "year", annotations={"year": TruncYear}, public=public
        ).items()
    ]
    return sorted(rows, key=lambda row: (row.year, row.partner.lower()))


def _public_name(partner):
    """The partner's name, or UNPUBLISHED_PARTNER for an unpublished one (as the
    public list of actions says), in SQL."""
    return Case(
        When(**{f"{partner}__is_public": True}, then=F(f"{partner}__name")),
        default=Value(UNPUBLISHED_PARTNER),
    )


def public_event_rows(scope):
    """Each event of the scope, oldest first, with the public list of actions'
    fields (no contact, note nor account) and its territory's and commune's official
    codes (the commune's EPCI SIREN and INSEE code): its people, women and girls, and people
    whose sex is known (the scope's audience's only, when one is chosen), and
    `organisers`, the organiser's then the co-organisers' public names, an
    unpublished partner named once. Two streamed queries, however many events."""
    events = scope.events()
    lines = Q(counts__audience=scope.audience) if scope.audience is not None else Q()
    rows = (
        events.order_by("date", "pk")
        .values(
            "pk",
            "date",
            "title",
            "format",
            "commune",
            commune_code=F("official_commune"),
            epci_siren=F("official_commune__epci_siren"),
            territory_name=F("initiative__plan__territory__name"),
            territory_slug=F("initiative__plan__territory__slug"),
            initiative_title=F("initiative__title"),
            organizer_name=_public_name("organizer"),
        )
        .annotate(
            people=Coalesce(Sum("counts__people", filter=lines), 0),
            women=Sum("counts__women", filter=lines),
            known=Coalesce(Sum("counts__people", filter=lines & Q(counts__women__isnull=False)), 0),
        )
        .iterator(chunk_size=ROWS_PER_FETCH)
    )
    # In the events' order, read in step with them.
    co_organisers = groupby(
        AwarenessEvent.co_organizers.through.objects.filter(awarenessevent__in=events)
        .order_by("awarenessevent__date", "awarenessevent", "partner__name")
        .values_list("awarenessevent", _public_name("partner"))
        .iterator(chunk_size=ROWS_PER_FETCH),
        key=itemgetter(0),
    )
    pending = next(co_organisers, None)
    for row in rows:
        names = [row["organizer_name"]]
        if pending is not None and pending[0] == row["pk"]:
            names += [name for _, name in pending[1]]
            pending = next(co_organisers, None)
        row["organisers"] = list(dict.fromkeys(names))
        yield row
