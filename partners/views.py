"""The territory's current plan's partners: their list, and a page for each published one."""

from dataclasses import dataclass, field, replace

from django.shortcuts import render

from feminisation.cache import public_page
from indicators.figures import stats
from initiatives.enums import PartnerRole
from initiatives.models import ActionPlan
from initiatives.views import no_plan
from partners.enums import PartnerKind
from partners.models import Partner
from partners.public import plan_partners, plan_role, with_plan_initiatives
from territories.site import territory_site

KIND_ORDER = {kind: index for index, kind in enumerate(PartnerKind.values)}
LATEST_EVENTS = 20


@dataclass
class Group:
    id: str
    title: str
    intro: str
    kinds: list = field(default_factory=list)


def _role_label(partner):
    return PartnerRole(partner.plan_role).label if partner.plan_role else ""


def _only_supports(partner, events):
    """A funder or an institutional supporter that organises no action: shown for
    what it supports, without counters that would only say zero."""
    supports = partner.plan_role == PartnerRole.SUPPORTER or partner.kind == (
        PartnerKind.STATE_OR_FUNDER
    )
    return supports and not events


def _grouped_by_kind(partners):
    """[(kind label, [partners…]), …] in the enum's order, partners by name."""
    kinds = {}
    for partner in sorted(partners, key=lambda p: (KIND_ORDER.get(p.kind, 99), p.name.lower())):
        kinds.setdefault(partner.get_kind_display(), []).append(partner)
    return list(kinds.items())


@territory_site
@public_page()
def partner_list(request):
    plan = ActionPlan.objects.current(request.territory)
    if plan is None:
        return no_plan(request, "Les partenaires du plan")

    partners, credited = plan_partners(plan)

    groups = {
        PartnerRole.STAKEHOLDER: Group(
            "parties-prenantes",
            "Les parties prenantes",
            "Les organisations qui mènent le plan d'action et ses initiatives.",
        ),
        PartnerRole.SUPPORTER: Group(
            "soutiens",
            "Les soutiens",
            "Les institutions qui soutiennent la démarche, dans le cadre du programme "
            "Territoires d'Industrie.",
        ),
        None: Group(
            "autres-partenaires",
            "Les autres partenaires",
            "Les organisations qui ont organisé ou co-organisé des actions de sensibilisation, "
            "ou qui sont associées à une initiative.",
        ),
    }
    members = {role: [] for role in groups}
    for partner in partners:
        partner.figures = credited.get(partner.pk, stats.Row())
        partner.only_supports = _only_supports(partner, partner.figures.events)
        partner.role_label = _role_label(partner)
        members[partner.plan_role if partner.plan_role in groups else None].append(partner)
    for role, group in groups.items():
        group.kinds = _grouped_by_kind(members[role])

    return render(
        request,
        "partners/partner_list.html",
        {"plan": plan, "groups": [group for group in groups.values() if group.kinds]},
    )


def _not_found(request, slug):
    # Rendered rather than raised, so the visitor stays in the site's layout.
    return render(request, "partners/partner_not_found.html", {"slug": slug}, status=404)


@territory_site
@public_page()
def partner_detail(request, slug):
    """A published partner of the current plan: who it is, its role, the initiatives
    it leads or is associated with, and its validated actions with their figures."""
    plan = ActionPlan.objects.current(request.territory)
    if plan is None:
        return _not_found(request, slug)
    partner = with_plan_initiatives(
        Partner.objects.public().annotate(plan_role=plan_role(plan)).filter(slug=slug), plan
    ).first()
    if partner is None:
        return _not_found(request, slug)
    scope = stats.Scope(plan)
    years, total = stats.partner_years(scope, partner)
    # Like the list: a partner without a role, an initiative or an action in the
    # current plan is not one of its partners.
    if not (partner.plan_role or partner.plan_led or partner.plan_associated or years):
        return _not_found(request, slug)
    only_supports = _only_supports(partner, total.events)
    return render(
        request,
        "partners/partner_detail.html",
        {
            "plan": plan,
            "partner": partner,
            "role": _role_label(partner),
            "only_supports": only_supports,
            "years": years,
            "total": total,
            "events": []
            if only_supports
            else stats.latest_events(replace(scope, partner=partner), limit=LATEST_EVENTS),
        },
    )
