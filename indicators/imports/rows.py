"""Reading the rows of an import file: each cell checked against the plan's data
(initiatives, audiences, partners, formats, statuses) and the importer's rights,
with a French reason for every cell that cannot be imported.

The names are read once per file into dicts, whatever the number of rows."""

import datetime
import re
from collections import defaultdict
from functools import partial

from django.core.exceptions import ValidationError

from feminisation import formatting, validators
from feminisation.access import sees_all_events
from geography.matching import CommuneError, CommuneMatcher
from indicators import workflow
from indicators.enums import EventFormat, EventStatus
from indicators.imports.files import MergedCount
from indicators.models.events import plausible_date
from indicators.sheet import (
    COLUMNS,
    HEADERS_BY_KEY,
    LINE_KEYS,
    STATUS_NAMES,
    lookup_key,
    split_names,
)
from initiatives.models import Audience, Initiative
from partners.models import Partner

REQUIRED = {column.key for column in COLUMNS if column.required}
TEXT_MAX_LENGTH = {"title": 300, "venue_name": 200, "commune": 100}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
# A date typed in a date-time cell comes out of a CSV as « 14/03/2025 00:00:00 ».
MIDNIGHT = re.compile(r"\s+0?0:00(:00)?$")


class CellError(Exception):
    """A cell that cannot be imported, and why (in French)."""


class Lookup:
    """Finds an object by any of its names, compared by lookup_key. Names are tried
    in passes (a partner's name before its short name), so that an exact name wins
    over another partner's short name; a name shared within one pass is ambiguous."""

    def __init__(self, *passes):
        self.index = {}
        for names in passes:
            found = defaultdict(list)
            for obj, name in names:
                key = lookup_key(name)
                if key and obj not in found[key]:
                    found[key].append(obj)
            for key, objs in found.items():
                self.index.setdefault(key, objs)

    def find(self, value, unknown, kind):
        """The object named `value`; `unknown` is called for the message if none is."""
        objs = self.index.get(lookup_key(value), [])
        if not objs:
            raise CellError(unknown())
        if len(objs) > 1:
            names = ", ".join(str(obj) for obj in objs)
            raise CellError(
                f"« {cell_text(value)} » désigne plusieurs {kind} ({names}) : écrivez son "
                "nom complet."
            )
        return objs[0]


# Below this, a whole float is exactly the integer a spreadsheet shows; beyond it
# (1e300), its 301 digits would mean nothing to whoever reads the message.
EXACT_FLOAT_INTEGERS = 2**53


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_FLOAT_INTEGERS:
        value = int(value)
    return " ".join(str(value).split())


def parse_date(value):
    if isinstance(value, datetime.datetime):
        date = value.date()
    elif isinstance(value, datetime.date):
        date = value
    else:
        text = MIDNIGHT.sub("", cell_text(value))
        for date_format in DATE_FORMATS:
            try:
                date = datetime.datetime.strptime(text, date_format).date()
                break
            except ValueError:
                continue
        else:
            raise CellError(
                f"Date illisible : « {text} ». Écrivez-la JJ/MM/AAAA (par exemple "
                "14/03/2025) ou AAAA-MM-JJ."
            )
    try:
        plausible_date(date)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None
    return date


