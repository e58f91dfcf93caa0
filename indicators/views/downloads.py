"""What a downloaded file is called and what it says about itself, and the download
in the format asked for: a CSV dialect (`writer`) or an Excel workbook (`xlsx`).

A name says what the file holds: the dataset, the period, the chosen initiative,
audience and partner, the status when it is not the public one, e.g.
`actions-2026-reseau-verrelles.xlsx`; on an instance of several territories, the
territory too (`territory_part`). A workbook says when it was extracted in its
« À propos » sheet; a CSV file has no room for it, so its name ends with that date
(`…-extrait-le-2026-03-02.csv`): two extractions of the same filters stay apart."""

from django.utils import timezone
from django.utils.text import capfirst

from feminisation.formatting import moment
from indicators.exports import datasets, writer, xlsx
from indicators.views import filters

REPEATED = "Le paramètre « {} » est donné plusieurs fois : gardez-en un seul."

STATUS_KEYS = {statuses: key for key, statuses in filters.STATUS_CHOICES.items()}
PERIOD_CHOICES = dict(filters.ExportFilterForm.base_fields["par"].choices)

# What every file's figures mean, in the words of the dashboard.
VALIDATED_ONLY = (
    "Seules les actions validées par l'équipe du territoire comptent dans les chiffres "
    "publics (tableau de bord, données ouvertes) ; ce fichier compte les actions du "
    "statut choisi dans les filtres."
)
WOMEN_KNOWN = (
    "« dont femmes ou filles » ne compte que les personnes dont le sexe est connu : "
    "une case vide veut dire « inconnu », pas zéro. La part des femmes se calcule sur "
    "les personnes dont le sexe est connu, pas sur toutes les personnes sensibilisées."
)
COUNT_LINE = (
    "Une ligne de comptage : le nombre de personnes d'un public cible sensibilisées par "
    "une action (une action qui touche deux publics en a deux)."
)
DEFINITIONS = {
    "actions": [
        COUNT_LINE,
        "Ce fichier a une ligne par ligne de comptage ; une action encore sans chiffres "
        "a une ligne sans public ni personnes.",
        WOMEN_KNOWN,
        VALIDATED_ONLY,
        "« référence » est le numéro de l'action : ce fichier, corrigé, se réimporte "
        "(Administration, « Importer des actions ») et met à jour les actions de ses "
        "références.",
    ],
    "compteurs": [
        COUNT_LINE,
        "Chaque ligne additionne les lignes de comptage d'une période (et de "
        "l'initiative ou du public cible si le découpage le demande) ; la dernière "
        "ligne donne le total, égal à celui du tableau de bord pour les mêmes filtres.",
        WOMEN_KNOWN,
        "« objectif de personnes » et « avancement (%) » : sur les lignes annuelles, "
        "l'objectif de l'année et la part atteinte.",
        VALIDATED_ONLY,
    ],
    "partenaires": [
        "Une ligne par partenaire et par année : les actions qu'il a organisées, celles "
        "qu'il a co-organisées, et les personnes sensibilisées par les unes et les "
        "autres.",
        "Une action organisée à plusieurs compte pour chacun de ses organisateurs : la "
        "somme des lignes dépasse donc le total du plan.",
        WOMEN_KNOWN,
        VALIDATED_ONLY,
    ],
}


def status_key(chosen):
    return STATUS_KEYS.get(chosen.filters.statuses, "toutes")


class Unreadable(ValueError):
    """A query parameter that names no file: what to correct, in French (a 400)."""


def repeated(name):
    """The refusal of a parameter given twice, whose last value would win unsaid."""
    return REPEATED.format(name)


def asked_format(request, formats, error, default="csv"):
    """The `?format=` asked for, one of `formats` (`default` without one); Unreadable
    with `error` for another, and for a repeated one."""
    values = request.GET.getlist("format")
    if len(values) > 1:
        raise Unreadable(repeated("format"))
    chosen_format = values[0] if values else default
    if chosen_format not in formats:
        raise Unreadable(error)
    return chosen_format


