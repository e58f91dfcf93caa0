"""The dashboard's and the exports' filters, read from the query string by Django
forms: every view of the dashboard is a shareable URL.

Two kinds of errors. A value the form cannot read (not a year, not a date, an
unknown slug or choice, a parameter given twice) comes from an address written by
hand: the view answers 400 with the message. A choice it can read but not use (a
year and dates, an end before the start) is one the form itself lets a visitor
make: the page shows the form again, filled in, with the error beside the field."""

import datetime
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError

from indicators.enums import EventStatus
from indicators.exports import xlsx
from indicators.exports.writer import DIALECTS
from indicators.figures import stats
from indicators.figures.stats import Scope
from indicators.views.filter_fields import (
    FIRST_YEAR,
    LAST_DATE_YEAR,
    CommuneField,
    DefaultChoiceField,
    IsoDateField,
    PageField,
    SeveralChoicesField,
    SlugChoiceField,
    YearField,
)
from initiatives.models import Audience, Initiative
from partners.models import Partner
from territories import scoping

# A filter given twice in the address, whose last value would win unsaid.
REPEATED = "Le filtre « %(name)s » est donné plusieurs fois : gardez-en un seul."

STATUS_CHOICES = {
    "validee": (EventStatus.VALIDATED,),
    "soumise": (EventStatus.SUBMITTED,),
    "a_corriger": (EventStatus.RETURNED,),
    "brouillon": (EventStatus.DRAFT,),
    "toutes": tuple(EventStatus.values),
}
STATUS_LABELS = {
    "validee": "Validées (chiffres publics)",
    "soumise": "Soumises, à valider",
    "a_corriger": "À corriger",
    "brouillon": "Brouillons",
    "toutes": "Toutes",
}
# The codes of the errors of a choice that is read but cannot be used.
YEAR_AND_DATES = "year_and_dates"
END_BEFORE_START = "end_before_start"
UNUSABLE = {YEAR_AND_DATES, END_BEFORE_START}


@dataclass(frozen=True)
class DashboardFilters:
    year: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    initiative: object = None
    audience: object = None
    partner: object = None
    # A partner account's organisations (see Scope.organisations).
    organisations: tuple | None = None
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
            organisations=self.organisations,
            statuses=self.statuses,
        )

    def target_year(self, today):
        """The year whose targets the page shows: the chosen year, else the last year
        the period reaches (today's while it runs on)."""
        if self.year is not None:
            return self.year
        if self.end is not None:
            return self.end.year
        return max(today, self.start or today).year

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

    def query(self):
        """The dashboard's filters as a query string: the links to the charts' data
        carry the filters the figures were counted for, not the address's other
        parameters (nor a period the form could not use)."""
        params = {
            "annee": self.year,
            "du": self.start,
            "au": self.end,
            "initiative": self.initiative.slug if self.initiative else None,
            "public": self.audience.slug if self.audience else None,
        }
        return urlencode({name: value for name, value in params.items() if value is not None})


@dataclass(frozen=True)
class ExportRequest:
    filters: DashboardFilters
    period: str = "mois"
    by_initiative: bool = False
    by_audience: bool = False
    file_format: str = "excel"  # a CSV dialect's key, or xlsx.KEY


