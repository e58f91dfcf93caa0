"""The API's endpoints: each reads its filters with the dashboard's forms, asks
`indicators.figures.stats` (or the public querysets the pages use) and answers JSON.
No figure is computed here."""

from dataclasses import asdict, dataclass, replace

from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api import filters, schema, serializers
from api.conditional import ConditionalView
from indicators.figures import stats
from indicators.views.exports import LICENCE, LICENCE_URL
from indicators.views.filters import DashboardFilterForm
from initiatives.models import ActionPlan, Audience
from partners.models import Partner
from partners.public import plan_partners


def current_plan():
    plan = ActionPlan.objects.current()
    if plan is None:
        raise NotFound("Aucun plan d'action n'est publié.")
    return plan


@dataclass(frozen=True)
class Answer:
    """What a figures endpoint answers: the filters, the figures' last change, and
    its rows."""

    filters: object = None
    updated_at: object = None
    rows: list = ()


@dataclass(frozen=True)
class TotalsAnswer(stats.Totals):
    filters: object = None
    updated_at: object = None
    venues: int = 0
    partners: int = 0


@dataclass(frozen=True)
class TargetsAnswer(Answer):
    year: int = None


class PlanView(ConditionalView):
    @extend_schema(**schema.operation("plan", serializers.PlanSerializer))
    def get(self, request):
        plan = current_plan()
        today = timezone.localdate()
        plan.years = DashboardFilterForm(QueryDict(), plan=plan, today=today).years
        plan.licence, plan.licence_url = LICENCE, LICENCE_URL
        plan.updated_at = stats.last_update(plan)
        return Response(serializers.PlanSerializer(plan).data)


class InitiativeListView(ConditionalView):
    @extend_schema(**schema.operation("initiatives", serializers.InitiativeSerializer(many=True)))
    def get(self, request):
        public_partners = Partner.objects.public().only("slug")
        initiatives = (
            current_plan()
            .initiatives.order_by("number")
            .prefetch_related(
                Prefetch("lead_partners", queryset=public_partners),
                Prefetch("associated_partners", queryset=public_partners),
                Prefetch("audiences", queryset=Audience.objects.only("slug")),
            )
        )
        return Response(serializers.InitiativeSerializer(initiatives, many=True).data)


class AudienceListView(ConditionalView):
    @extend_schema(**schema.operation("publics", serializers.AudienceSerializer(many=True)))
    def get(self, request):
        current_plan()
        return Response(serializers.AudienceSerializer(Audience.objects.all(), many=True).data)


class PartnerListView(ConditionalView):
    @extend_schema(**schema.operation("partenaires", serializers.PartnerSerializer(many=True)))
    def get(self, request):
        partners, _credited = plan_partners(current_plan())
        return Response(serializers.PartnerSerializer(partners, many=True).data)


class ActionListView(ConditionalView):
    @extend_schema(**schema.operation("actions", serializers.EventPageSerializer, actions=True))
    def get(self, request):
        plan = current_plan()
        chosen, commune, number, per_page = filters.action_filters(request, plan)
        page = stats.action_page(chosen.scope(plan), number, commune=commune, per_page=per_page)
        self.last_modified = stats.last_update(plan)
        url = request.build_absolute_uri()
        answer = {
            "nombre": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "precedente": None,
            "suivante": None,
            "filters": chosen,
            "commune": commune,
            "updated_at": self.last_modified,
            "events": page.object_list,
        }
        if page.has_previous():
            previous = page.previous_page_number()
            answer["precedente"] = (
                replace_query_param(url, "page", previous)
                if previous > 1
                else remove_query_param(url, "page")
            )
        if page.has_next():
            answer["suivante"] = replace_query_param(url, "page", page.next_page_number())
        return Response(serializers.EventPageSerializer(answer).data)


class FiguresView(ConditionalView):
    """A figures endpoint: the dashboard's filters read, the stats module asked."""

    serializer = None

    def get(self, request):
        plan = current_plan()
        chosen, today = filters.dashboard_filters(request, plan)
        self.last_modified = stats.last_update(plan)
        answer = self.figures(chosen, chosen.scope(plan), today)
        answer = replace(answer, filters=chosen, updated_at=self.last_modified)
        return Response(self.serializer(answer).data)


class TotalsView(FiguresView):
    serializer = serializers.TotalsSerializer

    @extend_schema(**schema.operation("chiffres", serializer, figures=True))
    def get(self, request):
        return super().get(request)

    def figures(self, chosen, scope, today):
        return TotalsAnswer(
            **asdict(stats.totals(scope)),
            venues=stats.venues_reached(scope),
            partners=stats.partners_involved(scope),
        )


def _keyed(rows, key):
    return [replace(row, key=key(row.key)) for row in rows]


class ByInitiativeView(FiguresView):
    serializer = serializers.BreakdownSerializer

    @extend_schema(**schema.operation("par-initiative", serializer, figures=True))
    def get(self, request):
        return super().get(request)

    def figures(self, chosen, scope, today):
        return Answer(rows=_keyed(stats.by_initiative(scope), lambda key: key.slug))


class ByAudienceView(FiguresView):
    serializer = serializers.BreakdownSerializer

    @extend_schema(**schema.operation("par-public", serializer, figures=True))
    def get(self, request):
        return super().get(request)

    def figures(self, chosen, scope, today):
        return Answer(rows=_keyed(stats.by_audience(scope), lambda key: key.slug))


class ByFormatView(FiguresView):
    serializer = serializers.BreakdownSerializer

    @extend_schema(**schema.operation("par-format", serializer, figures=True))
    def get(self, request):
        return super().get(request)

    def figures(self, chosen, scope, today):
        return Answer(rows=stats.by_format(scope))


class ByPartnerView(FiguresView):
    serializer = serializers.BreakdownSerializer

    @extend_schema(**schema.operation("par-partenaire", serializer, figures=True))
    def get(self, request):
        return super().get(request)

    def figures(self, chosen, scope, today):
        rows = stats.by_partner(scope)
        # by_partner keys its rows by (partner id, name); the API names partners by
        # their slug, as everywhere else, and « Autres partenaires » by none.
        ids = [partner_id for partner_id, _name in (row.key for row in rows) if partner_id]
        slugs = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}
        return Answer(rows=_keyed(rows, lambda key: slugs.get(key[0])))


class ByMonthView(FiguresView):
    serializer = serializers.MonthsSerializer

    @extend_schema(**schema.operation("par-mois", serializer, figures=True))
    def get(self, request):
        return super().get(request)

    def figures(self, chosen, scope, today):
        return Answer(rows=stats.by_month(scope, today=today))


class TargetsView(FiguresView):
    serializer = serializers.TargetsSerializer

    @extend_schema(**schema.operation("objectifs", serializer, figures=True))
    def get(self, request):
        return super().get(request)

    def figures(self, chosen, scope, today):
        year = chosen.target_year(today)
        progress = stats.target_progress(
            scope.plan, year, initiative=chosen.initiative, audience=chosen.audience
        )
        return TargetsAnswer(rows=progress, year=year)