def _period_part(chosen_filters):
    year, start, end = chosen_filters.year, chosen_filters.start, chosen_filters.end
    if year is not None:
        return str(year)
    if start and end and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    if start and end:
        return f"du-{start:%Y-%m-%d}-au-{end:%Y-%m-%d}"
    if start:
        return f"depuis-le-{start:%Y-%m-%d}"
    if end:
        return f"jusqu-au-{end:%Y-%m-%d}"
    return ""


def territory_part(request, territory):
    """What a file's name says of its `territory`: its slug on an instance of several
    (an account of two territories downloads two names), nothing on an instance of
    one, whose files keep the names their links were published with. Read from
    `request.territory`: a site's, with `has_others`; at the root, the instance's
    sole territory, or None when it serves several."""
    site = request.territory
    return territory.slug if not site or site.has_others else ""


def file_name(dataset, chosen, file_format, today, *, territory=""):
    """The file's name: `dataset` (« actions », « compteurs-par-mois »…), its
    `territory` part (`territory_part`, or « tous-territoires »), then what the export
    request chose, then the format's extension."""
    chosen_filters = chosen.filters
    choices = (chosen_filters.initiative, chosen_filters.audience, chosen_filters.partner)
    parts = [
        dataset,
        territory,
        _period_part(chosen_filters),
        *(choice.slug for choice in choices if choice is not None),
    ]
    if (status := status_key(chosen)) != "validee":
        parts.append(status.replace("_", "-"))
    return _with_extension(joined(*parts), file_format, today)


def joined(*parts):
    """A file's name of these parts, the empty ones left out."""
    return "-".join(part for part in parts if part)


def _with_extension(name, file_format, today):
    if file_format == xlsx.KEY:
        return f"{name}.xlsx"
    return f"{name}-extrait-le-{today:%Y-%m-%d}.csv"


def counts_dataset(chosen):
    """The counts file's dataset name: its period, and its breakdowns."""
    parts = ["compteurs", datasets.PERIOD_LABELS[chosen.period]]
    if chosen.by_initiative:
        parts.append("par-initiative")
    if chosen.by_audience:
        parts.append("par-public")
    return "-".join(parts)


def described_filters(chosen, *, counts=False):
    """The filters of an export request, in French, as the export page shows them."""
    chosen_filters = chosen.filters
    initiative, audience, partner = (
        chosen_filters.initiative,
        chosen_filters.audience,
        chosen_filters.partner,
    )
    pairs = [
        ("Période", capfirst(chosen_filters.period_label())),
        ("Initiative", initiative.title if initiative else "Toutes les initiatives"),
        ("Public cible", audience.short_name if audience else "Tous les publics"),
        (
            "Partenaire organisateur ou co-organisateur",
            partner.name if partner else "Tous les partenaires",
        ),
        ("Statut des actions", filters.STATUS_LABELS[status_key(chosen)]),
    ]
    if counts:
        breakdowns = [
            label
            for label, chosen_one in (
                ("par initiative", chosen.by_initiative),
                ("par public cible", chosen.by_audience),
            )
            if chosen_one
        ]
        pairs += [
            ("Découpage des compteurs", PERIOD_CHOICES[chosen.period]),
            ("Ventilé aussi", " et ".join(breakdowns) if breakdowns else "non"),
        ]
    return pairs


TITLES = {
    "actions": "Actions de sensibilisation",
    "compteurs": "Personnes sensibilisées par période",
    "partenaires": "Contributions des partenaires par année",
}


def export_about(sheet, dataset, plan, chosen):
    """The « À propos » sheet of a manager's export."""
    return xlsx.About(
        sheet=sheet,
        title=f"{TITLES[dataset]} — {plan.title} ({plan.territory})",
        extracted_at=timezone.now(),
        filters=described_filters(chosen, counts=dataset == "compteurs"),
        definitions=DEFINITIONS[dataset],
    )


