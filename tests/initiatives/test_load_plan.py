"""`load_plan` ships the plan's initial data, and can be rerun on a live database
without undoing what staff edited since."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from initiatives.enums import InitiativeStatus, PartnerRole
from initiatives.models import (
    Achievement,
    ActionPlan,
    Audience,
    Initiative,
    InitiativeLink,
    PlanLink,
    PlanPartner,
)
from partners.enums import PartnerKind
from partners.models import Contact, Partner
from tests.initiatives.factories import AudienceFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

PLAN_SLUG = "flandre-pays-de-saint-omer"
ALL_MODELS = (
    ActionPlan,
    PlanPartner,
    PlanLink,
    Audience,
    Partner,
    Contact,
    Initiative,
    InitiativeLink,
    Achievement,
)


def load_plan():
    out = StringIO()
    call_command("load_plan", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def slugs(queryset):
    return set(queryset.values_list("slug", flat=True))


def test_loads_the_published_plan():
    output = load_plan()

    plan = ActionPlan.objects.current()
    assert plan.slug == PLAN_SLUG
    assert plan.territory.name == "Flandre Pays de Saint-Omer"
    assert plan.quote == "Quand c'est un sujet de territoire, tout le monde se sent impliqué"
    assert plan.indicator.startswith("Une comptabilité est tenue par le Territoire d'Industrie")
    assert list(plan.links.values_list("url", flat=True)) == ["https://www.ca-pso.fr/"]
    assert output == (
        "Plan chargé, éléments créés : 1 territoire, 2 intercommunalités, 1 plan, "
        "3 publics cibles, 11 partenaires, 2 contacts, "
        "4 initiatives, 1 lien du plan, 3 liens d'initiatives, 4 réalisations.\n"
    )


def test_every_loaded_object_passes_the_admin_validation():
    load_plan()

    for model in ALL_MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_loads_eight_stakeholders_and_three_supporters():
    load_plan()
    plan = ActionPlan.objects.get(slug=PLAN_SLUG)

    assert slugs(plan.stakeholders) == {
        "cmq-industrie-transition-numerique",
        "region-hauts-de-france",
        "capital-filles",
        "elles-bougent",
        "corif",
        "capso",
        "arc-france",
        "agence-sofie",
    }
    assert slugs(plan.supporters) == {
        "ministere-egalite-femmes-hommes",
        "anct",
        "banque-des-territoires",
    }
    assert set(plan.supporters.values_list("kind", flat=True)) == {PartnerKind.STATE_OR_FUNDER}
    assert Partner.objects.get(slug="capso").short_name == "CAPSO"
    assert Partner.objects.public().count() == 11


def test_loads_the_three_audiences_in_order():
    load_plan()

    assert list(Audience.objects.values_list("slug", "short_name", "women_label")) == [
        ("filles", "Élèves et jeunes", "dont filles"),
        ("entreprises", "Entreprises", "dont femmes"),
        ("prescripteurs", "Prescripteurs", "dont femmes"),
    ]


# The pupils' audience counts boys and girls; it used to be called « Filles ».
FORMER_WORDING = {
    "name": "Filles",
    "short_name": "Filles",
    "description": (
        "Sensibiliser les filles aux formations et aux métiers de l'industrie, en leur "
        "ouvrant le champ des possibles."
    ),
}
PUPILS = "Élèves et jeunes (collège, lycée)"


def wording(slug="filles"):
    return Audience.objects.filter(slug=slug).values("name", "short_name", "description").get()


def test_the_pupils_audience_says_it_counts_both_sexes():
    load_plan()

    pupils = wording()
    assert pupils["name"] == PUPILS
    assert "filles et garçons" in pupils["description"]
    assert "la part des filles parmi eux" in pupils["description"]


def test_an_install_holding_the_former_wording_gets_the_new_one(
    client, django_capture_on_commit_callbacks
):
    load_plan()
    Audience.objects.filter(slug="filles").update(**FORMER_WORDING)
    assertContains(client.get(reverse("plan")), '<h4 class="card__title">Filles</h4>', html=True)
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        output = load_plan()

    assert wording()["name"] == PUPILS
    assert wording()["short_name"] == "Élèves et jeunes"
    assert wording()["description"].startswith("Collégiens, lycéens et autres jeunes")
    assert counts() == before
    assert output == (
        "Rien à créer : les données du plan sont déjà présentes.\n"
        "Public cible « filles » : ancien texte par défaut remplacé "
        "(nom, nom court, description).\n"
    )
    # The public pages cached with the former name are not served any more.
    assertContains(client.get(reverse("plan")), f'<h4 class="card__title">{PUPILS}</h4>', html=True)


def test_the_new_wording_is_applied_once():
    load_plan()
    Audience.objects.filter(slug="filles").update(**FORMER_WORDING)
    load_plan()
    after = wording()

    output = load_plan()

    assert wording() == after
    assert after["name"] == PUPILS
    assert output == "Rien à créer : les données du plan sont déjà présentes.\n"


def test_wording_staff_changed_is_kept():
    load_plan()
    staff = {
        "name": "Collégiennes et lycéennes",
        "short_name": "Collégiennes",
        "description": "Texte de l'équipe.",
    }
    Audience.objects.filter(slug="filles").update(**staff)

    output = load_plan()

    assert wording() == staff
    assert output == "Rien à créer : les données du plan sont déjà présentes.\n"


def test_each_text_is_replaced_only_if_it_is_still_the_former_default():
    load_plan()
    Audience.objects.filter(slug="filles").update(
        **{**FORMER_WORDING, "name": "Jeunes du territoire", "description": "Texte de l'équipe."}
    )

    load_plan()

    assert wording() == {
        "name": "Jeunes du territoire",
        "short_name": "Élèves et jeunes",
        "description": "Texte de l'équipe.",
    }


def test_an_audience_staff_created_under_another_slug_is_renamed_not_duplicated():
    AudienceFactory(slug="jeunes", **FORMER_WORDING)

    load_plan()

    assert not Audience.objects.filter(slug="filles").exists()
    assert wording("jeunes")["name"] == PUPILS
    assert Audience.objects.count() == 3
    assert slugs(Initiative.objects.get(number=2).audiences) == {"jeunes"}


def test_the_new_name_is_not_given_when_another_audience_holds_it():
    load_plan()
    Audience.objects.filter(slug="filles").update(**FORMER_WORDING)
    AudienceFactory(slug="eleves", name=PUPILS)

    output = load_plan()

    assert wording()["name"] == "Filles"
    assert wording()["short_name"] == "Élèves et jeunes"
    assert output == (
        "Rien à créer : les données du plan sont déjà présentes.\n"
        f"Public cible « filles » : nom laissé tel quel, « {PUPILS} » est déjà le nom "
        "d'un autre public cible.\n"
        "Public cible « filles » : ancien texte par défaut remplacé (nom court, description).\n"
    )


def test_contacts_are_attached_to_the_plan_but_never_public():
    load_plan()
    plan = ActionPlan.objects.get(slug=PLAN_SLUG)

    assert set(plan.contacts.values_list("full_name", "partner__slug")) == {
        ("Caroline Barbier", "cmq-industrie-transition-numerique"),
        ("Bénédicte Brienne", "agence-sofie"),
    }
    assert not Contact.objects.public().exists()
    assert (
        Contact.objects.get(full_name="Caroline Barbier").email
        == "caroline.barbier@region-academique-hauts-de-france.fr"
    )


def test_loads_the_four_initiatives_with_their_partners_and_audiences():
    load_plan()
    plan = ActionPlan.objects.get(slug=PLAN_SLUG)

    loaded = {
        initiative.number: (
            initiative.slug,
            slugs(initiative.lead_partners),
            slugs(initiative.associated_partners),
            slugs(initiative.audiences),
        )
        for initiative in plan.initiatives.all()
    }
    assert loaded == {
        1: ("reseau-verrelles", {"arc-france"}, set(), {"filles", "entreprises"}),
        2: ("convention-capital-filles", {"capso", "arc-france"}, {"capital-filles"}, {"filles"}),
        3: (
            "elles-bougent-sciences-ingenieur-feminin",
            {"capso"},
            {"elles-bougent"},
            {"filles"},
        ),
        4: ("portraits-corif", {"corif"}, set(), {"prescripteurs", "filles"}),
    }
    assert set(plan.initiatives.values_list("status", flat=True)) == {InitiativeStatus.IN_PROGRESS}


def test_loads_the_initiatives_links_and_achievements():
    load_plan()

    assert set(InitiativeLink.objects.values_list("initiative__number", "url")) == {
        (1, "http://linkedin.com/company/verrelles/"),
        (2, "https://www.capitalfilles.fr/page/340527-accueil"),
        (
            3,
            "https://www.onisep.fr/Equipes-educatives/Egalite-filles-garcons/"
            "Les-sciences-de-l-ingenieur-au-feminin",
        ),
    }
    assert set(Achievement.objects.values_list("initiative__number", "title", "quantity")) == {
        (1, "Création du réseau Verr'Elles au sein d'Arc France", None),
        (2, "Convention de partenariat signée avec l'association Capital Filles", None),
        (
            3,
            "Adhésion de la CAPSO à Elles Bougent pour les Sciences de l'Ingénieur au Féminin",
            None,
        ),
        (4, "7 portraits vidéo de femmes dans 4 entreprises", 7),
    }
    # The case sheet dates none of them: an unknown date, not an invented one.
    assert not Achievement.objects.filter(date__isnull=False).exists()


def test_second_run_creates_nothing():
    load_plan()
    before = counts()

    output = load_plan()

    assert counts() == before
    assert output == "Rien à créer : les données du plan sont déjà présentes.\n"


def test_second_run_keeps_staff_edits():
    load_plan()
    initiative = Initiative.objects.get(slug="reseau-verrelles")
    initiative.summary = "Résumé réécrit par l'équipe."
    initiative.save()
    initiative.audiences.remove(Audience.objects.get(slug="entreprises"))
    Partner.objects.filter(slug="arc-france").update(description="Description revue.")
    PlanPartner.objects.filter(partner__slug="region-hauts-de-france").update(
        role=PartnerRole.SUPPORTER
    )
    Contact.objects.filter(full_name="Caroline Barbier").update(job_title="Directrice")

    load_plan()

    initiative.refresh_from_db()
    assert initiative.summary == "Résumé réécrit par l'équipe."
    assert slugs(initiative.audiences) == {"filles"}
    assert Partner.objects.get(slug="arc-france").description == "Description revue."
    assert PlanPartner.objects.get(partner__slug="region-hauts-de-france").role == (
        PartnerRole.SUPPORTER
    )
    assert Contact.objects.get(full_name="Caroline Barbier").job_title == "Directrice"


def test_rerun_never_brings_back_what_staff_deleted():
    load_plan()
    # A contact removed at the person's request is personal data that must stay gone.
    Contact.objects.filter(full_name="Bénédicte Brienne").delete()
    Achievement.objects.filter(quantity=7).delete()
    InitiativeLink.objects.filter(initiative__number=3).delete()
    before = counts()

    output = load_plan()

    assert counts() == before
    assert not Contact.objects.filter(full_name="Bénédicte Brienne").exists()
    assert output == "Rien à créer : les données du plan sont déjà présentes.\n"


def test_reuses_a_partner_staff_created_under_another_slug():
    arc = PartnerFactory(name="Arc France", slug="arc")

    load_plan()

    assert not Partner.objects.filter(slug="arc-france").exists()
    assert slugs(Initiative.objects.get(number=1).lead_partners) == {"arc"}
    assert PlanPartner.objects.get(partner=arc).role == PartnerRole.STAKEHOLDER
