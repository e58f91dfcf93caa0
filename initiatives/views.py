"""The plan's public pages: the plan itself, its initiatives, one initiative.

Every figure comes from indicators.stats; each page runs a fixed number of
queries (prefetches, grouped sums), whatever the number of events."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.shortcuts import render
from django.utils import timezone

from feminisation.cache import public_page
from indicators.figures import charts, stats
from initiatives.models import ActionPlan, Audience, Initiative
from partners.models import Partner
from territories.site import territory_site

MONTHS_SHOWN = 12
LATEST_EVENTS = 10


@dataclass(frozen=True)
class TextBlock:
    """A paragraph, or a list when its lines start with « - »."""

    items: list
    is_list: bool = False


def text_blocks(text):
    """The plan's free text as the admin typed it: blank lines part paragraphs, and
    lines starting with « - » form a list."""
    blocks = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        paragraph, items = [], []
        for line in filter(None, (line.strip() for line in chunk.split("\n"))):
            if line.startswith("- "):
                if paragraph:
                    blocks.append(TextBlock([" ".join(paragraph)]))
                    paragraph = []
                items.append(line[2:].strip())
            else:
                if items:
                    blocks.append(TextBlock(items, is_list=True))
                    items = []
                paragraph.append(line)
        if paragraph:
            blocks.append(TextBlock([" ".join(paragraph)]))
        if items:
            blocks.append(TextBlock(items, is_list=True))
    return blocks


def no_plan(request, page_title):
    """Said with a 200: the site exists, its plan is simply not published yet."""
    return render(request, "initiatives/no_plan.html", {"page_title": page_title})


@territory_site
@public_page()
def plan(request):
    plan = ActionPlan.objects.current(request.territory)
    if plan is None:
        return no_plan(request, "Le plan d'action")
    audiences = (
        Audience.objects.filter(initiatives__plan=plan)
        .distinct()
        .prefetch_related(
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.filter(plan=plan).only(
                    "plan", "number", "title", "slug"
                ),
                to_attr="plan_initiatives",
            )
        )
    )
    contacts = plan.contacts.filter(is_public=True).select_related("partner")
    return render(
        request,
        "initiatives/plan.html",
        {
            "plan": plan,
            "totals": stats.totals(stats.Scope(plan)),
            "summary": text_blocks(plan.summary),
            "finding": text_blocks(plan.finding),
            "objectives": text_blocks(plan.objectives),
            "indicator": text_blocks(plan.indicator),
            "obstacles": text_blocks(plan.obstacles),
            "audiences": audiences,
            "stakeholders": plan.stakeholders.public().order_by(Lower("name")),
            "supporters": plan.supporters.public().order_by(Lower("name")),
            "contacts": contacts,
            "links": plan.links.all(),
        },
    )


def _initiatives(plan):
    """The plan's initiatives with their public partners and audiences prefetched."""
    public_partners = Partner.objects.public().only("name", "short_name", "slug", "website")
    return plan.initiatives.order_by("number").prefetch_related(
        Prefetch("lead_partners", queryset=public_partners),
        Prefetch("associated_partners", queryset=public_partners),
        "audiences",
    )


@territory_site
@public_page()
def initiative_list(request):
    plan = ActionPlan.objects.current(request.territory)
    if plan is None:
        return no_plan(request, "Les initiatives du plan")
    rows = stats.by_initiative(stats.Scope(plan))
    reached = {row.key.pk: row for row in rows}
    initiatives = list(_initiatives(plan))
    for initiative in initiatives:
        initiative.figures = reached.get(initiative.pk, stats.Row())
    chart = charts.BarChart(
        id="graphique-initiatives",
        title="Personnes sensibilisées par initiative, depuis le début du plan",
        rows=rows,
        label_header="Initiative",
    )
    return render(
        request,
        "initiatives/initiative_list.html",
        {"plan": plan, "initiatives": initiatives, "chart": chart},
    )


@territory_site
@public_page()
def initiative_detail(request, slug):
    plan = ActionPlan.objects.current(request.territory)
    initiative = None
    if plan is not None:
        initiative = (
            _initiatives(plan).prefetch_related("achievements", "links").filter(slug=slug).first()
        )
    if initiative is None:
        # Rendered here rather than raised, so the visitor stays in the site's layout.
        return render(request, "initiatives/initiative_not_found.html", {"slug": slug}, status=404)

    scope = stats.Scope(plan, initiative=initiative)
    today = timezone.localdate()
    # The last months up to today, as on the dashboard: an action dated later
    # (entered ahead) would push them out.
    months = [m for m in stats.by_month(scope, today=today) if m.month <= today][-MONTHS_SHOWN:]
    audiences = set(initiative.audiences.all())
    by_audience = [row for row in stats.by_audience(scope) if row.events or row.key in audiences]
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "plan": plan,
            "initiative": initiative,
            "description": text_blocks(initiative.description),
            "totals": stats.totals(scope),
            "monthly_chart": charts.BarChart(
                id="graphique-mois",
                title=f"Personnes sensibilisées par mois, sur les {MONTHS_SHOWN} derniers mois",
                rows=months,
                label_header="Mois",
            ),
            "cumulative_chart": charts.BarChart(
                id="graphique-cumul",
                title=(
                    "Cumul des personnes sensibilisées depuis le début du plan, "
                    f"à la fin de chacun des {MONTHS_SHOWN} derniers mois"
                ),
                rows=months,
                label_header="Mois",
                value="cumulative_people",
                value_header="Cumul des personnes sensibilisées",
                show_women=False,
            ),
            "audience_chart": charts.BarChart(
                id="graphique-publics",
                title="Personnes sensibilisées par public cible",
                rows=by_audience,
                label_header="Public cible",
            ),
            "events": stats.latest_events(scope, limit=LATEST_EVENTS),
        },
    )