def parse_count(value, what):
    if isinstance(value, bool):
        raise CellError(f"Le nombre de {what} doit être un nombre entier.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        # « 1 200 » as a French spreadsheet writes it; « 12,0 » or « 12.0 » too.
        text = re.sub(r"[\s\u00a0\u202f]", "", cell_text(value))
        # ASCII digits only: « ² » is a digit to Python, not a number.
        if not re.fullmatch(r"[+-]?[0-9]+([.,]0+)?", text):
            raise CellError(
                f"Le nombre de {what} doit être un nombre entier : « {cell_text(value)} »."
            )
        digits = re.sub(r"[.,]0+$", "", text)
        # int() refuses more than 4,300 digits: such a number is too big anyway.
        number = int(digits) if len(digits) <= 20 else MAX_COUNT + 1
    if number < 0:
        raise CellError(f"Le nombre de {what} ne peut pas être négatif.")
    if number > MAX_COUNT:
        raise CellError(
            f"Le nombre de {what} est trop grand : « {cell_text(value)} » (au plus "
            f"{formatting.number(MAX_COUNT)} pour une ligne)."
        )
    return number


# What the database's integer column holds; the admin's form has the same bound.
MAX_COUNT = 2_147_483_647


def parse_reference(value):
    text = cell_text(value).removeprefix("n°").strip()
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise CellError(
            f"Référence illisible : « {cell_text(value)} ». La référence est le numéro d'une "
            "action déjà enregistrée ; laissez la colonne vide pour une nouvelle action."
        )
    return int(text)


class RowReader:
    """Turns a row's cells into values (an Initiative, a Partner, a date, a count…)
    and lists what is wrong with it, for one user and the current plan."""

    def __init__(self, user, plan):
        self.user = user
        self.plan = plan
        self.restricted = not sees_all_events(user)
        # Those of the plan, where the file's new events go, held in it until the
        # import commits (Initiative.objects.held); every plan's are read, for the
        # recorded events of an earlier plan (whose initiatives, with events, stay).
        Initiative.objects.filter(plan=plan).order_by().held()
        self.initiative_by_pk = {i.pk: i for i in Initiative.objects.all()}
        initiatives = [i for i in self.initiative_by_pk.values() if i.plan_id == plan.pk]
        self.initiative_numbers = ", ".join(str(i.number) for i in initiatives)
        self.initiatives = Lookup(
            [(i, str(i.number)) for i in initiatives],
            [(i, i.slug) for i in initiatives],
            [(i, i.title) for i in initiatives],
            [(i, str(i)) for i in initiatives],
        )
        self.audience_by_pk = {a.pk: a for a in Audience.objects.all()}
        audiences = self.audience_by_pk.values()
        self.audiences = Lookup(
            [(a, a.name) for a in audiences],
            [(a, a.slug) for a in audiences],
            [(a, a.short_name) for a in audiences],
        )
        # Every partner, for the recorded events; a row names one of the territory's.
        self.partner_by_pk = {
            p.pk: p
            for p in Partner.objects.only("pk", "name", "short_name", "slug").noting_work_in(
                plan.territory_id
            )
        }
        partners = [p for p in self.partner_by_pk.values() if p.works_here]
        self.partners = Lookup(
            [(p, p.name) for p in partners],
            [(p, p.slug) for p in partners],
            [(p, p.short_name) for p in partners],
        )
        self.communes = CommuneMatcher(plan.territory)
        self.formats = Lookup(EventFormat.choices, [(value, value) for value in EventFormat])
        self.statuses = Lookup(
            [(status, name) for status, name in STATUS_NAMES.items()],
            EventStatus.choices,
            [(value, value) for value in EventStatus],
        )
        self.own_organisations = (
            set(user.partner_organisations.values_list("pk", flat=True))
            if self.restricted
            else set()
        )
        self.parsers = {
            "date": parse_date,
            "initiative": self.initiative,
            "title": self.text("title"),
            "format": self.format,
            "venue_name": self.text("venue_name"),
            "commune": self.commune,
            "organizer": self.organizer,
            "co_organizers": self.co_organizers,
            "audience": self.audience,
            "people": lambda value: parse_count(value, "personnes"),
            "women": lambda value: parse_count(value, "femmes"),
            "status": self.status,
            "reference": parse_reference,
        }

    def read(self, cells):
        """The row's values that could be read, and a message for each problem."""
        values, problems = {}, []
        # How the export writes an event without count lines: one row, by its
        # reference, without audience nor figures.
        line_less = cell_text(cells.get("reference")) and not any(
            cell_text(cells.get(key)) for key in LINE_KEYS
        )
        # An export's « code INSEE » column settles two communes of the same name.
        parsers = {
            **self.parsers,
            "commune": partial(self.commune, code=cell_text(cells.get("commune_code"))),
        }
        for key, parse in parsers.items():
            raw = cells.get(key)
            if isinstance(raw, MergedCount):
                problems.append(raw.message(HEADERS_BY_KEY[key]))
                continue
            if cell_text(raw) == "" and not isinstance(raw, datetime.date):
                if key in REQUIRED and not (line_less and key in ("audience", "people")):
                    problems.append(
                        f"La colonne « {HEADERS_BY_KEY[key]} » est vide : elle est obligatoire."
                    )
                else:
                    values[key] = () if key == "co_organizers" else None
                continue
            try:
                values[key] = parse(raw)
            except CellError as error:
                problems.append(str(error))
        people, women = values.get("people"), values.get("women")
        if people is not None and women is not None and women > people:
            problems.append(
                f"Le nombre de femmes ({women}) ne peut pas dépasser le nombre de personnes "
                f"({people})."
            )
        for field, problem in workflow.organisation_problems(
            self.user, values.get("organizer"), values.get("co_organizers", ())
        ):
            # A referenced event's organiser is checked against the recorded event:
            # an unchanged row of an event the account co-organises is « déjà à jour ».
            if field != "organizer" or not values.get("reference"):
                problems.append(problem)
        return values, problems

    def text(self, key):
        def parse(value):
            value = cell_text(value)
            if len(value) > TEXT_MAX_LENGTH[key]:
                raise CellError(
                    f"La colonne « {HEADERS_BY_KEY[key]} » dépasse {TEXT_MAX_LENGTH[key]} "
                    f"caractères ({len(value)})."
                )
            if problem := validators.problem(
                value, subject=f"La colonne « {HEADERS_BY_KEY[key]} »"
            ):
                raise CellError(problem)
            return value

        return parse

    def commune(self, value, code=None):
        """The official commune of the territory that the cell names."""
        text = self.text("commune")(value)
        try:
            return self.communes.find(text, code=code)
        except CommuneError as error:
            raise CellError(str(error)) from error

    def initiative(self, value):
        return self.initiatives.find(
            value,
            lambda: (
                f"Initiative inconnue : « {cell_text(value)} ». Indiquez le numéro "
                f"({self.initiative_numbers}), l'identifiant ou le titre exact d'une initiative "
                "du plan en cours."
            ),
            "initiatives",
        )

    def format(self, value):
        return self.formats.find(
            value,
            lambda: (
                f"Format inconnu : « {cell_text(value)} ». Formats possibles : "
                + ", ".join(EventFormat.labels)
                + "."
            ),
            "formats",
        )

    def audience(self, value):
        return self.audiences.find(
            value,
            lambda: (
                f"Public inconnu : « {cell_text(value)} ». Publics possibles : "
                + ", ".join(a.short_name for a in self.audience_by_pk.values())
                + "."
            ),
            "publics",
        )

    def partner(self, value, role):
        return self.partners.find(
            value,
            lambda: (
                f"{role} inconnu : « {cell_text(value)} ». Écrivez le nom, le nom court "
                "ou l'identifiant d'un partenaire enregistré qui travaille sur le territoire "
                f"« {self.plan.territory} »."
            ),
            "partenaires",
        )

    def organizer(self, value):
        return self.partner(value, "Partenaire organisateur")

    def co_organizers(self, value):
        # cell_text() would join the lines of a cell that Alt+Entrée split.
        text = value if isinstance(value, str) else cell_text(value)
        partners = {}
        for name in split_names(text):
            partner = self.partner(name, "Co-organisateur")
            partners[partner.pk] = partner
        return tuple(partners[pk] for pk in sorted(partners))

    def status(self, value):
        allowed = ", ".join(STATUS_NAMES[s] for s in workflow.importable_statuses(self.user))
        status = self.statuses.find(
            value,
            lambda: f"Statut inconnu : « {cell_text(value)} ». Statuts possibles : {allowed}.",
            "statuts",
        )
        # « À corriger », and « validée » from a partner, are refused unless they
        # restate the recorded event's status, as an exported file does: EventImport
        # knows that status.
        return status
