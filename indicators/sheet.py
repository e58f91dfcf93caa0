"""The events spreadsheet, described once: its columns, in order, with what the import
reads in each and what the export writes there, and how names are written and compared.

One row is one count line of an event. The import's reader, its template (CSV and
XLSX) and the events export (both CSV dialects, written by Python or by
PostgreSQL's COPY) all read COLUMNS: an exported file imports back, and updates
its events in place through their « référence »."""

import re
import unicodedata
from dataclasses import dataclass

from indicators.enums import EventFormat, EventStatus
from indicators.exports.pg_copy import Date, DateTime, Integer, Label, Text
from indicators.exports.writer import looks_like_formula

CO_ORGANIZER_SEPARATOR = " ; "
# How a file writes each status (the export writes its label, also read back).
STATUS_NAMES = {
    EventStatus.DRAFT: "brouillon",
    EventStatus.SUBMITTED: "soumise",
    EventStatus.VALIDATED: "validée",
    EventStatus.RETURNED: "à corriger",
}


@dataclass(frozen=True)
class SheetColumn:
    key: str
    header: str
    value: object  # the export's cell: a field of `pg_copy`, named as `event_lines` names it
    required: bool = False
    help: str = ""
    example: str = ""
    aliases: tuple = ()  # other titles the import accepts


# The columns in which an action's lines differ, one line per audience; the others
# describe the action, the same on each of its lines.
LINE_KEYS = ("audience", "people", "women")
# Those of them that count: a number holds for one line only.
COUNT_KEYS = ("people", "women")

COLUMNS = (
    SheetColumn(
        "date",
        "date",
        Date("date"),
        True,
        "Date de l'action, au format JJ/MM/AAAA (ou AAAA-MM-JJ).",
        "14/03/2025",
    ),
    SheetColumn(
        "initiative",
        "initiative",
        Text("initiative_title"),
        True,
        "Numéro, identifiant ou titre exact d'une initiative du plan en cours.",
        "1",
    ),
    SheetColumn(
        "title",
        "intitulé",
        Text("title"),
        True,
        "Intitulé de l'action (300 caractères au plus).",
        "Découverte des métiers du verre",
        ("titre",),
    ),
    SheetColumn(
        "format",
        "format",
        Label("format", EventFormat),
        True,
        "Un des formats de la liste, en toutes lettres ou par son identifiant.",
        "Visite d'entreprise",
    ),
    SheetColumn(
        "venue_name",
        "lieu",
        Text("venue_name"),
        True,
        "Établissement, entreprise ou salle (200 caractères au plus).",
        "Lycée Alexandre Ribot",
    ),
    SheetColumn(
        "commune",
        "commune",
        Text("commune"),
        True,
        "Commune du lieu, dans un département du territoire : son nom officiel (majuscules, "
        "accents et traits d'union ne comptent pas), son code INSEE, ou son nom suivi du "
        "code postal, « Saint-Aubin (62170) », pour deux communes du même nom.",
        "Saint-Omer",
    ),
    SheetColumn(
        "organizer",
        "organisateur",
        Text("organizer_name"),
        True,
        "Nom, nom court ou identifiant du partenaire qui organise l'action. Un compte "
        "partenaire n'importe que les actions organisées par son organisation.",
        "Arc France",
        ("partenaire organisateur",),
    ),
    SheetColumn(
        "co_organizers",
        "co-organisateurs",
        Text("co_organizers"),
        False,
        f"Les autres partenaires de l'action, séparés par un point-virgule "
        f"« {CO_ORGANIZER_SEPARATOR.strip()} ». Laissez vide s'il n'y en a pas.",
        CO_ORGANIZER_SEPARATOR.join(("Capital Filles", "CORIF")),
        ("co-organisateur", "coorganisateurs"),
    ),
    SheetColumn(
        "audience",
        "public",
        Text("audience_name"),
        True,
        "Public cible de la ligne : nom, nom court ou identifiant.",
        "Élèves et jeunes",
        ("public cible",),
    ),
    SheetColumn(
        "people",
        "personnes",
        Integer("people"),
        True,
        "Nombre de personnes de ce public sensibilisées (nombre entier, zéro ou plus).",
        "24",
        ("personnes sensibilisees", "nombre de personnes"),
    ),
    SheetColumn(
        "women",
        "dont femmes",
        Integer("women"),
        False,
        "Combien de ces personnes sont des femmes ou des filles. Laissez vide si vous ne "
        "le savez pas : inconnu n'est pas zéro.",
        "13",
        ("dont femmes ou filles", "dont filles", "femmes"),
    ),
    SheetColumn(
        "status",
        "statut",
        Label("status", EventStatus),
        False,
        "« brouillon » (si vide) ou « soumise » ; « validée » est réservé à l'équipe du "
        "territoire. Un import ne fait jamais reculer une action déjà soumise ou validée ; "
        "le statut qu'une action a déjà (celui d'un export) la laisse telle quelle.",
        "soumise",
    ),
    SheetColumn(
        "reference",
        "référence",
        Integer("id"),
        False,
        "Numéro d'une action déjà enregistrée, pour la corriger (même si sa date ou son "
        "intitulé changent) ; l'export des actions le donne. Laissez vide pour une "
        "nouvelle action. Une action encore sans chiffres s'exporte sur une ligne sans "
        "public ni personnes : réimportée ainsi, elle reste sans chiffres.",
        "",
        ("reference", "numero", "n°"),
    ),
)
# Written by the export after the shared columns, for information: the import knows
# their titles and skips them, so that an exported file imports without a warning.
EXPORT_ONLY = (
    SheetColumn("updated_at", "modifiée le", DateTime("updated_at")),
    SheetColumn("updated_by", "modifiée par", Text("updated_by_name")),
)
# Written last, after the columns of earlier exports: read back, it settles two
# communes of the same name (« Saint-Aubin », in the Nord and in the Pas-de-Calais).
COMMUNE_CODE = SheetColumn("commune_code", "code INSEE", Text("commune_code"))
EXPORT_COLUMNS = (*COLUMNS, *EXPORT_ONLY, COMMUNE_CODE)


def lookup_key(value):
    """How names are compared: without accents, case, typographic apostrophes or
    repeated spaces, so that « Lycée » typed « lycee » still matches."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.casefold().split())


HEADERS_BY_KEY = {column.key: column.header for column in EXPORT_COLUMNS}
# Every accepted title of a column (its header, key or aliases, as lookup_key
# compares them) → its key.
HEADERS = {
    lookup_key(name): column.key
    for column in EXPORT_COLUMNS
    for name in (column.header, column.key, *column.aliases)
}


def split_names(value):
    """Co-organisers: names separated by semicolons (or line breaks, as Alt+Entrée
    types them in an Excel cell)."""
    separator = re.escape(CO_ORGANIZER_SEPARATOR.strip())
    return [name.strip() for name in re.split(rf"{separator}|\n", value) if name.strip()]


def unguarded(cell):
    """A cell without the apostrophe that the export writes before a leading =, +, -,
    @… so that a spreadsheet shows it as text (`writer.cell`): read back, the text is
    the recorded one."""
    if isinstance(cell, str) and cell.startswith("'") and looks_like_formula(cell[1:]):
        return cell[1:]
    return cell
