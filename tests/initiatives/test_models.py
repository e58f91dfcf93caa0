import datetime

import pytest
from django.core.exceptions import ValidationError

from initiatives.enums import PartnerRole
from initiatives.models import ActionPlan, Initiative, PlanPartner
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_the_current_plan_is_the_latest_published_one():
    ActionPlanFactory(start_date=datetime.date(2020, 1, 1))
    current = ActionPlanFactory(start_date=datetime.date(2024, 1, 1))
    ActionPlanFactory(start_date=datetime.date(2026, 1, 1), draft=True)
    assert ActionPlan.objects.current() == current


def test_no_current_plan_when_none_is_published():
    ActionPlanFactory(draft=True)
    assert ActionPlan.objects.current() is None


def test_a_second_plan_may_reuse_initiative_numbers_and_slugs():
    first = InitiativeFactory(number=1, slug="reseau-verrelles")
    second_plan = ActionPlanFactory()
    InitiativeFactory(plan=second_plan, number=1, slug="reseau-verrelles")

    duplicate = Initiative(
        plan=first.plan, number=1, title="Autre", slug="reseau-verrelles", summary="…"
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Ce plan a déjà une initiative portant ce numéro." in error.value.messages
    assert "Ce plan a déjà une initiative avec cet identifiant d'URL." in error.value.messages


def test_stakeholders_and_supporters_are_per_plan():
    plan, later_plan = ActionPlanFactory(), ActionPlanFactory()
    region = PartnerFactory(name="Région Hauts-de-France")
    bank = PartnerFactory(name="Banque des Territoires")
    PlanPartner.objects.create(plan=plan, partner=region, role=PartnerRole.STAKEHOLDER)
    PlanPartner.objects.create(plan=plan, partner=bank, role=PartnerRole.SUPPORTER)
    PlanPartner.objects.create(plan=later_plan, partner=region, role=PartnerRole.SUPPORTER)

    assert list(plan.stakeholders) == [region]
    assert list(plan.supporters) == [bank]
    assert list(later_plan.supporters) == [region]


def test_a_plan_cannot_end_before_it_starts():
    plan = ActionPlanFactory.build(
        start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2024, 12, 31)
    )
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "La date de fin doit suivre la date de début." in error.value.messages
