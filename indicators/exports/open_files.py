"""The open data's files, each column declared once (its header, its value, its type
and its French description) for the files themselves and for `datapackage.json`,
which describes them in the Frictionless Data Package format
(https://datapackage.org/standard/data-package/)."""

import datetime
import json
from dataclasses import dataclass, replace

from indicators.enums import EventFormat
from indicators.exports import chunks, writer, xlsx
from indicators.figures import stats, tables
from initiatives.models import ActionPlan
from territories.models import Epci

LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
ORGANISER_SEPARATOR = " ; "
SIREN_SEPARATOR = " ; "


@dataclass(frozen=True)
class Field(writer.Column):
    """A column of an open-data file: a `writer.Column` with what the data package
    says of it. `type` is a Table Schema type (string, integer, number, date,
    yearmonth)."""

    type: str = "string"
    title: str = ""
    description: str = ""

    def schema(self, dialect):
        """The Table Schema field, for a file written in `dialect` (None: JSON)."""
        field = {
            "name": self.header,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        if self.type == "date" and dialect is not None:
            field["format"] = dialect.date_format
        if self.type == "number" and dialect is not None:
            field["decimalChar"] = dialect.decimal_separator
        return field


def _territory_fields(name, slug):
    """The territory's name and slug, read from a row by `name` and `slug`."""
    return [
        Field(
            "territoire",
            name,
            "string",
            "Territoire",
            "Territoire d'Industrie dont le plan d'action porte les actions.",
        ),
        Field(
            "territoire_identifiant",
            slug,
            "string",
            "Identifiant du territoire",
            "Identifiant du territoire dans les adresses du site : ses pages et ses données "
            "ouvertes sont sous /territoires/<identifiant>/.",
        ),
    ]


COUNT_FIELDS = [
    *_territory_fields(lambda r: r.territory_codes.name, lambda r: r.territory_codes.slug),
    Field(
        "sirens_epci",
        lambda r: SIREN_SEPARATOR.join(r.territory_codes.sirens),
        "string",
        "SIREN des intercommunalités",
        f"Codes SIREN des intercommunalités (EPCI) qui forment le territoire, séparés par "
        f"« {SIREN_SEPARATOR.strip()} ».",
    ),
    Field(
        "mois",
        lambda r: f"{r.period:%Y-%m}",
        "yearmonth",
        "Mois",
        "Mois des actions, au format AAAA-MM.",
    ),
    Field(
        "initiative",
        lambda r: r.initiative[2],
        "string",
        "Initiative",
        "Initiative du plan qui porte les actions.",
    ),
    Field(
        "public_cible",
        lambda r: r.audience[1],
        "string",
        "Public cible",
        "Public sensibilisé (filles, entreprises, prescripteurs…).",
    ),
    Field(
        "actions",
        lambda r: r.events,
        "integer",
        "Actions",
        "Nombre d'actions validées ayant touché ce public ce mois-là.",
    ),
    Field(
        "personnes_sensibilisees",
        lambda r: r.people,
        "integer",
        "Personnes sensibilisées",
        "Nombre de personnes de ce public sensibilisées.",
    ),
    Field(
        "dont_femmes_ou_filles",
        lambda r: r.known_women,
        "integer",
        "Dont femmes ou filles",
        "Parmi elles, les femmes ou les filles, comptées seulement quand leur nombre est connu.",
    ),
    Field(
        "personnes_dont_le_sexe_est_connu",
        lambda r: r.people_with_known_women,
        "integer",
        "Personnes dont le sexe est connu",
        "Personnes pour lesquelles le nombre de femmes a été renseigné : la part des "
        "femmes se calcule sur elles (un sexe inconnu ne compte pas pour zéro).",
    ),
]

EVENT_FIELDS = [
    *_territory_fields(lambda r: r["territory_name"], lambda r: r["territory_slug"]),
    Field("date", lambda r: r["date"], "date", "Date", "Date de l'action."),
    Field("intitule", lambda r: r["title"], "string", "Intitulé", "Intitulé de l'action."),
    Field(
        "initiative",
        lambda r: r["initiative_title"],
        "string",
        "Initiative",
        "Initiative du plan qui porte l'action.",
    ),
    Field(
        "format",
        lambda r: EventFormat(r["format"]).label,
        "string",
        "Format",
        "Format de l'action (intervention en classe, visite d'entreprise…).",
    ),
    Field("commune", lambda r: r["commune"], "string", "Commune", "Commune où l'action a eu lieu."),
    Field(
        "code_insee",
        lambda r: r["commune_code"],
        "string",
        "Code INSEE",
        "Code officiel (INSEE) de la commune ; vide pour une action pas encore "
        "rattachée à une commune officielle.",
    ),
    Field(
        "siren_epci",
        lambda r: r["epci_siren"],
        "string",
        "SIREN de l'intercommunalité",
        "Code SIREN de l'intercommunalité (EPCI) de la commune ; vide quand il n'est pas "
        "connu (commune sans intercommunalité, ou action pas encore rattachée à une "
        "commune officielle).",
    ),
    Field(
        "organisateurs",
        lambda r: ORGANISER_SEPARATOR.join(r["organisers"]),
        "string",
        "Organisateurs",
        f"Le partenaire organisateur puis les co-organisateurs, séparés par "
        f"« {ORGANISER_SEPARATOR.strip()} » ; un partenaire qui ne souhaite pas être "
        f"nommé figure comme « {stats.UNPUBLISHED_PARTNER} ».",
    ),
    Field(
        "personnes_sensibilisees",
        lambda r: r["people"],
        "integer",
        "Personnes sensibilisées",
        "Nombre de personnes sensibilisées par l'action, tous publics confondus.",
    ),
    Field(
        "dont_femmes_ou_filles",
        lambda r: r["women"],
        "integer",
        "Dont femmes ou filles",
        "Parmi elles, les femmes ou les filles, comptées seulement quand leur nombre "
        "est connu ; vide si le sexe n'est connu pour personne.",
    ),
    Field(
        "personnes_dont_le_sexe_est_connu",
        lambda r: r["known"],
        "integer",
        "Personnes dont le sexe est connu",
        "Personnes pour lesquelles le nombre de femmes a été renseigné.",
    ),
]


@dataclass(frozen=True)
class Coverage:
    """What the open data covers: a territory's current plan (`plan`), or every
    territory's (no plan): the national files, the same columns, each row saying its
    territory."""

    plan: object = None

    @property
    def national(self):
        return self.plan is None

    @property
    def scope(self):
        if self.national:
            return stats.Scope(ActionPlan.objects.current_of_each_territory())
        return stats.Scope(self.plan)

    @property
    def url_prefix(self):
        """Of the files' URL names: the national ones are named « national_… »."""
        return "national_" if self.national else ""

    @property
    def title(self):
        return NATIONAL_TITLE if self.national else self.plan.title

    @property
    def territory(self):
        return NATIONAL_TERRITORY if self.national else self.plan.territory.name

    def last_update(self):
        return stats.last_update(self.scope.plan)


NATIONAL_TITLE = "Mixité Industrie — tous les Territoires d'Industrie"
NATIONAL_TERRITORY = "Tous les territoires"


@dataclass(frozen=True)
class TerritoryCodes:
    name: str
    slug: str
    sirens: tuple


class CountRow:
    """A row of the counts table with its territory's codes."""

    def __init__(self, row, territory_codes):
        self._row = row
        self.territory_codes = territory_codes

    def __getattr__(self, name):
        return getattr(self._row, name)


def count_rows(coverage):
    """The counts per month, territory, initiative and audience, each with its
    territory's codes. Three queries: the territories, their EPCIs, the counts."""
    territories = _territory_codes(coverage)
    rows = tables.counts_table(
        coverage.scope, "mois", by_initiative=True, by_audience=True, by_territory=True
    )
    return [CountRow(row, territories[row.territory]) for row in rows]


def _territory_codes(coverage):
    """{territory id: TerritoryCodes} of the territories the coverage may hold."""
    from territories.models import Territory

    territories = Territory.objects.all()
    if not coverage.national:
        territories = territories.filter(pk=coverage.plan.territory_id)
    sirens = {}
    epcis = Epci.objects.filter(territory__in=territories).order_by("siren")
    for territory_id, siren in epcis.values_list("territory", "siren"):
        sirens.setdefault(territory_id, []).append(siren)
    return {
        pk: TerritoryCodes(name, slug, tuple(sirens.get(pk, ())))
        for pk, name, slug in territories.values_list("pk", "name", "slug")
    }


def event_rows(coverage):
    """The validated events of the coverage, oldest first, a few days at a time
    (`chunks`): the first rows leave at once, two queries a chunk."""
    scope = coverage.scope
    with chunks.iterating(chunks.days(scope.events())) as periods:
        for start, end in periods:
            yield from tables.public_event_rows(replace(scope, start=start, end=end))


@dataclass(frozen=True)
class OpenFile:
    """One of the files the data package describes: `url_name` in every dialect of
    `writer.DIALECTS` and as a workbook whose data sheet is `sheet` (`?format=`), and
    in JSON when `json_url_name` is set."""

    name: str
    title: str
    description: str
    url_name: str
    fields: list
    sheet: str
    json_url_name: str = ""


FILES = [
    OpenFile(
        "compteurs",
        "Personnes sensibilisées par mois, initiative et public cible",
        "Les actions validées du plan, additionnées par mois, initiative et public cible.",
        "open_counts_csv",
        COUNT_FIELDS,
        "Compteurs",
        "open_counts_json",
    ),
    OpenFile(
        "actions",
        "Les actions de sensibilisation validées",
        "Une ligne par action validée du plan, la plus ancienne d'abord : ce que montre "
        "la liste publique des actions. Aucune donnée personnelle : ni contact, ni note "
        "interne, ni auteur des saisies.",
        "open_events_csv",
        EVENT_FIELDS,
        "Actions",
        "open_events_json",
    ),
]


def json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def json_record(fields, row):
    return {field.header: json_value(field.value(row)) for field in fields}


def json_lines(meta, fields, rows):
    """`meta` and, under « donnees », one record per row: a JSON document written
    record by record, so that it streams."""
    head = json.dumps(meta, ensure_ascii=False, indent=1)
    yield head[:-2] + ',\n "donnees": ['
    separator = "\n  "
    for row in rows:
        yield separator + json.dumps(json_record(fields, row), ensure_ascii=False)
        separator = ",\n  "
    yield "\n ]\n}"


def datapackage(coverage, absolute_url):
    """The data package describing every file of FILES for `coverage`;
    `absolute_url(url_name, query)` gives a file's address."""
    resources = []
    prefix = coverage.url_prefix
    for open_file in FILES:
        # The standard CSV first: the file's own name.
        for dialect in sorted(writer.DIALECTS.values(), key=lambda d: d is not writer.STANDARD):
            csv_dialect = {
                "delimiter": dialect.delimiter,
                "lineTerminator": dialect.lineterminator,
                "quoteChar": '"',
                "doubleQuote": True,
                "header": True,
            }
            standard = dialect is writer.STANDARD
            resources.append(
                {
                    "name": open_file.name if standard else f"{open_file.name}-{dialect.key}",
                    "title": open_file.title + ("" if standard else f", pour {dialect.label}"),
                    "description": open_file.description,
                    "profile": "tabular-data-resource",
                    "path": absolute_url(
                        prefix + open_file.url_name, "" if standard else dialect.key
                    ),
                    "format": "csv",
                    "mediatype": "text/csv",
                    # Excel's dialect starts with a byte order mark.
                    "encoding": "utf-8-sig" if dialect.bom else "utf-8",
                    "dialect": csv_dialect,
                    "schema": {"fields": [field.schema(dialect) for field in open_file.fields]},
                }
            )
        resources.append(
            {
                "name": f"{open_file.name}-xlsx",
                "title": f"{open_file.title} (classeur Excel)",
                "description": (
                    f"{open_file.description} Les mêmes champs dans la feuille "
                    f"« {open_file.sheet} », les dates en cellules de date ; une feuille "
                    "« À propos » donne les définitions, la licence et la date de mise à jour."
                ),
                "profile": "tabular-data-resource",
                "path": absolute_url(prefix + open_file.url_name, xlsx.KEY),
                "format": "xlsx",
                "mediatype": xlsx.CONTENT_TYPE,
                "dialect": {"sheetName": open_file.sheet, "header": True},
                "schema": {"fields": [field.schema(None) for field in open_file.fields]},
            }
        )
        if open_file.json_url_name:
            resources.append(
                {
                    "name": f"{open_file.name}-json",
                    "title": f"{open_file.title} (JSON)",
                    "description": (
                        f"{open_file.description} Les mêmes champs, une entrée par ligne "
                        "dans « donnees », avec la licence et la date de mise à jour."
                    ),
                    "path": absolute_url(prefix + open_file.json_url_name, ""),
                    "format": "json",
                    "mediatype": "application/json",
                    "encoding": "utf-8",
                    "schema": {"fields": [field.schema(None) for field in open_file.fields]},
                }
            )
    if coverage.national:
        name = "mixite-industrie-national"
        description = (
            "Les chiffres du plan d'action en cours de chaque Territoire d'Industrie, réunis : "
            "chaque ligne nomme son territoire (« territoire », « territoire_identifiant ») et "
            "ses codes officiels (SIREN des intercommunalités, code INSEE des communes). Les "
            "fichiers d'un seul territoire, avec les mêmes champs, sont décrits à l'adresse "
            "/territoires/<identifiant>/donnees/datapackage.json. Seules les actions "
            "validées par l'équipe de chaque territoire y figurent."
        )
        home = "national"
    else:
        plan = coverage.plan
        name = f"mixite-industrie-{plan.territory.slug}"
        description = (
            f"Les chiffres du plan d'action « {plan.title} » (Territoire d'Industrie "
            f"{plan.territory}) : seules les actions validées par l'équipe du territoire "
            "y figurent. Les fichiers de tous les territoires réunis, avec les mêmes champs, "
            "sont décrits à l'adresse /national/donnees/datapackage.json."
        )
        home = "home"
    return {
        "name": name,
        "title": coverage.title,
        "description": description,
        "homepage": absolute_url(prefix + "open_data", ""),
        "licenses": [{"name": "etalab-2.0", "title": LICENCE, "path": LICENCE_URL}],
        "sources": [{"title": "Mixité Industrie", "path": absolute_url(home, "")}],
        "resources": resources,
    }