def every_territory_about(sheet, dataset, territories, chosen):
    """The « À propos » sheet of the national network's export of every territory."""
    return xlsx.About(
        sheet=sheet,
        title=f"{TITLES[dataset]} — tous les territoires ({territories})",
        extracted_at=timezone.now(),
        filters=[
            ("Territoires", EVERY_TERRITORY),
            *described_filters(chosen, counts=dataset == "compteurs"),
        ],
        definitions=[*DEFINITIONS[dataset], EVERY_TERRITORY_DEFINITION],
    )


EVERY_TERRITORY = (
    "Tous les territoires : le plan en cours de chacun, un territoire après l'autre, dans "
    "l'ordre de leurs noms"
)
EVERY_TERRITORY_DEFINITION = (
    "« territoire » : le territoire de la ligne. Chaque territoire a ses propres lignes, "
    "celles de son propre export ; les compteurs finissent par le total de chaque "
    "territoire, puis celui de tous."
)


def selection_name(file_format, today):
    return _with_extension("actions-selection", file_format, today)


def selection_about():
    return xlsx.About(
        sheet="Actions",
        title=TITLES["actions"],
        extracted_at=timezone.now(),
        filters=[("Sélection", "Les actions cochées dans la liste de l'administration")],
        definitions=DEFINITIONS["actions"],
    )


OPEN_DATA_DEFINITIONS = [
    "Les personnes sensibilisées par les actions validées par l'équipe du territoire, "
    "par mois, initiative et public cible. Aucune donnée personnelle n'y figure.",
    "« mois » : mois des actions, au format AAAA-MM ; « actions » : nombre d'actions "
    "validées ayant touché ce public ce mois-là.",
    "« dont_femmes_ou_filles » ne compte que les personnes dont le sexe est connu, "
    "qu'indique « personnes_dont_le_sexe_est_connu » : la part des femmes se calcule "
    "sur ces dernières.",
    "Mise à jour : date et heure de la dernière modification d'une action validée "
    "(validation, correction, suppression ou retour à son organisateur).",
]


OPEN_EVENTS_DEFINITIONS = [
    "Une ligne par action validée par l'équipe du territoire, la plus ancienne "
    "d'abord : ce que montre la liste publique des actions. Aucune donnée personnelle "
    "n'y figure : ni contact, ni note interne, ni auteur des saisies ; un partenaire "
    "qui ne souhaite pas être nommé y figure comme « Autre partenaire ».",
    OPEN_DATA_DEFINITIONS[2],
    OPEN_DATA_DEFINITIONS[3],
]


def open_data_about(coverage, updated_at, licence, source, *, events=False):
    """The « À propos » sheet of an open-data workbook (`open_files.Coverage`): the
    counts', or with `events` the validated actions'."""
    return xlsx.About(
        sheet="Actions" if events else "Compteurs",
        title=f"Données ouvertes — {coverage.title} ({coverage.territory})",
        extracted_at=timezone.now(),
        details=[("Chiffres mis à jour le", moment(updated_at) if updated_at else "—")],
        filters=[
            ("Statut des actions", filters.STATUS_LABELS["validee"]),
            (
                "Découpage",
                "Une ligne par action"
                if events
                else "Par mois, par territoire, par initiative et par public cible",
            ),
        ],
        definitions=OPEN_EVENTS_DEFINITIONS if events else OPEN_DATA_DEFINITIONS,
        licence=licence,
        source=source,
    )


def download(name, columns, rows, chosen_format, about, *, stream=True):
    """The file of `rows` in `chosen_format`: a CSV dialect's key, or « xlsx »."""
    if chosen_format == xlsx.KEY:
        return xlsx.response(name, columns, rows, about, stream=stream)
    return writer.response(name, columns, rows, writer.DIALECTS[chosen_format], stream=stream)
