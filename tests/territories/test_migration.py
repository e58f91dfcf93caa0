"""The upgrade of an instance made before territories: its plan is attached to its
territory, and its accounts and partners keep reading what they read."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("initiatives", "0003_text_refuses_control_characters")]


@pytest.mark.django_db(transaction=True)
def test_the_existing_plan_its_accounts_and_partners_join_its_territory():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    plan = old.get_model("initiatives", "ActionPlan").objects.create(
        title="Plan mixité",
        slug="plan-mixite",
        territory="Flandre Pays de Saint-Omer",
        start_date=datetime.date(2024, 1, 1),
        is_published=True,
    )
    user = old.get_model("auth", "User").objects.create(username="chargee-de-mission")
    partner = old.get_model("partners", "Partner").objects.create(
        name="Arc France", slug="arc-france", kind="company"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    new = executor.loader.project_state(latest).apps
    territory = new.get_model("initiatives", "ActionPlan").objects.get(pk=plan.pk).territory
    assert (territory.name, territory.slug, territory.region) == (
        "Flandre Pays de Saint-Omer",
        "flandre-pays-de-saint-omer",
        "Hauts-de-France",
    )
    assert sorted(territory.epcis.values_list("siren", flat=True)) == ["200040947", "200069037"]
    assert list(territory.members.values_list("pk", flat=True)) == [user.pk]
    assert list(territory.partners.values_list("pk", flat=True)) == [partner.pk]
    group = new.get_model("auth", "Group").objects.get(name="Réseau national")
    assert group.permissions.filter(codename="see_every_territory").exists()

    # Back (a deployment rolled back): the plan names its territory again; then
    # forwards, attached to the same territory.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    named = old.get_model("initiatives", "ActionPlan").objects.get(pk=plan.pk).territory
    assert named == "Flandre Pays de Saint-Omer"
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new = executor.loader.project_state(latest).apps
    assert (
        new.get_model("initiatives", "ActionPlan").objects.get(pk=plan.pk).territory_id
        == territory.pk
    )


BEFORE_NAMED_TERRITORIES = [
    ("accounts", "0003_notification_settings"),
    ("territories", "0002_national_network"),
]


@pytest.mark.django_db(transaction=True)
def test_the_versions_written_before_name_the_territories_the_account_reads():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_NAMED_TERRITORIES)
    old = executor.loader.project_state(BEFORE_NAMED_TERRITORIES).apps
    user = old.get_model("auth", "User").objects.create(username="chargee-de-mission")
    versions = old.get_model("accounts", "HistoricalUser").objects
    for history_type in ("+", "~"):
        versions.create(
            id=user.pk,
            username=user.username,
            date_joined=user.date_joined,
            history_date=user.date_joined,
            history_type=history_type,
        )
    Territory = old.get_model("territories", "Territory")
    for name in ("Flandre Pays de Saint-Omer", "Cœur d'Ostrevent"):
        territory, _ = Territory.objects.get_or_create(
            name=name, defaults={"slug": name[:5].lower(), "region": "Hauts-de-France"}
        )
        territory.members.add(user)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    new = executor.loader.project_state(latest).apps
    versions = new.get_model("accounts", "HistoricalUser").objects.filter(id=user.pk)
    assert (
        list(versions.values_list("territories_names", flat=True))
        == ["Cœur d'Ostrevent, Flandre Pays de Saint-Omer"] * 2
    )
