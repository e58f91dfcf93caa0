"""A small plan for the API's tests: two initiatives, two audiences, a published and
an unpublished partner, validated events over two years, a target, and what must
never show: a draft, a submitted event, another plan's event."""

import datetime

import pytest

from indicators.enums import EventFormat
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

HIDDEN = "Fonderie Discrète"


@pytest.fixture
def plan(db):
    return ActionPlanFactory(start_date=datetime.date(2024, 1, 1))


@pytest.fixture
@collected
def api_world(plan):
    verrelles = InitiativeFactory(plan=plan, number=1, slug="reseau-verrelles")
    corif = InitiativeFactory(plan=plan, number=2, slug="portraits-corif")
    girls = AudienceFactory(slug="filles")
    prescribers = AudienceFactory(slug="prescripteurs")
    arc = PartnerFactory(name="Arc France", slug="arc-france")
    hidden = PartnerFactory(name=HIDDEN, slug="fonderie-discrete", hidden=True)
    verrelles.lead_partners.set([arc, hidden])
    verrelles.audiences.set([girls])
    # (initiative, date, format, organiser, co-organisers, commune, [(audience, people, women)])
    rows = [
        (
            verrelles,
            "2024-03-05",
            "forum",
            arc,
            [],
            "Arques",
            [(girls, 20, 12), (prescribers, 4, None)],
        ),
        (verrelles, "2025-02-10", "atelier", arc, [hidden], "Saint-Omer", [(girls, 30, 18)]),
        (corif, "2025-06-20", "forum", hidden, [], "Arques", [(prescribers, 15, 9)]),
        (
            corif,
            "2025-11-03",
            "atelier",
            hidden,
            [arc],
            "Longuenesse",
            [(girls, 10, None), (prescribers, 5, 2)],
        ),
    ]
    for initiative, date, kind, organizer, co_organizers, commune, lines in rows:
        event = AwarenessEventFactory(
            initiative=initiative,
            date=datetime.date.fromisoformat(date),
            format=EventFormat(kind),
            organizer=organizer,
            co_organizers=co_organizers,
            commune=commune,
            venue_name=f"Lieu {date}",
            title=f"Action du {date}",
        )
        for audience, people, women in lines:
            AudienceCountFactory(event=event, audience=audience, people=people, women=women)
    for trait in ("draft", "submitted"):
        AudienceCountFactory(
            event=AwarenessEventFactory(initiative=verrelles, title="Pas publiée", **{trait: True}),
            audience=girls,
            people=100,
        )
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative__plan__draft=True, title="Autre plan"), people=999
    )
    TargetFactory(plan=plan, year=2025, people=100, women=50)
    TargetFactory(plan=plan, year=2025, initiative=verrelles, people=40)
    return {"plan": plan, "verrelles": verrelles, "girls": girls, "arc": arc, "hidden": hidden}
