"""The workflow's decision table, one row a test, asked of `indicators.workflow`
directly: what the admin, its actions, the import and the restore all obey."""

import datetime

import pytest
from django.utils import timezone

from feminisation import access
from indicators import workflow
from indicators.enums import EventStatus
from indicators.models import ClosedYear
from tests.indicators.accounts import user_in
from tests.indicators.factories import AwarenessEventFactory
from tests.initiatives.factories import InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

DRAFT, SUBMITTED = EventStatus.DRAFT, EventStatus.SUBMITTED
RETURNED, VALIDATED = EventStatus.RETURNED, EventStatus.VALIDATED
LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def world():
    arc, capso, corif = (PartnerFactory(name=name) for name in ("Arc France", "CAPSO", "CORIF"))
    return {
        "initiative": InitiativeFactory(),
        "arc": arc,
        "capso": capso,
        "staff": user_in(access.TERRITORY_STAFF, "equipe"),
        "manager": user_in(access.MANAGERS, "responsable"),
        "owner": user_in(access.PARTNERS, "arc", organisations=[arc]),
        "co_organiser": user_in(access.PARTNERS, "capso", organisations=[capso]),
        "other": user_in(access.PARTNERS, "corif", organisations=[corif]),
    }


def event(world, status=DRAFT, closed=False):
    """An event of Arc France that CAPSO co-organises, in a closed year or not."""
    initiative = world["initiative"]
    date = datetime.date(LAST_YEAR, 6, 1)
    if closed:
        ClosedYear.objects.create(plan=initiative.plan, year=LAST_YEAR)
    return AwarenessEventFactory(
        initiative=initiative,
        organizer=world["arc"],
        co_organizers=[world["capso"]],
        date=date,
        status=status,
    )


@pytest.mark.parametrize(
    ("who", "status", "closed", "may_edit", "may_delete"),
    [
        ("staff", DRAFT, False, True, True),
        ("staff", VALIDATED, True, True, True),
        ("manager", SUBMITTED, False, False, False),
        ("owner", DRAFT, False, True, True),
        ("owner", RETURNED, False, True, True),
        ("owner", VALIDATED, False, True, False),
        ("owner", DRAFT, True, False, False),
        ("co_organiser", DRAFT, False, False, False),
        ("co_organiser", VALIDATED, False, False, False),
        ("other", DRAFT, False, False, False),
    ],
)
def test_who_may_edit_and_delete(world, who, status, closed, may_edit, may_delete):
    subject = event(world, status, closed)

    assert workflow.may_edit(world[who], subject) is may_edit
    assert workflow.may_delete(world[who], subject) is may_delete


def test_a_co_organiser_is_told_the_event_belongs_to_its_organiser(world):
    refusal = workflow.edit_refusal(world["co_organiser"], event(world))

    assert refusal == (
        "Cette action est organisée par « Arc France » : seuls son organisateur et l'équipe "
        "du territoire peuvent la modifier ou la supprimer."
    )


@pytest.mark.parametrize(
    ("who", "transition", "status", "closed", "refusal"),
    [
        ("owner", workflow.SUBMIT, DRAFT, False, None),
        ("owner", workflow.SUBMIT, RETURNED, False, None),
        ("owner", workflow.SUBMIT, SUBMITTED, False, workflow.IN_STATUS[SUBMITTED]),
        ("owner", workflow.SUBMIT, DRAFT, True, workflow.IN_CLOSED_YEAR),
        ("co_organiser", workflow.SUBMIT, DRAFT, False, workflow.NOT_OWNED),
        ("staff", workflow.SUBMIT, DRAFT, True, None),
        ("staff", workflow.VALIDATE, DRAFT, False, None),
        ("staff", workflow.VALIDATE, SUBMITTED, False, None),
        ("staff", workflow.VALIDATE, SUBMITTED, True, None),
        ("staff", workflow.VALIDATE, RETURNED, False, workflow.IN_STATUS[RETURNED]),
        ("staff", workflow.VALIDATE, VALIDATED, False, workflow.IN_STATUS[VALIDATED]),
        ("owner", workflow.VALIDATE, SUBMITTED, False, workflow.IN_STATUS[SUBMITTED]),
        ("manager", workflow.VALIDATE, SUBMITTED, False, workflow.IN_STATUS[SUBMITTED]),
        ("staff", workflow.RETURN, SUBMITTED, False, None),
        ("staff", workflow.RETURN, VALIDATED, False, None),
        ("staff", workflow.RETURN, DRAFT, False, workflow.IN_STATUS[DRAFT]),
        ("staff", workflow.RETURN, SUBMITTED, True, workflow.IN_CLOSED_YEAR),
    ],
)
def test_which_events_each_transition_changes(world, who, transition, status, closed, refusal):
    subject = event(world, status, closed)

    assert workflow.transition_refusal(world[who], subject, transition) == refusal


def test_only_staff_are_offered_validation_and_return(world):
    offered = {
        who: [t.name for t in workflow.TRANSITIONS if workflow.may_perform(world[who], t)]
        for who in ("staff", "manager", "owner")
    }

    assert offered == {
        "staff": ["submit", "validate", "return"],
        "manager": [],
        "owner": ["submit"],
    }


