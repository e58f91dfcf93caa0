"""The filter forms on their own: what they read, what they refuse, and the
queries they make before any page is rendered."""

import datetime

import pytest
from django.http import QueryDict

from indicators.enums import EventStatus
from indicators.views.filters import DashboardFilterForm, DashboardFilters, ExportFilterForm
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 9, 1)


def read(form_class, query, plan):
    form = form_class(QueryDict(query), plan=plan, today=TODAY)
    form.is_valid()
    return form


def test_no_filter_reads_without_a_query(plan, django_assert_num_queries):
    with django_assert_num_queries(0):
        form = read(ExportFilterForm, "", plan)

    assert form.error_message() is None
    assert form.export_request().filters == DashboardFilters()
    assert form.export_request().period == "mois"
    assert form.export_request().file_format == "excel"


@pytest.mark.parametrize("slug", ["a\x00b", "x" * 101, "é", "a b"])
def test_a_slug_that_cannot_exist_is_refused_before_the_database(
    plan, slug, django_assert_num_queries
):
    with django_assert_num_queries(0):
        form = read(ExportFilterForm, f"organisateur={slug}", plan)

    assert form.unreadable_message().startswith("Aucun partenaire ne correspond à « ")


def test_each_chosen_object_costs_one_query(world, plan, django_assert_num_queries):
    with django_assert_num_queries(2):
        form = read(DashboardFilterForm, "initiative=portraits-corif&public=filles", plan)

    assert form.filters() == DashboardFilters(initiative=world["corif"], audience=world["filles"])


def test_an_initiative_of_another_plan_is_unknown(world, plan):
    other = Initiative.objects.exclude(plan=plan).first()

    form = read(DashboardFilterForm, f"initiative={other.slug}", plan)

    assert form.unreadable_message() == (
        f"Aucune initiative du plan ne correspond à « {other.slug} »."
    )


def test_an_unusable_period_is_not_unreadable_and_is_dropped_whole(world, plan):
    form = read(DashboardFilterForm, "du=2025-06-01&au=2025-01-01&public=filles", plan)

    assert form.unreadable_message() is None
    assert form.error_message() == "La date de début doit précéder la date de fin."
    assert form.filters() == DashboardFilters(audience=world["filles"])


def test_the_unreadable_value_is_told_before_the_unusable_choice(plan):
    form = read(ExportFilterForm, "annee=2025&du=2025-01-01&format=xls", plan)

    assert form.unreadable_message().startswith("Le format « xls » n'existe pas")
    assert form.error_message() == form.unreadable_message()


def test_every_status_and_breakdown_is_read(plan):
    chosen = read(
        ExportFilterForm, "statut=toutes&par=annee&selon=public&format=csv&annee=2024", plan
    ).export_request()

    assert chosen.filters.statuses == tuple(EventStatus.values)
    assert chosen.filters.year == 2024
    assert (chosen.period, chosen.file_format) == ("annee", "csv")
    assert (chosen.by_initiative, chosen.by_audience) == (False, True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "annee=2027",
            "L'année « 2027 » n'est pas valide : choisissez une année entre 2000 et 2026.",
        ),
        ("annee=%D9%A2%D9%A0%D9%A2%D9%A5", "L'année « ٢٠٢٥ » n'est pas valide"),
        ("du=2101-01-01", "La date de début doit être comprise entre 2000 et 2100."),
        ("par=semaine&par=mois", "Le filtre « par » est donné plusieurs fois : gardez-en un seul."),
    ],
)
def test_unreadable_values(plan, query, message):
    assert read(ExportFilterForm, query, plan).unreadable_message().startswith(message)
