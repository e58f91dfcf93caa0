from django.urls import path

from indicators.views import actions, dashboard, exports, reports, territory

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("actions/", actions.action_list, name="action_list"),
    path("territoire/", territory.territory, name="territory"),
    path("embed/compteur/", dashboard.embed_counter, name="embed_counter"),
    path("exports/", exports.export_page, name="exports"),
    path("exports/evenements.csv", exports.events_csv, name="export_events"),
    path("exports/compteurs.csv", exports.counts_csv, name="export_counts"),
    path("exports/partenaires.csv", exports.partners_csv, name="export_partners"),
    path("exports/bilan/<int:year>/", reports.annual_report, name="annual_report"),
    path("donnees/", exports.open_data, name="open_data"),
    path("donnees/compteurs.csv", exports.open_counts_csv, name="open_counts_csv"),
    path("donnees/compteurs.json", exports.open_counts_json, name="open_counts_json"),
    path("donnees/actions.csv", exports.open_events_csv, name="open_events_csv"),
    path("donnees/actions.json", exports.open_events_json, name="open_events_json"),
    path("donnees/datapackage.json", exports.datapackage, name="open_datapackage"),
    path("donnees/graphiques/<slug:chart_id>.csv", exports.chart_data, name="chart_data"),
]
