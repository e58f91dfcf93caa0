from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularJSONAPIView

from api import docs, views
from api.french import InFrench


class SchemaView(InFrench, SpectacularJSONAPIView):
    pass


urlpatterns = [
    # Where a developer types first: the documentation lists every address.
    path("", RedirectView.as_view(pattern_name="api_docs"), name="api_root"),
    path("plan/", views.PlanView.as_view(), name="api_plan"),
    path("initiatives/", views.InitiativeListView.as_view(), name="api_initiatives"),
    path("publics/", views.AudienceListView.as_view(), name="api_audiences"),
    path("partenaires/", views.PartnerListView.as_view(), name="api_partners"),
    path("actions/", views.ActionListView.as_view(), name="api_actions"),
    path("chiffres/", views.TotalsView.as_view(), name="api_totals"),
    path("chiffres/par-initiative/", views.ByInitiativeView.as_view(), name="api_by_initiative"),
    path("chiffres/par-public/", views.ByAudienceView.as_view(), name="api_by_audience"),
    path("chiffres/par-format/", views.ByFormatView.as_view(), name="api_by_format"),
    path("chiffres/par-partenaire/", views.ByPartnerView.as_view(), name="api_by_partner"),
    path("chiffres/par-mois/", views.ByMonthView.as_view(), name="api_by_month"),
    path("chiffres/objectifs/", views.TargetsView.as_view(), name="api_targets"),
    path("territoires/", views.TerritoriesView.as_view(), name="api_territories"),
    path("schema/", SchemaView.as_view(), name="api_schema"),
    path("docs/", docs.documentation, name="api_docs"),
]
