"""The count rules hold twice: model validation says them in French before the
database, and the database refuses what slips past the forms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import AudienceCount, Target
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


def build_line(**values):
    return AudienceCount(
        event=AwarenessEventFactory(), audience=AudienceFactory(), **{"people": 10, **values}
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"people": -1}, "Le nombre de personnes ne peut pas être négatif."),
        ({"people": 5, "women": -2}, "Le nombre de femmes ne peut pas être négatif."),
        (
            {"people": 5, "women": 6},
            "Le nombre de femmes ne peut pas dépasser le nombre de personnes.",
        ),
    ],
)
def test_invalid_count_line_is_refused_in_french_and_by_the_database(values, message):
    line = build_line(**values)

    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert message in error.value.messages

    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()
    assert not AudienceCount.objects.exists()


def test_unknown_women_is_allowed_and_stays_unknown():
    line = build_line(people=12, women=None)
    line.full_clean()
    line.save()
    line.refresh_from_db()
    assert line.women is None


def test_one_line_per_audience_per_event():
    first = AudienceCountFactory()
    duplicate = AudienceCount(event=first.event, audience=first.audience, people=3)

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Cette action a déjà une ligne pour ce public." in error.value.messages

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert AudienceCount.objects.count() == 1


@pytest.mark.parametrize("scope", ["plan", "initiative", "audience", "initiative_and_audience"])
def test_one_target_per_scope_and_year(scope):
    initiative = InitiativeFactory()
    narrowing = {
        "plan": {},
        "initiative": {"initiative": initiative},
        "audience": {"audience": AudienceFactory()},
        "initiative_and_audience": {"initiative": initiative, "audience": AudienceFactory()},
    }[scope]
    TargetFactory(plan=initiative.plan, year=2026, **narrowing)
    duplicate = Target(plan=initiative.plan, year=2026, people=50, **narrowing)

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Un objectif existe déjà pour ce plan, cette année et ce périmètre." in (
        error.value.messages
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()

    # Another year, or a different scope, is a different target.
    Target(plan=initiative.plan, year=2027, people=50, **narrowing).full_clean()
    other_scope = {} if narrowing else {"initiative": initiative}
    Target(plan=initiative.plan, year=2026, people=50, **other_scope).full_clean()


def test_target_women_cannot_exceed_people():
    target = Target(plan=InitiativeFactory().plan, year=2026, people=10, women=11)
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert "L'objectif de femmes ne peut pas dépasser l'objectif de personnes." in (
        error.value.messages
    )


def test_target_initiative_must_belong_to_its_plan():
    target = Target(
        plan=InitiativeFactory().plan, initiative=InitiativeFactory(), year=2026, people=10
    )
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert error.value.message_dict["initiative"] == [
        "Cette initiative appartient à un autre plan d'action."
    ]
