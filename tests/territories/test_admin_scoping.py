"""The admin on an instance of two territories, Alpha and Bravo: for each role, every
list, form, history, autocomplete, filter, the export of a selection and the
import. An account of Alpha never reads nor changes anything of Bravo (zero leaks:
no page names it); the national network reads both and writes nothing;
superusers read and write both.

One world of two territories per role; each role's pages are asked in one test."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from initiatives.models import Initiative
from partners.models import Partner
from territories.models import Territory
from tests.geography.factories import BY_NAME, CommuneFactory
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import ContactFactory, PartnerFactory
from tests.shared import collected
from tests.territories.factories import EpciFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
# Every record of Bravo is named with it: no page shown to an account of Alpha may.
BRAVO = "Bravo"
IMPORT_URL = reverse("admin:indicators_awarenessevent_import")
EVENTS_URL = reverse("admin:indicators_awarenessevent_changelist")
ROLES = ("staff", "manager", "partner", "national", "superuser")


# Each territory's EPCI and one of its communes (the import matches names there).
COMMUNES = {"alpha": "Saint-Omer", "bravo": "Hazebrouck"}


def _territory(name, key):
    territory = TerritoryFactory(name=f"Territoire {name}", slug=f"territoire-{key}")
    commune = CommuneFactory(**BY_NAME[COMMUNES[key]])
    EpciFactory(territory=territory, name=f"Communauté {name}", siren=commune.epci_siren)
    partner = PartnerFactory(name=f"Partenaire {name}", slug=f"partenaire-{key}")
    partner.territories.set([territory])
    plan = ActionPlanFactory(
        title=f"Plan {name}", slug=f"plan-{key}", territory=territory, is_published=True
    )
    initiative = InitiativeFactory(plan=plan, title=f"Initiative {name}", slug=f"init-{key}")
    initiative.lead_partners.add(partner)
    event = AwarenessEventFactory(
        initiative=initiative,
        organizer=partner,
        title=f"Action {name}",
        status=EventStatus.SUBMITTED,
        date=datetime.date(2025, 3, 14),
    )
    AudienceCountFactory(event=event, audience=AudienceFactory(slug=f"public-{key}"))
    return {
        "territory": territory,
        "partner": partner,
        "plan": plan,
        "initiative": initiative,
        "event": event,
        "contact": ContactFactory(partner=partner, full_name=f"Contact {name}"),
        "target": TargetFactory(plan=plan, initiative=initiative),
    }


def two_territories():
    """Alpha and Bravo, and a partner working in both: each territory's team sees
    it, not the other's events."""
    alpha, bravo = _territory("Alpha", "alpha"), _territory(BRAVO, "bravo")
    shared = PartnerFactory(name="Elles Bougent", slug="elles-bougent")
    shared.territories.set([alpha["territory"], bravo["territory"]])
    return {"alpha": alpha, "bravo": bravo, "shared": shared}


@pytest.fixture
@collected
def world():
    world = two_territories()
    bravo, shared = world["bravo"], world["shared"]
    bravo["shared_event"] = AwarenessEventFactory(
        initiative=bravo["initiative"], organizer=shared, title=f"Forum {BRAVO}"
    )
    deleted = AwarenessEventFactory(initiative=bravo["initiative"], title=f"Supprimée {BRAVO}")
    deleted.delete()
    return world


def account(role, world):
    alpha = [world["alpha"]["territory"]]
    if role == "staff":
        return user_in(access.TERRITORY_STAFF, "equipe-alpha", territories=alpha)
    if role == "manager":
        return user_in(access.MANAGERS, "responsable-alpha", territories=alpha)
    if role == "partner":
        organisations = [world["alpha"]["partner"], world["shared"]]
        return user_in(
            access.PARTNERS, "partenaire-alpha", organisations=organisations, territories=alpha
        )
    if role == "national":
        return user_in(access.NATIONAL_NETWORK, "reseau", territories=[])
    return User.objects.create_superuser("racine")


def change(obj, view="change"):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def autocomplete(model_name, field_name):
    return (
        reverse("admin:autocomplete")
        + f"?app_label=indicators&model_name={model_name}&field_name={field_name}&term="
    )


