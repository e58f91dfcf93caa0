from django.urls import path

from indicators.views import exports
from territories import views

# Every territory's open data together: the territories' files, with `national=True`.
NATIONAL = {"national": True}

urlpatterns = [
    path("national/", views.national, name="national"),
    path("national/territoires.csv", views.national_file, name="national_file"),
    path("national/donnees/", exports.open_data, NATIONAL, name="national_open_data"),
    path(
        "national/donnees/compteurs.csv",
        exports.open_counts_csv,
        NATIONAL,
        name="national_open_counts_csv",
    ),
    path(
        "national/donnees/compteurs.json",
        exports.open_counts_json,
        NATIONAL,
        name="national_open_counts_json",
    ),
    path(
        "national/donnees/actions.csv",
        exports.open_events_csv,
        NATIONAL,
        name="national_open_events_csv",
    ),
    path(
        "national/donnees/actions.json",
        exports.open_events_json,
        NATIONAL,
        name="national_open_events_json",
    ),
    path(
        "national/donnees/datapackage.json",
        exports.datapackage,
        NATIONAL,
        name="national_open_datapackage",
    ),
]
