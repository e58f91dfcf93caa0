"""The public list of the current plan's partners."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import render

from feminisation.cache import public_page
from indicators.figures import stats
from initiatives.enums import PartnerRole
from initiatives.models import ActionPlan, Initiative, PlanPartner
from initiatives.views import no_plan
from partners.enums import PartnerKind
from partners.models import Partner

KIND_ORDER = {kind: index for index, kind in enumerate(PartnerKind.values)}


@dataclass
class Group:
    id: str
    title: str
    intro: str
    kinds: list = field(default_factory=list)


def _grouped_by_kind(partners):
    """[(kind label, [partners…]), …] in the enum's order, partners by name."""
    kinds = {}
    for partner in sorted(partners, key=lambda p: (KIND_ORDER.get(p.kind, 99), p.name.lower())):
        kinds.setdefault(partner.get_kind_display(), []).append(partner)
    return list(kinds.items())


@public_page()
def partner_list(request):
    plan = ActionPlan.objects.current()
    if plan is None:
        return no_plan(request, "Les partenaires du plan")

    # by_partner keys its rows by (partner id, name).
    credited = {row.key[0]: row for row in stats.by_partner(stats.Scope(plan))}
    plan_initiatives = Initiative.objects.filter(plan=plan).only("plan", "number", "title", "slug")
    partners = (
        Partner.objects.public()
        .annotate(
            plan_role=Subquery(
                PlanPartner.objects.filter(plan=plan, partner=OuterRef("pk")).values("role")[:1]
            )
        )
        .filter(
            Q(plan_role__isnull=False)
            | Q(pk__in=list(credited))
            | Exists(plan_initiatives.filter(lead_partners=OuterRef("pk")))
            | Exists(plan_initiatives.filter(associated_partners=OuterRef("pk")))
        )
        .prefetch_related(
            Prefetch("led_initiatives", queryset=plan_initiatives, to_attr="plan_led"),
            Prefetch(
                "associated_initiatives", queryset=plan_initiatives, to_attr="plan_associated"
            ),
        )
    )

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
        members[partner.plan_role if partner.plan_role in groups else None].append(partner)
    for role, group in groups.items():
        group.kinds = _grouped_by_kind(members[role])

    return render(
        request,
        "partners/partner_list.html",
        {"plan": plan, "groups": [group for group in groups.values() if group.kinds]},
    )
