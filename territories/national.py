"""The national comparison's columns, declared once: the page's sortable table, its
CSV and XLSX files and the API read the same values (`stats.by_territory`'s rows and
total), and `?tri=` names a column by its key."""

from dataclasses import dataclass

from feminisation import formatting
from geography.models import name_key
from indicators.exports.writer import Column

# `?tri=-personnes`: descending.
DESCENDING = "-"
SIREN_SEPARATOR = " ; "


@dataclass(frozen=True)
class Measure:
    """A column of the comparison: its `?tri=` key, its French header, and its value
    for a territory's row or the national total (None: unknown)."""

    key: str
    header: str
    value: object  # a function of the row
    # Figures are first sorted largest first, names in alphabetical order.
    largest_first: bool = True


def _progress(row):
    return row.progress.share if row.progress is not None else None


MEASURES = [
    Measure("territoire", "Territoire", lambda row: row.territory.name, largest_first=False),
    Measure("region", "Région", lambda row: row.territory.region, largest_first=False),
    Measure("actions", "Actions validées", lambda row: row.totals.events),
    Measure("personnes", "Personnes sensibilisées", lambda row: row.totals.people),
    Measure("femmes", "Part des femmes et des filles", lambda row: row.totals.women_share),
    Measure("habitants", "Population", lambda row: row.population),
    Measure("pour-1000", "Pour 1 000 habitants", lambda row: row.per_thousand),
    Measure("objectif", "Objectif de l'année atteint", _progress),
]
BY_KEY = {measure.key: measure for measure in MEASURES}
DEFAULT_ORDER = ("territoire", False)


def order(tri):
    """(column key, descending) that `?tri=` asks for; the default (by name) for a
    missing or unknown value."""
    if not isinstance(tri, str):
        return DEFAULT_ORDER
    key = tri.removeprefix(DESCENDING)
    if key not in BY_KEY:
        return DEFAULT_ORDER
    return key, tri.startswith(DESCENDING)


def sorted_rows(rows, key, descending):
    """The rows by the column `key`, unknown values last either way, ties by name."""
    measure = BY_KEY[key]

    def sort_key(row):
        value = measure.value(row)
        if isinstance(value, str):
            value = name_key(value)
        return value

    known = [row for row in rows if sort_key(row) is not None]
    unknown = [row for row in rows if sort_key(row) is None]
    by_name = sorted(known, key=lambda row: row.territory.alphabetical_key)
    ordered = sorted(by_name, key=sort_key, reverse=descending)
    return ordered + sorted(unknown, key=lambda row: row.territory.alphabetical_key)


def link_for(key, current_key, descending):
    """The `?tri=` value a column's header links to: the other direction when the
    table is sorted by it, else its first direction."""
    measure = BY_KEY[key]
    reverse = not descending if key == current_key else measure.largest_first
    return f"{DESCENDING if reverse else ''}{key}"


# The CSV and XLSX files: a territory per line, the national total last; shares in
# percent with one decimal, as the managers' exports write them.
FILE_COLUMNS = [
    Column("territoire", lambda row: row.name),
    Column("identifiant", lambda row: row.slug),
    Column("region", lambda row: row.region),
    Column("sirens_epci", lambda row: SIREN_SEPARATOR.join(row.sirens)),
    Column("actions_validees", lambda row: row.totals.events),
    Column("personnes_sensibilisees", lambda row: row.totals.people),
    Column("dont_femmes_ou_filles", lambda row: row.totals.known_women),
    Column("personnes_dont_le_sexe_est_connu", lambda row: row.totals.people_with_known_women),
    Column(
        "part_des_femmes_pourcent", lambda row: formatting.share_percent(row.totals.women_share)
    ),
    Column("population", lambda row: row.population),
    Column("pour_1000_habitants", lambda row: formatting.rate(row.per_thousand)),
    Column("annee_objectif", lambda row: row.year),
    Column("objectif_personnes", lambda row: row.target_people),
    Column("personnes_sensibilisees_dans_l_annee", lambda row: row.reached),
    Column(
        "objectif_atteint_pourcent",
        lambda row: formatting.progress_percent(row.reached, row.target_people),
    ),
]


@dataclass(frozen=True)
class Line:
    """A line of the files and of the API: a territory's row or the national total,
    with the same names (the total's territory fields empty)."""

    name: str
    slug: str
    region: str
    sirens: tuple
    totals: object
    population: int | None
    per_thousand: float | None
    year: int
    target_people: int | None
    reached: int | None
    progress_share: float | None
    url: str = ""


def lines(rows, total, *, url=None):
    """The rows then the total as `Line`s; `url(territory)` gives a territory's site."""
    for row in rows:
        progress = row.progress
        yield Line(
            name=row.territory.name,
            slug=row.territory.slug,
            region=row.territory.region,
            # By SIREN, as the open data writes them (the EPCIs' own order is by name).
            sirens=tuple(sorted(epci.siren for epci in row.territory.epcis.all())),
            totals=row.totals,
            population=row.population,
            per_thousand=row.per_thousand,
            year=total.year,
            target_people=progress.target.people if progress else None,
            reached=progress.reached.people if progress else None,
            progress_share=progress.share if progress else None,
            url=url(row.territory) if url else "",
        )
    yield Line(
        name="Total national",
        slug="",
        region="",
        sirens=(),
        totals=total.totals,
        population=total.population,
        per_thousand=total.per_thousand,
        year=total.year,
        target_people=total.target or None,
        reached=total.reached if total.target else None,
        progress_share=total.progress_share,
    )
