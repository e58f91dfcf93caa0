"""The API's endpoints: each reads its filters with the dashboard's forms, asks
`indicators.figures.stats` (or the public querysets the pages use) and answers JSON.
No figure is computed here."""

from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from api import filters, schema, serializers
from api.french import InFrench
from api.public_view import PublicView, plain
from indicators.figures import stats
from indicators.views.exports import LICENCE, LICENCE_URL
from indicators.views.filters import PARAMS, DashboardFilterForm
from initiatives.models import Audience
from partners.models import Partner
from partners.public import plan_partners
from territories import national as comparison
from territories.middleware import site_path


def documented(name, serializer, **kwargs):
    """The view's OpenAPI description (api/schema.py)."""
    return extend_schema_view(get=extend_schema(**schema.operation(name, serializer, **kwargs)))


@documented("plan", serializers.PlanSerializer)
class PlanView(PublicView):
    def answer(self, request):
        plan = filters.territory_plan(request)
        plan.years = DashboardFilterForm(QueryDict(), plan=plan, today=timezone.localdate()).years
        plan.licence, plan.licence_url = LICENCE, LICENCE_URL
        plan.updated_at = stats.last_update(plan)
        return plain(serializers.PlanSerializer(plan).data), None


@documented("initiatives", serializers.InitiativeSerializer(many=True))
class InitiativeListView(PublicView):
    def answer(self, request):
        public_partners = Partner.objects.public().only("slug")
        initiatives = (
            filters.territory_plan(request)
            .initiatives.order_by("number")
            .prefetch_related(
                Prefetch("lead_partners", queryset=public_partners),
                Prefetch("associated_partners", queryset=public_partners),
                Prefetch("audiences", queryset=Audience.objects.only("slug")),
            )
        )
        return plain(serializers.InitiativeSerializer(initiatives, many=True).data), None


@documented("publics", serializers.AudienceSerializer(many=True))
class AudienceListView(PublicView):
    def answer(self, request):
        filters.territory_plan(request)
        audiences = Audience.objects.all()
        return plain(serializers.AudienceSerializer(audiences, many=True).data), None


@documented("partenaires", serializers.PartnerSerializer(many=True))
class PartnerListView(PublicView):
    def answer(self, request):
        partners, _credited = plan_partners(filters.territory_plan(request))
        return plain(serializers.PartnerSerializer(partners, many=True).data), None


@documented("actions", serializers.EventPageSerializer, actions=True)
class ActionListView(PublicView):
    params = (*filters.ApiActionFilterForm.base_fields, filters.TERRITORY)

    def answer(self, request):
        plan = filters.territory_plan(request)
        chosen, commune, number, per_page = filters.action_filters(request, plan)
        page = stats.action_page(chosen.scope(plan), number, commune=commune, per_page=per_page)
        updated_at = stats.last_update(plan)

        def link(number):
            # The parameters read, not the others: the answer is cached without them.
            kept = [
                (name, request.query_params.get(name)) for name in self.params if name != "page"
            ]
            kept += [("page", number)] if number > 1 else []
            query = urlencode([(name, value) for name, value in kept if value])
            return request.build_absolute_uri(request.path) + (f"?{query}" if query else "")

        answer = {
            "nombre": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "precedente": link(page.number - 1) if page.has_previous() else None,
            "suivante": link(page.number + 1) if page.has_next() else None,
            "filters": chosen,
            "commune": commune,
            "updated_at": updated_at,
            "events": page.object_list,
        }
        return plain(serializers.EventPageSerializer(answer).data), updated_at


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


class FiguresView(PublicView):
    """A figures endpoint: the dashboard's filters read, the stats module asked."""

    params = (*PARAMS, filters.TERRITORY)
    serializer = None

    def answer(self, request):
        plan = filters.territory_plan(request)
        chosen, today = filters.dashboard_filters(request, plan)
        updated_at = stats.last_update(plan)
        answer = self.figures(chosen, chosen.scope(plan), today)
        answer = replace(answer, filters=chosen, updated_at=updated_at)
        return plain(self.serializer(answer).data), updated_at

    def figures(self, chosen, scope, today):
        raise NotImplementedError


