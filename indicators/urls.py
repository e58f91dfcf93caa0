from django.urls import path

from indicators import export_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("embed/compteur/", views.embed_counter, name="embed_counter"),
    path("exports/", export_views.export_page, name="exports"),
    path("exports/evenements.csv", export_views.events_csv, name="export_events"),
    path("exports/compteurs.csv", export_views.counts_csv, name="export_counts"),
    path("exports/partenaires.csv", export_views.partners_csv, name="export_partners"),
    path("donnees/", export_views.open_data, name="open_data"),
    path("donnees/compteurs.csv", export_views.open_counts_csv, name="open_counts_csv"),
    path("donnees/compteurs.json", export_views.open_counts_json, name="open_counts_json"),
    path("donnees/graphiques/<slug:chart_id>.csv", export_views.chart_data, name="chart_data"),
]
