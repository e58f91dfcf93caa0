"""The instance's own pages when it serves several territories: the list of
territories at `/`, and the national comparison (`/national/`) with its files. The
figures are `stats.by_territory`'s; the columns, `territories.national`'s."""

from django.shortcuts import render
from django.utils import timezone

from feminisation.cache import public_page
from indicators.exports import xlsx
from indicators.exports.open_files import LICENCE, LICENCE_URL
from indicators.figures import stats
from indicators.views import downloads
from indicators.views.exports import OPEN_FORMAT_ERROR, OPEN_FORMATS
from territories import national as comparison
from territories.middleware import site_path


def territory_list(request):
    """What `/` shows on an instance with several territories (the dashboard's view
    calls it, under its cache)."""
    rows, total = stats.by_territory(today=timezone.localdate())
    if not rows:
        return render(request, "indicators/no_plan.html")
    context = {
        "territories": [{"row": row, "url": site_path(row.territory, request)} for row in rows],
        "total": total,
    }
    return render(request, "territories/territory_list.html", context)


@public_page("tri")
def national(request):
    key, descending = comparison.order(request.GET.get("tri"))
    rows, total = stats.by_territory(today=timezone.localdate())
    rows = comparison.sorted_rows(rows, key, descending)
    columns = [
        {
            "measure": measure,
            "tri": comparison.link_for(measure.key, key, descending),
            "sorted": ("descending" if descending else "ascending") if measure.key == key else "",
        }
        for measure in comparison.MEASURES
    ]
    context = {
        "territories": [{"row": row, "url": site_path(row.territory, request)} for row in rows],
        "total": total,
        "columns": columns,
        "sorted_by": comparison.BY_KEY[key],
        "descending": descending,
    }
    return render(request, "territories/national.html", context)


FILE_DEFINITIONS = [
    "Une ligne par Territoire d'Industrie, puis le total national : les chiffres du plan "
    "d'action en cours de chaque territoire depuis son début, actions validées seulement.",
    "« dont_femmes_ou_filles » ne compte que les personnes dont le sexe est connu : la part "
    "des femmes se calcule sur « personnes_dont_le_sexe_est_connu ».",
    "« population » : population légale des communes des intercommunalités (SIREN) du "
    "territoire ; le total national et son taux pour 1 000 habitants ne comptent que les "
    "territoires dont la population est connue.",
    "« objectif_atteint_pourcent » : personnes sensibilisées dans l'année sur l'objectif de "
    "l'année du plan (tous publics, toutes initiatives) ; le total ne compte que les "
    "territoires qui en ont un.",
]


@public_page("format")
def national_file(request):
    """The comparison as a CSV file (`?format=csv` or `excel`) or a workbook (`xlsx`)."""
    try:
        chosen_format = downloads.asked_format(request, OPEN_FORMATS, OPEN_FORMAT_ERROR)
    except downloads.Unreadable as error:
        return render(request, "400.html", {"message": str(error)}, status=400)
    today = timezone.localdate()
    rows, total = stats.by_territory(today=today, with_epcis=True)
    extension = "xlsx" if chosen_format == xlsx.KEY else "csv"
    about = None
    if chosen_format == xlsx.KEY:
        about = xlsx.About(
            sheet="Territoires",
            title="Les Territoires d'Industrie côte à côte — Mixité Industrie",
            extracted_at=timezone.now(),
            definitions=FILE_DEFINITIONS,
            licence=(LICENCE, LICENCE_URL),
            source=request.build_absolute_uri("/"),
        )
    return downloads.download(
        f"mixite-industrie-territoires-{today:%Y-%m-%d}.{extension}",
        comparison.FILE_COLUMNS,
        comparison.lines(rows, total),
        chosen_format,
        about,
        stream=False,
    )
