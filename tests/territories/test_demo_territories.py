"""`seed_demo --territories N`: plausible territories made of real EPCIs, each with
a published plan, partners, targets and events, beside the unchanged seed one."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count

from feminisation import formatting
from geography import departments
from indicators.models import AwarenessEvent, Target
from initiatives import plan_data
from initiatives.models import ActionPlan, Audience
from partners.models import Partner
from territories import demo_areas
from territories.models import Territory

END = "2025-06-30"
SEED_EPCIS = {epci["siren"] for epci in plan_data.TERRITORY["epcis"]}


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", "--end", END, *args, stdout=out)
    return out.getvalue()


def departments_of(sirens):
    """From the INSEE codes of their communes: 62765 is the 62's, 97411 the 974's."""
    codes = [code for siren in sirens for _, code, _ in demo_areas.areas()[siren].communes]
    return sorted({code[:3] if code.startswith("97") else code[:2] for code in codes})


@pytest.fixture
def plan(db):
    call_command("load_plan", stdout=StringIO())
    return ActionPlan.objects.current()


# Drawing the territories (no database).


def test_the_same_seed_draws_the_same_territories_another_seed_others():
    first = demo_areas.draw(30, 3, taken_sirens=SEED_EPCIS)

    assert demo_areas.draw(30, 3, taken_sirens=SEED_EPCIS) == first
    assert demo_areas.draw(30, 4, taken_sirens=SEED_EPCIS) != first
    assert len(first) == 30


def test_a_territory_groups_one_to_four_real_epcis_of_one_region():
    every = demo_areas.areas()
    territories = demo_areas.draw(200, 0, taken_sirens=SEED_EPCIS)

    sirens = [epci.siren for territory in territories for epci in territory.epcis]
    assert len(sirens) == len(set(sirens)) and not SEED_EPCIS & set(sirens)
    assert all(re.fullmatch(r"\d{9}", siren) and siren in every for siren in sirens)
    for territory in territories:
        assert 1 <= len(territory.epcis) <= 4
        assert {epci.region for epci in territory.epcis} == {territory.region}
        assert territory.region == departments.region(territory.department) != ""
        # « <main town> <en dash> <other> », the main town its most populous EPCI's.
        town, other = territory.name.split(" \u2013 ", 1)
        assert town == territory.epcis[0].communes[0][0] and other
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", territory.slug)
    assert len({t.slug for t in territories}) == len({t.name for t in territories}) == 200


def test_venues_are_named_after_their_commune_in_french():
    assert [formatting.of(name) for name in ("Lumbres", "Arques", "Le Mans", "Les Mureaux")] == [
        "de Lumbres",
        "d'Arques",
        "du Mans",
        "des Mureaux",
    ]


# seed_demo --territories.


def test_seed_demo_makes_n_territories_each_with_a_published_plan_and_events(plan):
    output = seed_demo("--territories", "3", "--events", "300")

    assert output.startswith("Territoires de démonstration créés : 2.\n")
    territories = list(Territory.objects.order_by("pk"))
    assert len(territories) == 3
    seed = territories[0]
    assert (seed.slug, seed.name, seed.region) == (
        plan_data.TERRITORY["slug"],
        plan_data.TERRITORY["name"],
        plan_data.TERRITORY["region"],
    )
    assert set(seed.epcis.values_list("siren", flat=True)) == SEED_EPCIS
    assert ActionPlan.objects.current(seed) == plan
    every = demo_areas.areas()
    for territory in territories:
        current = ActionPlan.objects.current(territory)
        assert current.is_published
        initiatives = current.initiatives.all()
        assert initiatives.count() == 4
        events = AwarenessEvent.objects.filter(initiative__plan__territory=territory)
        assert events.exists()
        if territory == seed:
            continue
        sirens = set(territory.epcis.values_list("siren", flat=True))
        assert sirens <= set(every)
        # Its events take place in its communes, which load_communes links them to.
        call_command("load_communes", departments=departments_of(sirens), stdout=StringIO())
        assert not events.without_official_commune().exists()
        assert set(events.values_list("official_commune__epci_siren", flat=True)) <= sirens
        assert Target.objects.filter(plan=current, year=2025, initiative=None).exists()
    # The three audiences are the seed plan's, shared by every plan.
    assert Audience.objects.count() == 3
    # A national partner works in every territory; each has its own too.
    elles_bougent = Partner.objects.get(slug="elles-bougent")
    assert set(elles_bougent.territories.all()) == set(territories)
    partners = Partner.objects.annotate(territories_count=Count("territories"))
    for territory in territories[1:]:
        assert partners.filter(territories_count=1, territories=territory).exists()


def test_seeding_again_creates_no_territory_and_if_empty_does_nothing(plan):
    seed_demo("--territories", "3", "--events", "100")
    territories = list(Territory.objects.values_list("slug", flat=True))

    assert seed_demo("--territories", "3", "--events", "50", "--if-empty") == (
        "Des actions de sensibilisation existent déjà : aucune action n'a été générée.\n"
    )
    assert AwarenessEvent.objects.count() == 100

    output = seed_demo("--territories", "3", "--events", "50")

    assert "Territoires de démonstration" not in output
    assert list(Territory.objects.values_list("slug", flat=True)) == territories
    assert AwarenessEvent.objects.count() == 150


def test_a_second_territory_added_later_gets_its_events_and_the_first_keeps_its_own(plan):
    """`make run DEMO_TERRITORIES=2` on a database already seeded with one territory."""
    seed_demo("--events", "100", "--if-empty")
    first = set(AwarenessEvent.objects.values_list("pk", "date", "title", "initiative"))

    output = seed_demo("--territories", "2", "--events", "100", "--if-empty")

    assert output.startswith("Territoires de démonstration créés : 1.\n")
    added = Territory.objects.exclude(slug=plan_data.TERRITORY["slug"]).get()
    events = AwarenessEvent.objects.filter(initiative__plan__territory=added)
    # Its share of the events asked for the whole instance.
    assert events.count() == 50
    sirens = set(added.epcis.values_list("siren", flat=True))
    call_command("load_communes", departments=departments_of(sirens), stdout=StringIO())
    assert set(events.values_list("official_commune__epci_siren", flat=True)) <= sirens
    assert (
        set(
            AwarenessEvent.objects.exclude(initiative__plan__territory=added).values_list(
                "pk", "date", "title", "initiative"
            )
        )
        == first
    )

    assert seed_demo("--territories", "2", "--events", "100", "--if-empty") == (
        "Des actions de sensibilisation existent déjà : aucune action n'a été générée.\n"
    )
    assert AwarenessEvent.objects.count() == 150


def seeded(seed):
    with transaction.atomic():
        seed_demo("--territories", "4", "--events", "100", "--seed", seed)
        names = list(Territory.objects.order_by("pk").values_list("name", "epcis__siren"))
        events = list(
            AwarenessEvent.objects.order_by("pk").values_list(
                "date", "title", "commune", "initiative__plan__territory__slug"
            )
        )
        transaction.set_rollback(True)
    return names, events


def test_the_same_seed_gives_the_same_territories_and_events(plan):
    first = seeded("2")

    assert seeded("2") == first
    assert seeded("3")[0] != first[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "--territories doit être compris entre 1 et 500 (reçu : 0)."),
        ("501", "--territories doit être compris entre 1 et 500 (reçu : 501)."),
        ("deux", "--territories attend un nombre entier, pas « deux »."),
    ],
)
def test_a_wrong_number_of_territories_is_refused_in_french(plan, value, message):
    with pytest.raises(CommandError) as refused:
        seed_demo("--territories", value, "--events", "10")

    assert str(refused.value) == message
    assert Territory.objects.count() == 1 and not AwarenessEvent.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="create_demo_admin is for SQLite")
def test_the_demo_admin_sees_every_territory(plan, monkeypatch):
    monkeypatch.setattr(settings, "DEBUG", True)
    seed_demo("--territories", "2", "--events", "10")

    call_command("create_demo_admin", stdout=StringIO())

    admin = get_user_model().objects.get(username="admin")
    assert Territory.objects.visible_to(admin).count() == 2