def read_pages(world):
    """Every admin page that could show Bravo's records."""
    bravo = world["bravo"]
    pages = [
        reverse("admin:index"),
        reverse("admin:indicators_awarenessevent_overview"),
        reverse("admin:indicators_awarenessevent_deleted"),
        IMPORT_URL,
        f"{EVENTS_URL}?_facets=1",
        # The search box repeats its words: a word of both territories' titles.
        f"{EVENTS_URL}?q=Action",
        autocomplete("awarenessevent", "initiative"),
        autocomplete("awarenessevent", "organizer"),
        autocomplete("awarenessevent", "co_organizers"),
        autocomplete("target", "initiative"),
        reverse("admin:autocomplete")
        + "?app_label=initiatives&model_name=actionplan&field_name=contacts&term=",
    ]
    for name in ("plan", "initiative", "event", "partner", "contact", "target", "territory"):
        pages.append(changelist(type(bravo[name])))
        pages.append(change(bravo[name]))
    for name in ("initiative", "event", "partner", "target"):
        pages.append(change(bravo[name], "history"))
    pages += [changelist(User), changelist(Initiative.audiences.rel.model)]
    pages += [reverse("admin:indicators_closedyear_changelist")]
    return pages


# Pages that name no record of a territory, or that the national network may not
# open (the deleted events are restored by those who validate).
NAMING_NO_TERRITORY = {IMPORT_URL, reverse("admin:index"), changelist(User)}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_an_account_of_alpha_anything_of_bravo(client, world, role):
    client.force_login(account(role, world))
    sees_bravo = role in ("national", "superuser")
    shown = []
    for url in read_pages(world):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        if BRAVO in response.content.decode():
            shown.append(url)
    if not sees_bravo:
        assert shown == []
        return
    # Every list, form and history of Bravo, for the accounts that read them all.
    expected = {url for url in read_pages(world) if "autocomplete" not in url}
    expected -= NAMING_NO_TERRITORY
    if role == "national":
        expected.discard(reverse("admin:indicators_awarenessevent_deleted"))
    assert expected <= set(shown)


@pytest.mark.parametrize("role", ("staff", "manager", "partner", "national"))
def test_the_export_of_a_selection_leaves_out_bravo(client, world, role):
    client.force_login(account(role, world))
    selected = [world[key]["event"].pk for key in ("alpha", "bravo")]
    response = client.post(
        EVENTS_URL,
        {"action": "export_selection", "_selected_action": selected, "index": 0},
    )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert (BRAVO in content.decode("utf-8-sig")) is (role == "national")


def test_the_filters_name_no_initiative_nor_partner_of_bravo(client, world):
    client.force_login(account("staff", world))
    response = client.get(EVENTS_URL)
    choices = [
        str(choice["display"])
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
    ]
    assert not [choice for choice in choices if BRAVO in choice]
    assert {"Partenaire Alpha", "Elles Bougent"} <= set(choices)


@pytest.mark.parametrize("role", ("staff", "superuser"))
def test_a_posted_id_of_bravo_is_refused_in_french_and_changes_nothing(client, world, role):
    """A hand-made POST naming Bravo's initiative or partner on Alpha's event."""
    client.force_login(account(role, world))
    event, bravo = world["alpha"]["event"], world["bravo"]
    page = client.get(change(event))
    for field, value in (("initiative", bravo["initiative"]), ("organizer", bravo["partner"])):
        response = client.post(change(event), form_data(page, **{field: str(value.pk)}))
        if role == "superuser":
            assert response.status_code in (200, 302)
            continue
        assert response.status_code == 200
        assert response.context["adminform"].form.errors[field] == [
            "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
        ]
        event.refresh_from_db()
        assert (event.initiative, event.organizer) == (
            world["alpha"]["initiative"],
            world["alpha"]["partner"],
        )


OUTSIDE = (
    "ne travaille pas sur le territoire de cette initiative : choisissez un partenaire du "
    "territoire, ou ajoutez ce territoire à la fiche du partenaire."
)


@pytest.mark.parametrize("role", ["staff of both", "superuser"])
def test_an_events_organisers_work_in_its_initiatives_territory(client, world, role):
    """An account that sees both territories may pick Bravo's partner, but not for an
    action of Alpha's initiative: Alpha's team and public site would show it."""
    alpha, bravo, shared = world["alpha"], world["bravo"], world["shared"]
    both = [alpha["territory"], bravo["territory"]]
    if role == "superuser":
        client.force_login(account("superuser", world))
    else:
        client.force_login(user_in(access.TERRITORY_STAFF, "equipe-deux", territories=both))
    event = alpha["event"]
    page = client.get(change(event))
    refused = [
        ({"organizer": str(bravo["partner"].pk)}, "organizer"),
        ({"co_organizers": [str(bravo["partner"].pk)]}, "co_organizers"),
        ({"initiative": str(bravo["initiative"].pk)}, "organizer"),
    ]
    for changes, field in refused:
        response = client.post(change(event), form_data(page, **changes))

        assert response.status_code == 200, changes
        errors = response.context["adminform"].form.errors[field]
        assert any(error.endswith(OUTSIDE) for error in errors), errors
        event.refresh_from_db()
        assert (event.initiative, event.organizer, list(event.co_organizers.all())) == (
            alpha["initiative"],
            alpha["partner"],
            [],
        )

    # A partner working in both territories organises in either.
    response = client.post(change(event), form_data(page, co_organizers=[str(shared.pk)]))
    assert response.status_code == 302
    assert list(event.co_organizers.all()) == [shared]


