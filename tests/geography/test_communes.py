"""The official communes: the data file shipped with the code, `load_communes`, the
matching of a commune's name, and the admin's search that the events' form calls."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from feminisation import access
from geography import datafile
from geography.departments import DEPARTMENTS
from geography.matching import CommuneError, CommuneMatcher
from geography.models import Commune, name_key
from tests.geography.factories import CommuneFactory, real_communes
from tests.indicators.accounts import user_in
from tests.partners.factories import PartnerFactory
from tests.territories.factories import EpciFactory, TerritoryFactory

AUTOCOMPLETE_URL = reverse("admin:autocomplete")
EVENT_FIELD = {
    "app_label": "indicators",
    "model_name": "awarenessevent",
    "field_name": "official_commune",
}
# session, user, the user's permissions (own and group's), the communes found: how
# many (for the next page) and the first page of them
AUTOCOMPLETE_QUERIES = 6
NORD_PAS_DE_CALAIS = ["59", "62"]


def run_load(**options):
    """load_communes of the Nord and the Pas-de-Calais only, as the tests need no
    other (the whole of France takes seconds)."""
    out = io.StringIO()
    call_command("load_communes", stdout=out, **{"departments": NORD_PAS_DE_CALAIS, **options})
    return out.getvalue()


# The data file.


@pytest.fixture(scope="module")
def france():
    return datafile.read()


def test_the_data_file_has_every_commune_of_every_department(france):
    communes = {commune.code: commune for commune in france}

    assert len(communes) == len(france) >= 34_000
    assert {commune.department for commune in france} == set(DEPARTMENTS)
    # Every commune but four islands belongs to an EPCI; each has a population.
    assert {c.name for c in france if not c.epci_siren} == {
        "Île-de-Bréhat",
        "Île-de-Sein",
        "Ouessant",
        "L'Île-d'Yeu",
    }
    assert all(re.fullmatch(r"\d{9}", c.epci_siren) for c in france if c.epci_siren)
    assert all(c.population is not None for c in france)
    # Only the six villages of the Meuse destroyed in 1916, « morts pour la France ».
    assert {c.code for c in france if c.population == 0} == {
        "55039",
        "55050",
        "55139",
        "55189",
        "55239",
        "55307",
    }
    assert sum(c.population for c in france) > 66_000_000
    assert communes["97411"].name == "Saint-Denis" and communes["97411"].department == "974"
    assert communes["2A004"].name == "Ajaccio"
    # 648 communes in the Nord and 886 in the Pas-de-Calais (COG 2026).
    assert len(datafile.read(departments=NORD_PAS_DE_CALAIS)) == 1534


def test_the_data_file_has_every_commune_of_the_nord_and_the_pas_de_calais(france):
    communes = {commune.code: commune for commune in france}
    saint_omer, arques, lille = communes["62765"], communes["62040"], communes["59350"]
    assert (saint_omer.name, saint_omer.postal_codes) == ("Saint-Omer", "62500")
    assert (saint_omer.epci_siren, saint_omer.epci_name) == (
        "200069037",
        "CA du Pays de Saint-Omer",
    )
    assert (arques.name, arques.postal_codes, arques.department) == ("Arques", "62510", "62")
    assert lille.name == "Lille" and "59000" in lille.postal_codes.split()
    assert lille.population > 200_000


def test_the_data_file_names_its_source_and_licences():
    source = datafile.SOURCE.read_text()

    for words in (
        "@etalab/decoupage-administratif",
        "Version du paquet : 6.0.0",
        "INSEE",
        "MIT",
        "Licence Ouverte",
        "make communes",
    ):
        assert words in source


def test_the_file_is_written_from_the_package_current_communes_only(tmp_path):
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "package.json").write_text('{"version": "9.9.9"}')
    (package / "data" / "communes.json").write_text(
        '[{"code": "62765", "nom": "Saint-Omer", "departement": "62", "zone": "metro", '
        '"type": "commune-actuelle", "codesPostaux": ["62500"], "population": 14382},'
        '{"code": "62001", "nom": "Ancienne", "departement": "62", "zone": "metro", "type": '
        '"commune-deleguee"},'
        '{"code": "97411", "nom": "Saint-Denis", "departement": "974", "zone": "drom", '
        '"type": "commune-actuelle", "codesPostaux": ["97400"]},'
        '{"code": "98735", "nom": "Papeete", "departement": "987", "zone": "com", '
        '"type": "commune-actuelle"}]'
    )
    (package / "data" / "epci.json").write_text(
        '[{"code": "200069037", "nom": "CA du Pays de Saint-Omer", "membres": [{"code": "62765"}]}]'
    )

    rows, version = datafile.rows_from_package(package)
    written = tmp_path / "communes.csv"
    datafile.write(rows, written)

    assert version == "9.9.9"
    # The departments' current communes, overseas ones too; not the collectivities'.
    assert written.read_text().splitlines() == [
        "code,nom,departement,codes_postaux,epci_siren,epci_nom,population",
        "62765,Saint-Omer,62,62500,200069037,CA du Pays de Saint-Omer,14382",
        "97411,Saint-Denis,974,97400,,,",
    ]
    assert [commune.name for commune in datafile.read(written)] == ["Saint-Omer", "Saint-Denis"]
    assert [commune.name for commune in datafile.read(written, ["974"])] == ["Saint-Denis"]


# load_communes.


@pytest.mark.django_db
def test_load_communes_creates_the_communes_then_changes_only_what_changed(
    django_assert_max_num_queries,
):
    assert run_load().splitlines()[0] == (
        "Communes : 1\u202f534 créées, 0 mise à jour, 0 inchangée."
    )
    Commune.objects.filter(code="62765").update(name="Saint-Omer (ancien nom)", population=1)

    # A few bulk queries, not one per commune: read them all, write the changes.
    with django_assert_max_num_queries(12):
        output = run_load()

    assert output.splitlines()[0] == "Communes : 0 créée, 1 mise à jour, 1\u202f533 inchangées."
    saint_omer = Commune.objects.get(code="62765")
    assert (saint_omer.name, saint_omer.search_key, saint_omer.population) == (
        "Saint-Omer",
        "saint omer",
        14382,
    )
    assert run_load().splitlines()[0] == "Communes : 0 créée, 0 mise à jour, 1\u202f534 inchangées."
    assert Commune.objects.count() == 1534


@pytest.mark.django_db
def test_a_commune_gone_from_the_file_is_kept(tmp_path):
    Commune.objects.create(code="62999", name="Fusionnée", department="62", postal_codes="62000")
    small = tmp_path / "communes.csv"
    small.write_text(
        "code,nom,departement,codes_postaux,epci_siren,epci_nom,population\n"
        "62765,Saint-Omer,62,62500,200069037,CA du Pays de Saint-Omer,14382\n"
    )

    assert run_load(file=small).splitlines()[0] == (
        "Communes : 1 créée, 0 mise à jour, 0 inchangée."
    )
    assert set(Commune.objects.values_list("code", flat=True)) == {"62765", "62999"}


@pytest.mark.django_db
def test_an_unknown_department_is_refused_in_french():
    with pytest.raises(Exception, match="Département inconnu : 99"):
        run_load(departments=["62", "99"])
    assert not Commune.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_in_french(tmp_path):
    wrong = tmp_path / "communes.csv"
    wrong.write_text("nom;code\nSaint-Omer;62765\n")

    with pytest.raises(Exception, match="n'est pas un fichier de communes"):
        run_load(file=wrong)
    assert not Commune.objects.exists()


# Finding the commune a text names.


@pytest.fixture
def matcher(db):
    real_communes()
    return CommuneMatcher(TerritoryFactory())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Saint-Omer", "62765"),
        ("saint omer", "62765"),
        ("  SAINT-OMER ", "62765"),
        ("eperlecques", "62297"),
        ("62040", "62040"),
        ("Saint-Aubin (62170)", "62742"),
        ("saint aubin (59440)", "59529"),
        ("Lille (59800)", "59350"),
    ],
)
def test_a_commune_is_found_by_its_name_its_code_or_its_name_and_postal_code(matcher, text, code):
    assert matcher.find(text).code == code


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Saint-Aubin",
            "« Saint-Aubin » désigne plusieurs communes (« Saint-Aubin (59440) », "
            "« Saint-Aubin (62170) ») : écrivez le nom suivi du code postal, par exemple "
            "« Saint-Aubin (59440) ».",
        ),
        (
            "Sant-Omer",
            "Commune inconnue : « Sant-Omer » n'est le nom d'aucune commune du Nord ou du "
            "Pas-de-Calais. Écrivez son nom officiel (par exemple « Lille »), son code "
            "INSEE, ou « nom (code postal) ». Vouliez-vous dire « Saint-Omer » ?",
        ),
        ("Paris", "Commune inconnue : « Paris »"),
        ("75056", "Code INSEE inconnu : « 75056 »"),
        ("Saint-Aubin (62500)", "Aucune commune « Saint-Aubin » n'a le code postal 62500"),
    ],
)
def test_an_unknown_or_ambiguous_commune_is_refused_with_a_reason(matcher, text, message):
    with pytest.raises(CommuneError) as refused:
        matcher.find(text)

    assert message in str(refused.value)


def test_an_exports_insee_code_settles_two_communes_of_the_same_name(matcher):
    assert matcher.find("Saint-Aubin", code="62742").code == "62742"
    assert matcher.unique("Saint-Aubin") is None
    assert matcher.unique("arques").code == "62040"


def test_a_name_is_looked_for_in_the_departments_of_the_territorys_epcis(db):
    real_communes()
    aude = {"department": "11", "postal_codes": "11000"}
    CommuneFactory(code="11015", name="Arques", epci_siren="200071926", **aude)
    CommuneFactory(
        code="11069", name="Carcassonne", epci_siren="200035715", population=46080, **aude
    )
    limouxin = EpciFactory(territory=TerritoryFactory(other=True), siren="200071926")

    # The Aude's Arques for a territory of the Aude, the Pas-de-Calais' for the seed's.
    assert CommuneMatcher(limouxin.territory).find("Arques").code == "11015"
    assert CommuneMatcher(TerritoryFactory()).find("Arques").code == "62040"
    with pytest.raises(CommuneError) as refused:
        CommuneMatcher(limouxin.territory).find("Saint-Omer")
    assert str(refused.value).startswith(
        "Commune inconnue : « Saint-Omer » n'est le nom d'aucune commune de l'Aude. Écrivez "
        "son nom officiel (par exemple « Carcassonne »)"
    )


def test_names_are_compared_without_accents_case_hyphens_or_apostrophes():
    assert name_key("Éperlecques") == name_key("EPERLECQUES") == "eperlecques"
    assert name_key("Saint-Martin-lez-Tatinghem") == "saint martin lez tatinghem"
    assert name_key("Villeneuve-d\u2019Ascq") == name_key("villeneuve d'ascq")


# The admin's search, which the events' commune field calls.


def autocomplete(client, term):
    response = client.get(AUTOCOMPLETE_URL, {**EVENT_FIELD, "term": term})
    assert response.status_code == 200, response.content
    return [(result["id"], result["text"]) for result in response.json()["results"]]


@pytest.fixture
def staff_client(client, db):
    real_communes()
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    return client


def test_the_autocomplete_finds_a_commune_by_its_name_whatever_the_accents(
    staff_client, django_assert_num_queries
):
    with django_assert_num_queries(AUTOCOMPLETE_QUERIES):
        assert autocomplete(staff_client, "eperl") == [("62297", "Éperlecques (62910)")]
    assert autocomplete(staff_client, "saint omer") == [("62765", "Saint-Omer (62500)")]
    # The names that begin with the words typed first.
    assert autocomplete(staff_client, "saint")[:2] == [
        ("59529", "Saint-Aubin (59440)"),
        ("62742", "Saint-Aubin (62170)"),
    ]


def test_the_autocomplete_finds_a_commune_by_its_postal_code(staff_client):
    assert autocomplete(staff_client, "62510") == [("62040", "Arques (62510)")]
    assert autocomplete(staff_client, "59800") == [("59350", "Lille (59000)")]
    # The beginning of a postal code lists the communes of that area.
    assert autocomplete(staff_client, "625") == [
        ("62040", "Arques (62510)"),
        ("62139", "Blendecques (62575)"),
        ("62765", "Saint-Omer (62500)"),
    ]


def test_the_autocomplete_offers_only_the_communes_of_the_accounts_departments(client, db):
    real_communes()
    saint_omer = TerritoryFactory(other=True)
    EpciFactory(territory=saint_omer, siren="200069037")
    both = [("59529", "Saint-Aubin (59440)"), ("62742", "Saint-Aubin (62170)")]

    client.force_login(user_in(access.TERRITORY_STAFF, "equipe", territories=[saint_omer]))
    # The Pas-de-Calais only, where the form would take the commune.
    assert autocomplete(client, "saint-aubin") == [("62742", "Saint-Aubin (62170)")]
    assert autocomplete(client, "lille") == []
    # The communes' own list still shows every one of them.
    listed = client.get(reverse("admin:geography_commune_changelist"), {"q": "saint-aubin"})
    assert len(listed.context["cl"].result_list) == 2

    # An account with a territory whose EPCIs are not given yet: anywhere.
    unbounded = TerritoryFactory(other=True)
    client.force_login(user_in(access.TERRITORY_STAFF, "deux", territories=[saint_omer, unbounded]))
    assert autocomplete(client, "saint-aubin") == both
    # The national network reads every territory.
    client.force_login(user_in(access.NATIONAL_NETWORK, "reseau", territories=[]))
    assert autocomplete(client, "saint-aubin") == both


def test_a_partner_chooses_the_commune_of_its_events(client, db):
    real_communes()
    arc = PartnerFactory(name="Arc France")
    client.force_login(user_in(access.PARTNERS, "verrelles", organisations=[arc]))

    assert autocomplete(client, "arques") == [("62040", "Arques (62510)")]
    # Not in the partner's menu, nor its list: only the form offers them.
    index = client.get(reverse("admin:index"))
    assert "geography" not in [app["app_label"] for app in index.context["app_list"]]
    assert client.get(reverse("admin:geography_commune_changelist")).status_code == 403


def test_every_role_may_view_the_communes_and_nobody_but_a_superuser_changes_them(
    staff_client,
):
    for name in (access.TERRITORY_STAFF, access.MANAGERS, access.PARTNERS):
        permissions = Group.objects.get(name=name).permissions
        assert permissions.filter(
            content_type__app_label="geography", codename="view_commune"
        ).exists(), name

    change_url = reverse("admin:geography_commune_change", args=["62765"])
    response = staff_client.post(change_url, {"name": "Autre nom"})

    assert response.status_code == 403
    assert Commune.objects.get(code="62765").name == "Saint-Omer"
    assert staff_client.get(reverse("admin:geography_commune_add")).status_code == 403


def test_the_staff_list_of_communes_is_searched_by_name_or_postal_code(staff_client):
    response = staff_client.get(reverse("admin:geography_commune_changelist"), {"q": "62380"})

    assert [commune.name for commune in response.context["cl"].result_list] == ["Lumbres"]