def _keyed(rows, key):
    return [replace(row, key=key(row.key)) for row in rows]


@documented("chiffres", serializers.TotalsSerializer, figures=True)
class TotalsView(FiguresView):
    serializer = serializers.TotalsSerializer

    def figures(self, chosen, scope, today):
        return TotalsAnswer(
            **asdict(stats.totals(scope)),
            venues=stats.venues_reached(scope),
            partners=stats.partners_involved(scope),
        )


@documented("par-initiative", serializers.BreakdownSerializer, figures=True)
class ByInitiativeView(FiguresView):
    serializer = serializers.BreakdownSerializer

    def figures(self, chosen, scope, today):
        return Answer(rows=_keyed(stats.by_initiative(scope), lambda key: key.slug))


@documented("par-public", serializers.BreakdownSerializer, figures=True)
class ByAudienceView(FiguresView):
    serializer = serializers.BreakdownSerializer

    def figures(self, chosen, scope, today):
        return Answer(rows=_keyed(stats.by_audience(scope), lambda key: key.slug))


@documented("par-format", serializers.BreakdownSerializer, figures=True)
class ByFormatView(FiguresView):
    serializer = serializers.BreakdownSerializer

    def figures(self, chosen, scope, today):
        return Answer(rows=stats.by_format(scope))


@documented("par-partenaire", serializers.BreakdownSerializer, figures=True)
class ByPartnerView(FiguresView):
    serializer = serializers.BreakdownSerializer

    def figures(self, chosen, scope, today):
        rows = stats.by_partner(scope)
        # by_partner keys its rows by (partner id, name); the API names partners by
        # their slug, as everywhere else, and « Autres partenaires » by none.
        ids = [partner_id for partner_id, _name in (row.key for row in rows) if partner_id]
        slugs = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}
        return Answer(rows=_keyed(rows, lambda key: slugs.get(key[0])))


@documented("par-mois", serializers.MonthsSerializer, figures=True)
class ByMonthView(FiguresView):
    serializer = serializers.MonthsSerializer

    def figures(self, chosen, scope, today):
        return Answer(rows=stats.by_month(scope, today=today))


@documented("objectifs", serializers.TargetsSerializer, figures=True)
class TargetsView(FiguresView):
    serializer = serializers.TargetsSerializer

    def figures(self, chosen, scope, today):
        year = chosen.target_year(today)
        progress = stats.target_progress(
            scope.plan, year, initiative=chosen.initiative, audience=chosen.audience
        )
        return TargetsAnswer(rows=progress, year=year)


@documented("territoires", serializers.NationalSerializer, national=True)
class TerritoriesView(PublicView):
    params = ("tri",)

    def answer(self, request):
        key, descending = comparison.order(request.query_params.get("tri"))
        rows, total = stats.by_territory(today=timezone.localdate(), with_epcis=True)
        rows = comparison.sorted_rows(rows, key, descending)

        def url(territory):
            return request.build_absolute_uri(site_path(territory, request))

        *lines, national = comparison.lines(rows, total, url=url)
        answer = {
            "year": total.year,
            "order": f"{comparison.DESCENDING if descending else ''}{key}",
            "lines": lines,
            "total": national,
        }
        return plain(serializers.NationalSerializer(answer).data), None


class UnknownAddressView(InFrench, APIView):
    """An address under /api/ that no endpoint serves, whatever the method: a 404
    in JSON like the API's other refusals, not the site's HTML page. Out of the
    schema: it is no endpoint."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(
            f"Aucune adresse de l'API ne correspond à « {request.path[:120]} » : "
            f"voyez la liste des adresses sur {reverse('api_docs')}."
        )