def test_staff_neither_change_nor_delete_bravos_records(client, world):
    client.force_login(account("staff", world))
    bravo = world["bravo"]
    for name in ("initiative", "partner", "event", "plan"):
        obj = bravo[name]
        before = type(obj).objects.filter(pk=obj.pk).values().get()
        client.post(change(obj), {"title": "Changé", "name": "Changé"})
        client.post(change(obj, "delete"), {"post": "yes"})
        assert type(obj).objects.filter(pk=obj.pk).values().get() == before, name


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:indicators_awarenessevent_add"),
        reverse("admin:initiatives_initiative_add"),
        reverse("admin:partners_partner_add"),
        reverse("admin:territories_territory_add"),
        IMPORT_URL,
    ],
)
def test_the_national_network_adds_nothing(client, world, url):
    client.force_login(account("national", world))
    assert client.get(url).status_code == 403


def test_the_national_network_changes_nor_deletes_nothing(client, world):
    client.force_login(account("national", world))
    for key in ("alpha", "bravo"):
        event = world[key]["event"]
        page = client.get(change(event))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        response = client.post(change(event), {"title": "Changé"})
        assert response.status_code == 403
        assert client.post(change(event, "delete"), {"post": "yes"}).status_code == 403
        response = client.post(
            EVENTS_URL, {"action": "validate", "_selected_action": [event.pk], "index": 0}
        )
        event.refresh_from_db()
        assert event.status == EventStatus.SUBMITTED


IMPORT_HEADER = (
    "date;initiative;intitulé;format;lieu;commune;organisateur;co-organisateurs;public;"
    "personnes;dont femmes\n"
)


def _import(client, initiative, organizer, **data):
    row = (
        f"14/03/2025;{initiative};Visite;Visite d'entreprise;Usine;Saint-Omer;"
        f"{organizer};;Filles;10;5\n"
    )
    upload = SimpleUploadedFile("actions.csv", (IMPORT_HEADER + row).encode())
    return client.post(IMPORT_URL, {"file": upload, **data})


def _errors(response):
    return [error.message for error in response.context["errors"]]


def test_an_import_naming_bravos_initiative_or_partner_is_refused(client, world):
    AudienceFactory(name="Filles", slug="filles", short_name="Filles")
    client.force_login(account("staff", world))
    response = _import(client, f"Initiative {BRAVO}", "Partenaire Alpha")
    assert _errors(response)[0].startswith("Initiative inconnue : « Initiative Bravo ».")
    response = _import(client, "Initiative Alpha", f"Partenaire {BRAVO}")
    assert _errors(response) == [
        "Partenaire organisateur inconnu : « Partenaire Bravo ». Écrivez le nom, le nom court "
        "ou l'identifiant d'un partenaire enregistré qui travaille sur le territoire "
        "« Territoire Alpha »."
    ]
    assert not AwarenessEvent.objects.filter(title="Visite").exists()


def test_an_account_of_two_territories_chooses_which_one_it_imports_into(client, world):
    AudienceFactory(name="Filles", slug="filles", short_name="Filles")
    staff = account("staff", world)
    world["bravo"]["territory"].members.add(staff)
    client.force_login(staff)
    page = client.get(IMPORT_URL)
    assert page.context["form"].fields["territory"].label == "Territoire"

    refused = _import(client, "Initiative Alpha", "Partenaire Alpha")
    assert refused.context["form"].errors["territory"] == ["Ce champ est obligatoire."]
    wrong = _import(client, "Initiative Alpha", "Partenaire Alpha", territory="territoire-bravo")
    assert _errors(wrong)[0].startswith("Initiative inconnue : « Initiative Alpha ».")

    preview = _import(client, "Initiative Alpha", "Partenaire Alpha", territory="territoire-alpha")
    client.post(IMPORT_URL, {"token": preview.context["token"]})
    assert AwarenessEvent.objects.get(title="Visite").initiative == world["alpha"]["initiative"]