class DashboardFilterForm(forms.Form):
    """The public dashboard's filters. Bound to the query string (`request.GET`, a
    QueryDict), with the plan whose initiatives may be chosen and today's date."""

    annee = YearField(label="Année", required=False, last=None)
    du = IsoDateField(
        label="Du",
        required=False,
        error_messages={
            "invalid": (
                "La date de début « %(value)s » n'est pas valide : utilisez le format "
                "AAAA-MM-JJ, par exemple 2025-09-01."
            ),
            "out_of_range": (
                f"La date de début doit être comprise entre {FIRST_YEAR} et {LAST_DATE_YEAR}."
            ),
        },
    )
    au = IsoDateField(
        label="Au",
        required=False,
        error_messages={
            "invalid": (
                "La date de fin « %(value)s » n'est pas valide : utilisez le format "
                "AAAA-MM-JJ, par exemple 2025-09-01."
            ),
            "out_of_range": (
                f"La date de fin doit être comprise entre {FIRST_YEAR} et {LAST_DATE_YEAR}."
            ),
        },
    )
    initiative = SlugChoiceField(
        Initiative.objects.none(),
        label="Initiative",
        label_attribute="title",
        empty_label="Toutes les initiatives",
        error_messages={
            "invalid_choice": "Aucune initiative du plan ne correspond à « %(value)s »."
        },
    )
    public = SlugChoiceField(
        Audience.objects.all(),
        label="Public cible",
        label_attribute="short_name",
        empty_label="Tous les publics",
        error_messages={"invalid_choice": "Aucun public cible ne correspond à « %(value)s »."},
    )

    def __init__(self, data, *, plan, today, **kwargs):
        kwargs.setdefault("auto_id", "filtre-%s")
        super().__init__(data, label_suffix="", **kwargs)
        self.fields["annee"].last = today.year + 1
        self.years = list(range(today.year, plan.start_date.year - 1, -1))
        self._list_years(self.years)
        self.fields["initiative"].queryset = plan.initiatives.order_by("number")

    def _list_years(self, years):
        self.fields["annee"].widget.choices = [
            ("", "Toutes les années"),
            *((year, year) for year in years),
        ]

    def clean_annee(self):
        year = self.cleaned_data["annee"]
        # A readable year before the plan (or next year) is added to the list, which
        # would otherwise say « Toutes les années » over that year's figures.
        if year is not None and year not in self.years:
            self._list_years(sorted({*self.years, year}, reverse=True))
        return year

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if not isinstance(field, forms.MultipleChoiceField) and (
                len(self.data.getlist(name)) > 1
            ):
                # The field read the last value only: the repetition is what to say.
                self.errors.pop(name, None)
                self.add_error(
                    name,
                    ValidationError(REPEATED, code="repeated", params={"name": name}),
                )
        year, start, end = data.get("annee"), data.get("du"), data.get("au")
        if year is not None and (start or end):
            self.add_error(
                "annee",
                ValidationError(
                    "Choisissez soit une année, soit des dates de début et de fin.",
                    code=YEAR_AND_DATES,
                ),
            )
        if start and end and start > end:
            self.add_error(
                "au",
                ValidationError(
                    "La date de début doit précéder la date de fin.", code=END_BEFORE_START
                ),
            )
        return data

    def unreadable_message(self):
        """The message of the first value that cannot be read, or None."""
        return self._first_message(lambda code: code not in UNUSABLE)

    def error_message(self):
        """The message of the first error, an unreadable value's first, or None: for
        the CSV files, which have no page to show the form on."""
        return self.unreadable_message() or self._first_message(lambda code: True)

    def _first_message(self, wanted):
        errors = self.errors.as_data()
        for name in self.fields:
            for error in errors.get(name, ()):
                if wanted(error.code):
                    return error.messages[0]
        return None

    def filters(self):
        """What the figures are counted for; only once no value is unreadable.

        A period the form cannot use is dropped whole, the initiative and the
        audience kept: the figures are then the whole plan's, as the headline says
        (« depuis le début du plan »), rather than those of half a period."""
        data = self.cleaned_data
        period = {}
        if not self.errors:
            period = {"year": data["annee"], "start": data["du"], "end": data["au"]}
        return DashboardFilters(
            initiative=data.get("initiative"), audience=data.get("public"), **period
        )


