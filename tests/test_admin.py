"""Every admin page and autocomplete of the project's models answers in a bounded
number of queries, and the lists that show related data make no query per row."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from indicators.models import ClosedYear
from initiatives.enums import PartnerRole
from initiatives.models import PlanPartner
from tests.geography.factories import CommuneFactory
from tests.indicators.factories import AudienceCountFactory, TargetFactory
from tests.initiatives.factories import (
    AchievementFactory,
    ActionPlanFactory,
    AudienceFactory,
    InitiativeFactory,
)
from tests.partners.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"partners", "geography", "initiatives", "indicators"}


def plan_with_partner():
    plan = ActionPlanFactory()
    plan.contacts.set([ContactFactory()])
    PlanPartner.objects.create(plan=plan, partner=PartnerFactory(), role=PartnerRole.SUPPORTER)
    return plan


def initiative_with_partners():
    initiative = InitiativeFactory()
    initiative.lead_partners.set([PartnerFactory()])
    initiative.audiences.set([AudienceFactory()])
    AchievementFactory(initiative=initiative)
    return initiative


# One object per registered model, with related rows so that inlines and
# autocomplete widgets render something.
OBJECT_MAKERS = {
    "partners.Partner": lambda: ContactFactory().partner,
    "partners.Contact": ContactFactory,
    "initiatives.ActionPlan": plan_with_partner,
    "initiatives.Audience": AudienceFactory,
    "initiatives.Initiative": initiative_with_partners,
    "initiatives.Achievement": AchievementFactory,
    "geography.Commune": CommuneFactory,
    "indicators.AwarenessEvent": lambda: AudienceCountFactory().event,
    "indicators.Target": TargetFactory,
    "indicators.ClosedYear": lambda: ClosedYear.objects.create(plan=ActionPlanFactory(), year=2020),
}

PROJECT_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS),
    key=lambda model: model._meta.label,
)

# The heaviest pages (an initiative's change form) make 11 queries, or 12 before the
# content types are cached.
MAX_QUERIES = 13
# The events' list counts the events behind each filter choice (facets): one query
# per filter, and one for the events awaiting validation or correction.
MAX_QUERIES_PER_MODEL = {"indicators.AwarenessEvent": 20}


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_admin_pages_open(admin_client, django_assert_max_num_queries, model):
    obj = OBJECT_MAKERS[model._meta.label]()
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    max_queries = MAX_QUERIES_PER_MODEL.get(opts.label, MAX_QUERIES)

    with django_assert_max_num_queries(max_queries):
        response = admin_client.get(changelist)
    assertContains(response, f"/{obj.pk}/change/")

    with django_assert_max_num_queries(max_queries):
        response = admin_client.get(changelist, {"q": "test"})
    assert response.status_code == 200

    with django_assert_max_num_queries(max_queries):
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert response.status_code == 200

    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    with django_assert_max_num_queries(max_queries):
        response = admin_client.get(change)
    assertContains(response, escape(str(obj)))


def test_every_model_edited_on_its_own_has_an_admin():
    """The lines of a plan, an initiative or an event are edited inside their parent."""
    assert {model._meta.label for model in PROJECT_MODELS} == set(OBJECT_MAKERS)


# session, user, two counts (filtered and total), the partners with their contacts
# counted
PARTNER_LIST_QUERIES = 5
# the same, then the initiatives' lead partners, and the plan and partner filters
INITIATIVE_LIST_QUERIES = 8


@pytest.mark.parametrize("rows", [2, 12])
def test_partner_list_counts_contacts_without_a_query_per_row(
    admin_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        ContactFactory.create_batch(2, partner=PartnerFactory())

    with django_assert_num_queries(PARTNER_LIST_QUERIES):
        response = admin_client.get(reverse("admin:partners_partner_changelist"))

    assertContains(response, '<td class="field-contacts_count">2</td>', count=rows, html=True)


@pytest.mark.parametrize("rows", [2, 12])
def test_initiative_list_names_lead_partners_without_a_query_per_row(
    admin_client, django_assert_num_queries, rows
):
    plan = ActionPlanFactory()
    leads = [
        PartnerFactory(name="Arc France"),
        PartnerFactory(name="Communauté d'agglomération du Pays de Saint-Omer", short_name="CAPSO"),
    ]
    for _ in range(rows):
        InitiativeFactory(plan=plan).lead_partners.set(leads)

    with django_assert_num_queries(INITIATIVE_LIST_QUERIES):
        response = admin_client.get(reverse("admin:initiatives_initiative_changelist"))

    assertContains(
        response,
        '<td class="field-lead_partners_list">Arc France, CAPSO</td>',
        count=rows,
        html=True,
    )


AUTOCOMPLETES = sorted(
    f"{source.model._meta.label}.{field}"
    for model_admin in admin.site._registry.values()
    if model_admin.model._meta.app_label in PROJECT_APPS
    for source in (model_admin, *model_admin.inlines)
    for field in source.autocomplete_fields
)


@pytest.mark.parametrize("source", AUTOCOMPLETES)
def test_autocompletes_offer_the_objects_by_name(
    admin_client, django_assert_max_num_queries, source
):
    label, field_name = source.rsplit(".", 1)
    opts = apps.get_model(label)._meta
    obj = OBJECT_MAKERS[opts.get_field(field_name).related_model._meta.label]()
    params = {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": field_name}

    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(reverse("admin:autocomplete"), {**params, "term": ""})

    assert {"id": str(obj.pk), "text": str(obj)} in response.json()["results"]
