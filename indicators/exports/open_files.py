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

LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
ORGANISER_SEPARATOR = " ; "


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


COUNT_FIELDS = [
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
        lambda r: r.women,
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


def count_rows(plan):
    return tables.counts_table(stats.Scope(plan), "mois", by_initiative=True, by_audience=True)


def event_rows(plan):
    """The plan's validated events, oldest first, a few days at a time (`chunks`):
    the first rows leave at once, two queries a chunk."""
    scope = stats.Scope(plan)
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


def datapackage(plan, absolute_url):
    """The data package describing every file of FILES; `absolute_url(url_name,
    query)` gives a file's address."""
    resources = []
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
                    "path": absolute_url(open_file.url_name, "" if standard else dialect.key),
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
                "path": absolute_url(open_file.url_name, xlsx.KEY),
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
                    "path": absolute_url(open_file.json_url_name, ""),
                    "format": "json",
                    "mediatype": "application/json",
                    "encoding": "utf-8",
                    "schema": {"fields": [field.schema(None) for field in open_file.fields]},
                }
            )
    return {
        "name": "mixite-industrie",
        "title": plan.title,
        "description": (
            f"Les chiffres du plan d'action « {plan.title} » (Territoire d'Industrie "
            f"{plan.territory}) : seules les actions validées par l'équipe du territoire "
            "y figurent."
        ),
        "homepage": absolute_url("open_data", ""),
        "licenses": [{"name": "etalab-2.0", "title": LICENCE, "path": LICENCE_URL}],
        "sources": [{"title": "Mixité Industrie", "path": absolute_url("home", "")}],
        "resources": resources,
    }