def test_staff_give_only_their_territory_to_the_accounts_and_partners_they_open(client, world):
    client.force_login(account("staff", world))
    client.post(
        reverse("admin:auth_user_add"),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "lea@alpha.example.fr",
            "organisations": [world["alpha"]["partner"].pk],
            # Not on the form of staff of one territory: not read.
            "territories": [world["bravo"]["territory"].pk],
        },
    )
    created = User.objects.get(email="lea@alpha.example.fr")
    assert list(created.territories.all()) == [world["alpha"]["territory"]]
    client.post(
        reverse("admin:partners_partner_add"),
        {"name": "Nouvelle usine", "slug": "nouvelle-usine", "kind": "entreprise", **_contacts()},
    )
    assert list(Partner.objects.get(slug="nouvelle-usine").territories.all()) == [
        world["alpha"]["territory"]
    ]


def _contacts():
    return {
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }


def test_staff_of_two_territories_choose_among_theirs_only(client, world):
    staff = account("staff", world)
    third = TerritoryFactory(other=True)
    world["bravo"]["territory"].members.add(staff)
    client.force_login(staff)
    page = client.get(reverse("admin:auth_user_add"))
    assert set(page.context["adminform"].form.fields["territories"].queryset) == {
        world["alpha"]["territory"],
        world["bravo"]["territory"],
    }
    response = client.post(
        reverse("admin:partners_partner_add"),
        {"name": "Usine", "slug": "usine", "kind": "entreprise", "territories": [third.pk]},
    )
    assert "territories" in response.context["adminform"].form.errors
    assert not Partner.objects.filter(slug="usine").exists()


def test_only_a_superuser_gives_the_national_network(client, world):
    from django.contrib.auth.models import Group

    national = Group.objects.get(name=access.NATIONAL_NETWORK)
    target = user_in(access.PARTNERS, "cible", territories=[world["alpha"]["territory"]])
    client.force_login(account("staff", world))
    page = client.get(change(target))
    client.post(change(target), form_data(page, groups=[str(national.pk)]))
    assert list(target.groups.values_list("name", flat=True)) == [access.PARTNERS]


def test_territories_are_created_by_superusers_with_their_epcis(client, world):
    client.force_login(account("staff", world))
    assert client.get(reverse("admin:territories_territory_add")).status_code == 403
    client.force_login(User.objects.create_superuser("racine"))
    data = {
        "name": "Territoire Charlie",
        "slug": "territoire-charlie",
        "region": "Normandie",
        "epcis-TOTAL_FORMS": "1",
        "epcis-INITIAL_FORMS": "0",
        "epcis-MIN_NUM_FORMS": "0",
        "epcis-MAX_NUM_FORMS": "1000",
        "epcis-0-siren": "12345",
        "epcis-0-name": "CC Charlie",
    }
    response = client.post(reverse("admin:territories_territory_add"), data)
    assert response.status_code == 200
    assert not Territory.objects.filter(slug="territoire-charlie").exists()
    epcis = response.context["inline_admin_formsets"][0].formset
    assert epcis.errors == [{"siren": ["Un SIREN s'écrit avec 9 chiffres."]}]
    client.post(reverse("admin:territories_territory_add"), {**data, "epcis-0-siren": "200069037"})
    charlie = Territory.objects.get(slug="territoire-charlie")
    assert list(charlie.epcis.values_list("siren", flat=True)) == ["200069037"]


def test_the_national_network_reads_each_territorys_plan_on_the_home_and_overview(client, world):
    client.force_login(account("national", world))
    home = client.get(reverse("admin:index"))
    assert [figures["plan"] for figures in home.context["year_figures"]] == [
        world["alpha"]["plan"],
        world["bravo"]["plan"],
    ]
    overview = reverse("admin:indicators_awarenessevent_overview")
    first = client.get(overview)
    assert first.context["plan"] == world["alpha"]["plan"]
    assert [event.title for event in first.context["awaiting"]["rows"]] == ["Action Alpha"]
    chosen = client.get(f"{overview}?territoire=territoire-bravo")
    assert chosen.context["plan"] == world["bravo"]["plan"]
    assert [event.title for event in chosen.context["awaiting"]["rows"]] == ["Action Bravo"]
    assert client.get(f"{overview}?territoire=inconnu").status_code == 404


def test_staff_of_alpha_cannot_choose_bravo_on_the_overview(client, world):
    client.force_login(account("staff", world))
    overview = reverse("admin:indicators_awarenessevent_overview")
    assert client.get(f"{overview}?territoire=territoire-bravo").status_code == 404


def test_a_managers_home_links_to_its_territorys_public_dashboard(client):
    """With two territories, `/` lists them: a manager of Alpha's home links to
    Alpha's dashboard at its own address."""
    from django.utils import timezone
    from pytest_django.asserts import assertContains

    world = two_territories()
    client.force_login(account("manager", world))

    response = client.get(reverse("admin:index"))

    year = timezone.localdate().year
    assertContains(
        response,
        f'<a href="/territoires/territoire-alpha/?annee={year}">Tableau de bord public {year}</a>',
        html=True,
    )