class ExportFilterForm(DashboardFilterForm):
    """The export page's filters: the dashboard's, plus the organising partner, the
    events' status, the counts' period and breakdown, and the file's format (a CSV
    dialect or a workbook)."""

    organisateur = SlugChoiceField(
        Partner.objects.order_by("name").only("name", "slug"),
        label="Partenaire organisateur ou co-organisateur",
        label_attribute="name",
        empty_label="Tous les partenaires",
        error_messages={"invalid_choice": "Aucun partenaire ne correspond à « %(value)s »."},
    )
    statut = DefaultChoiceField(
        default="validee",
        choices=list(STATUS_LABELS.items()),
        label="Statut des actions",
        error_messages={
            "invalid_choice": (
                "Le statut « %(value)s » n'existe pas : choisissez parmi "
                f"{', '.join(STATUS_CHOICES)}."
            )
        },
    )
    par = DefaultChoiceField(
        default="mois",
        choices=[
            ("mois", "Par mois"),
            ("trimestre", "Par trimestre"),
            ("annee", "Par année (avec objectifs)"),
        ],
        label="Période",
        error_messages={
            "invalid_choice": (
                "La période « %(value)s » n'existe pas : choisissez mois, trimestre ou annee."
            )
        },
    )
    selon = SeveralChoicesField(
        choices=[("initiative", "par initiative"), ("public", "par public cible")],
        label="Ventiler aussi",
        error_messages={
            "invalid_choice": (
                "Impossible de ventiler selon « %(value)s » : choisissez initiative, "
                "public, ou les deux (selon=initiative,public)."
            )
        },
    )
    format = DefaultChoiceField(
        default="excel",
        choices=[
            *((dialect.key, dialect.label) for dialect in DIALECTS.values()),
            (xlsx.KEY, xlsx.LABEL),
        ],
        label="Format du fichier",
        error_messages={
            "invalid_choice": (
                "Le format « %(value)s » n'existe pas : choisissez excel, csv ou xlsx."
            )
        },
    )

    def __init__(self, data, *, organisations=None, territory=None, **kwargs):
        """`organisations`: a partner account's (`access.export_organisations`), whose
        events alone it exports and among which alone it picks an organiser.
        `territory`: the one exported, among whose partners the organiser is picked;
        None for every territory at once, whose plans have no initiative in common."""
        kwargs.setdefault("auto_id", "export-%s")
        super().__init__(data, **kwargs)
        self.organisations = organisations
        if territory is None:
            self.fields["initiative"].queryset = Initiative.objects.none()
            self.fields["initiative"].error_messages["invalid_choice"] = (
                "Avec « Tous les territoires », les chiffres ne se filtrent pas par "
                "initiative : chaque plan a les siennes. Choisissez un territoire pour "
                "filtrer sur « %(value)s »."
            )
        else:
            field = self.fields["organisateur"]
            field.queryset = scoping.in_territories(field.queryset, [territory])
        if organisations is not None:
            field = self.fields["organisateur"]
            field.queryset = field.queryset.filter(pk__in=organisations)
            field.empty_label = "Toutes vos organisations"
            field.error_messages["invalid_choice"] = (
                "Vos exports ne contiennent que les actions de vos organisations : le "
                "filtre « organisateur » ne peut nommer que l'une d'elles, pas "
                "« %(value)s »."
            )
            # The targets are the plan's, never set against one partner's figures.
            self.fields["par"].choices = [
                (value, "Par année" if value == "annee" else label)
                for value, label in self.fields["par"].choices
            ]

    def export_request(self):
        """What to export; only once the form has no error at all."""
        data = self.cleaned_data
        return ExportRequest(
            filters=replace(
                self.filters(),
                partner=data["organisateur"],
                organisations=self.organisations,
                statuses=STATUS_CHOICES[data["statut"]],
            ),
            period=data["par"],
            by_initiative="initiative" in data["selon"],
            by_audience="public" in data["selon"],
            file_format=data["format"],
        )


class ActionFilterForm(DashboardFilterForm):
    """The list of actions' filters: the dashboard's, plus the commune and the page."""

    commune = CommuneField(
        label="Commune",
        required=False,
        error_messages={"invalid_choice": "Aucune action validée n'a eu lieu à « %(value)s »."},
    )
    page = PageField(required=False)

    def __init__(self, data, *, plan, **kwargs):
        super().__init__(data, plan=plan, **kwargs)
        self.fields["commune"].choices = [
            ("", "Toutes les communes"),
            *((commune, commune) for commune in stats.communes(plan)),
        ]

    def query(self, **changed):
        """The filters the events are listed for, with `changed`, as a query string:
        the links to the other pages keep them."""
        params = {"commune": self.cleaned_data.get("commune"), **changed}
        more = urlencode({name: value for name, value in params.items() if value})
        return "&".join(part for part in (self.filters().query(), more) if part)


class EmbedFilterForm(forms.Form):
    """The counter's one filter: an initiative of the plan (`?initiative=<slug>`)."""

    initiative = SlugChoiceField(
        Initiative.objects.none(),
        label="Initiative",
        label_attribute="title",
        error_messages={
            "invalid_choice": (
                "Aucune initiative du plan ne correspond à « %(value)s » : vérifiez "
                "l'identifiant de l'initiative."
            )
        },
    )

    def __init__(self, data, *, plan):
        super().__init__(data)
        self.fields["initiative"].queryset = plan.initiatives.all()

    def error_message(self):
        if len(self.data.getlist("initiative")) > 1:
            return REPEATED % {"name": "initiative"}
        if not self.is_valid():
            return self.errors["initiative"][0]
        return None


# The parameters each page reads, which split its cache.
PARAMS = tuple(DashboardFilterForm.base_fields)
ACTION_PARAMS = tuple(ActionFilterForm.base_fields)
