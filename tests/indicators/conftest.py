"""A small plan with known sums, shared by the dashboard and export tests."""

import datetime

import pytest

from indicators.figures import store
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import fresh


@pytest.fixture
def plan(request):
    if "shared_world" in request.fixturenames:
        return request.getfixturevalue("fresh_world")[0]
    request.getfixturevalue("db")
    return _plan()


@pytest.fixture
def world(request, plan):
    """Two initiatives, two audiences, events over two years, and everything that
    must not count: drafts, submitted events, another plan's events. Written as one
    batch, as an import writes: each day's figures are summed once at the end rather
    than at every line (which made this fixture the suite's largest cost).
    Built once for the tests of a module that uses the fixture `shared_world`
    (`pytest.mark.usefixtures`, which sets it up before each test's transaction; see
    `module_db`), the tests of which only read it."""
    if "shared_world" in request.fixturenames:
        return request.getfixturevalue("fresh_world")[1]
    with store.collecting():
        return _world(plan)


@pytest.fixture(scope="module")
def shared_world(module_db):
    plan = _plan()
    with store.collecting():
        return plan, _world(plan)


@pytest.fixture
def fresh_world(db, shared_world):
    return fresh(shared_world)


def _plan():
    return ActionPlanFactory(
        title="Mettre en place un plan d'action en faveur de la féminisation",
        start_date=datetime.date(2024, 1, 1),
    )


def _world(plan):
    verrelles = InitiativeFactory(plan=plan, number=1, slug="reseau-verrelles")
    corif = InitiativeFactory(plan=plan, number=2, slug="portraits-corif")
    girls = AudienceFactory(slug="filles", short_name="Filles")
    prescribers = AudienceFactory(slug="prescripteurs", short_name="Prescripteurs")
    arc, capso = PartnerFactory(name="Arc France"), PartnerFactory(name="CAPSO")
    # (initiative, date, organiser, co-organisers, [(audience, people, women)])
    rows = [
        (verrelles, datetime.date(2024, 3, 5), arc, [], [(girls, 20, 12), (prescribers, 4, None)]),
        (verrelles, datetime.date(2025, 2, 10), arc, [capso], [(girls, 30, 18)]),
        (corif, datetime.date(2025, 6, 20), capso, [], [(prescribers, 15, 9)]),
        (corif, datetime.date(2025, 11, 3), capso, [arc], [(girls, 10, None), (prescribers, 5, 2)]),
    ]
    for initiative, date, organizer, co_organizers, lines in rows:
        event = AwarenessEventFactory(
            initiative=initiative,
            date=date,
            organizer=organizer,
            co_organizers=co_organizers,
            venue_name=f"Lieu {date}",
        )
        for audience, people, women in lines:
            AudienceCountFactory(event=event, audience=audience, people=people, women=women)
    for trait in ("draft", "submitted"):
        AudienceCountFactory(
            event=AwarenessEventFactory(initiative=verrelles, **{trait: True}),
            audience=girls,
            people=100,
        )
    AudienceCountFactory(event=AwarenessEventFactory(initiative__plan__draft=True), people=999)
    return {
        "rows": rows,
        "verrelles": verrelles,
        "corif": corif,
        "filles": girls,
        "prescripteurs": prescribers,
    }