@pytest.mark.parametrize(
    ("who", "stored", "chosen", "changed", "after"),
    [
        ("owner", VALIDATED, SUBMITTED, True, SUBMITTED),
        ("owner", VALIDATED, DRAFT, True, DRAFT),
        ("owner", VALIDATED, SUBMITTED, False, VALIDATED),
        ("owner", RETURNED, SUBMITTED, True, SUBMITTED),
        ("owner", DRAFT, DRAFT, True, DRAFT),
        ("staff", VALIDATED, VALIDATED, True, VALIDATED),
        ("staff", SUBMITTED, VALIDATED, False, VALIDATED),
    ],
)
def test_the_status_an_edit_leaves(world, who, stored, chosen, changed, after):
    assert workflow.status_after_edit(world[who], stored, chosen, changed) == after


def test_a_partners_edit_of_a_validated_event_says_it_goes_back(world):
    subject = event(world, VALIDATED)
    subject.validated_at = timezone.now()

    notice = workflow.apply_edit(subject, world["owner"], VALIDATED, SUBMITTED, changed=True)

    assert notice == workflow.DEMOTED
    assert (subject.status, subject.validated_at) == (SUBMITTED, None)
    assert subject._change_reason == workflow.DEMOTED_REASON


@pytest.mark.parametrize(
    ("who", "stored", "chosen", "closed", "refusal"),
    [
        ("owner", DRAFT, VALIDATED, False, workflow.PARTNERS_NEVER_VALIDATE),
        ("owner", DRAFT, RETURNED, False, workflow.RETURNED_IS_NOT_CHOSEN),
        ("owner", VALIDATED, SUBMITTED, False, None),
        ("staff", RETURNED, VALIDATED, False, workflow.VALIDATE_A_RETURNED_EVENT),
        ("staff", DRAFT, VALIDATED, False, None),
        ("staff", None, VALIDATED, False, None),
        ("staff", SUBMITTED, RETURNED, False, None),
    ],
)
def test_which_status_an_edit_may_choose(world, who, stored, chosen, closed, refusal):
    assert workflow.status_refusal(world[who], stored, chosen, closed) == refusal


def test_staff_cannot_return_a_closed_years_event_or_a_draft(world):
    assert workflow.status_refusal(world["staff"], SUBMITTED, RETURNED, closed_year=True)
    assert workflow.status_refusal(world["staff"], DRAFT, RETURNED)


@pytest.mark.parametrize(
    ("who", "recorded", "requested", "content_changed", "after"),
    [
        ("owner", SUBMITTED, DRAFT, False, SUBMITTED),
        ("owner", DRAFT, SUBMITTED, False, SUBMITTED),
        ("owner", VALIDATED, None, True, SUBMITTED),
        ("owner", VALIDATED, SUBMITTED, False, VALIDATED),
        ("staff", VALIDATED, None, True, VALIDATED),
        ("staff", SUBMITTED, VALIDATED, False, VALIDATED),
    ],
)
def test_an_import_never_moves_an_event_back(
    world, who, recorded, requested, content_changed, after
):
    assert workflow.status_after_import(world[who], recorded, requested, content_changed) == after


@pytest.mark.parametrize(
    ("who", "status", "refusal"),
    [
        ("owner", VALIDATED, workflow.PARTNERS_NEVER_VALIDATE),
        ("owner", RETURNED, workflow.RETURNED_IS_NOT_IMPORTED),
        ("staff", RETURNED, workflow.RETURNED_IS_NOT_IMPORTED),
        ("staff", VALIDATED, None),
        ("owner", SUBMITTED, None),
    ],
)
def test_which_status_an_import_may_give(world, who, status, refusal):
    assert workflow.import_status_refusal(world[who], status) == refusal


@pytest.mark.parametrize(
    ("who", "may_restore"),
    [("staff", True), ("manager", False), ("owner", False)],
)
def test_only_staff_restore_deleted_events(world, who, may_restore):
    assert workflow.may_restore(world[who]) is may_restore


def test_an_organiser_is_never_its_own_co_organiser_nor_another_organisations(world):
    arc, capso = world["arc"], world["capso"]

    assert workflow.organisation_problems(world["staff"], arc, [arc]) == [
        ("co_organizers", workflow.ORGANIZER_AMONG_CO_ORGANIZERS)
    ]
    assert workflow.organisation_problems(world["owner"], capso, []) == [
        (
            "organizer",
            "Vous ne pouvez enregistrer que les actions organisées par votre organisation "
            "(Arc France) : « CAPSO » n'en fait pas partie.",
        )
    ]
    assert workflow.organisation_problems(world["staff"], capso, [arc]) == []


@pytest.mark.parametrize(
    ("who", "recorded", "organizer", "changed", "refused"),
    [
        ("owner", None, "arc", True, False),
        ("owner", None, "capso", True, True),
        ("owner", "arc", "arc", True, False),
        ("owner", "arc", "capso", True, True),
        ("co_organiser", "arc", "arc", False, False),
        ("co_organiser", "arc", "arc", True, True),
        ("staff", "arc", "capso", True, False),
    ],
)
def test_which_organisers_a_partners_file_may_give(
    world, who, recorded, organizer, changed, refused
):
    recorded = world[recorded] if recorded else None

    refusal = workflow.import_refusal(world[who], recorded, world[organizer], changed)

    assert (refusal is not None) is refused


def test_which_statuses_a_file_may_give_a_new_event(world):
    assert workflow.importable_statuses(world["staff"]) == [DRAFT, SUBMITTED, VALIDATED]
    assert workflow.importable_statuses(world["owner"]) == [DRAFT, SUBMITTED]
