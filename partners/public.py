"""Which partners the public sees: the published ones that take part in the current
plan. The partners' pages and the API ask here."""

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery

from indicators.figures import stats
from initiatives.models import Initiative, PlanPartner
from partners.models import Partner


def plan_role(plan):
    return Subquery(
        PlanPartner.objects.filter(plan=plan, partner=OuterRef("pk")).values("role")[:1]
    )


def plan_initiatives(plan):
    return Initiative.objects.filter(plan=plan).only("plan", "number", "title", "slug")


def with_plan_initiatives(partners, plan):
    initiatives = plan_initiatives(plan)
    return partners.prefetch_related(
        Prefetch("led_initiatives", queryset=initiatives, to_attr="plan_led"),
        Prefetch("associated_initiatives", queryset=initiatives, to_attr="plan_associated"),
    )


def plan_partners(plan):
    """The plan's public partners, each with its `plan_role` (or None) and the plan's
    initiatives it leads (`plan_led`) and is associated with (`plan_associated`):
    the published partners with a role in the plan, a validated action, or an
    initiative. Returned with their credited figures, {partner id: stats.Row}."""
    # by_partner keys its rows by (partner id, name).
    credited = {row.key[0]: row for row in stats.by_partner(stats.Scope(plan))}
    initiatives = plan_initiatives(plan)
    partners = with_plan_initiatives(
        Partner.objects.public()
        .annotate(plan_role=plan_role(plan))
        .filter(
            Q(plan_role__isnull=False)
            | Q(pk__in=list(credited))
            | Exists(initiatives.filter(lead_partners=OuterRef("pk")))
            | Exists(initiatives.filter(associated_partners=OuterRef("pk")))
        ),
        plan,
    )
    return partners, credited
