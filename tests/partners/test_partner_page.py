import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from indicators.figures import stats
from initiatives.enums import PartnerRole
from initiatives.models import PlanPartner
from partners.enums import PartnerKind
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return ActionPlanFactory()


def marked(response, attribute, slug):
    html = response.content.decode()
    start = html.index(f'{attribute}="{slug}">') + len(f'{attribute}="{slug}">')
    return html[start : html.index("<", start)]


def section(response, group_id):
    """The HTML of one role's section, to check what is listed under it."""
    html = response.content.decode()
    start = html.index(f'<section class="plan-section" id="{group_id}"')
    return html[start : html.index("</section>", start)]


def test_partners_are_grouped_by_role_then_by_kind(client, plan):
    capso = PartnerFactory(
        name="Communauté d'agglomération du Pays de Saint-Omer",
        short_name="CAPSO",
        slug="capso",
        kind=PartnerKind.LOCAL_AUTHORITY,
        website="https://www.ca-pso.fr/",
    )
    corif = PartnerFactory(name="CORIF", slug="corif", kind=PartnerKind.ASSOCIATION)
    anct = PartnerFactory(name="ANCT", slug="anct", kind=PartnerKind.STATE_OR_FUNDER)
    school = PartnerFactory(name="Lycée Ribot", slug="lycee", kind=PartnerKind.SCHOOL)
    PartnerFactory(name="Partenaire sans lien avec le plan", slug="sans-lien")
    hidden = PartnerFactory(name="Partenaire discret", slug="discret", hidden=True)
    for partner, role in [
        (capso, PartnerRole.STAKEHOLDER),
        (corif, PartnerRole.STAKEHOLDER),
        (anct, PartnerRole.SUPPORTER),
        (hidden, PartnerRole.STAKEHOLDER),
    ]:
        PlanPartner.objects.create(plan=plan, partner=partner, role=role)
    # Another plan's role does not make a partner one of this plan's.
    PlanPartner.objects.create(
        plan=ActionPlanFactory(draft=True),
        partner=PartnerFactory(name="Soutien d'un autre plan", slug="autre"),
        role=PartnerRole.SUPPORTER,
    )
    portraits = InitiativeFactory(plan=plan, title="Portraits vidéo", slug="portraits")
    portraits.lead_partners.add(corif)
    portraits.associated_partners.add(capso)
    AudienceCountFactory(event=AwarenessEventFactory(initiative=portraits, organizer=school))

    response = client.get(reverse("partner_list"))

    assert response.status_code == 200
    assertContains(response, "<h1>Les partenaires du plan</h1>", html=True)
    stakeholders = section(response, "parties-prenantes")
    assert stakeholders.index("Association</h3>") < stakeholders.index("CORIF")
    assert stakeholders.index("Collectivité territoriale</h3>") < stakeholders.index("CAPSO")
    assert "ANCT" not in stakeholders
    assert "ANCT" in section(response, "soutiens")
    assert "Lycée Ribot" in section(response, "autres-partenaires")
    assertContains(
        response,
        '<h4 class="card__title">Communauté d\'agglomération du Pays de Saint-Omer '
        '<span class="partner-card__short">(CAPSO)</span></h4>',
        html=True,
    )
    assertContains(
        response,
        '<div><dt>Pilote :</dt> <dd><a href="/initiatives/portraits/">Portraits vidéo</a></dd>'
        "</div>",
        html=True,
    )
    assertContains(
        response,
        '<div><dt>Associé à :</dt> <dd><a href="/initiatives/portraits/">Portraits vidéo</a>'
        "</dd></div>",
        html=True,
    )
    assertContains(
        response,
        '<a href="https://www.ca-pso.fr/">Site web'
        '<span class="visually-hidden"> de Communauté d\'agglomération du Pays de Saint-Omer'
        "</span></a>",
        html=True,
    )
    assertNotContains(response, "Partenaire discret")
    assertNotContains(response, "Partenaire sans lien avec le plan")
    assertNotContains(response, "Soutien d&#x27;un autre plan")


def test_people_reached_are_credited_to_the_organiser_and_each_co_organiser(client, plan):
    arc, capso, corif = (
        PartnerFactory(name="Arc France", slug="arc"),
        PartnerFactory(name="CAPSO", slug="capso"),
        PartnerFactory(name="CORIF", slug="corif"),
    )
    initiative = InitiativeFactory(plan=plan)
    joint = AwarenessEventFactory(initiative=initiative, organizer=arc, co_organizers=[capso])
    AudienceCountFactory(event=joint, people=20, women=12)
    AudienceCountFactory(event=joint, people=5, women=None)
    alone = AwarenessEventFactory(initiative=initiative, organizer=capso)
    AudienceCountFactory(event=alone, people=7, women=3)
    # Neither drafts, nor submitted events, nor another plan's events count.
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=initiative, organizer=corif, draft=True)
    )
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=initiative, organizer=corif, submitted=True)
    )
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative__plan__draft=True, organizer=corif), people=999
    )
    PlanPartner.objects.create(plan=plan, partner=corif, role=PartnerRole.STAKEHOLDER)

    response = client.get(reverse("partner_list"))

    assert marked(response, "data-partner-people", "arc") == "25"
    assert marked(response, "data-partner-events", "arc") == "1"
    assert marked(response, "data-partner-people", "capso") == "32"
    assert marked(response, "data-partner-events", "capso") == "2"
    assert marked(response, "data-partner-people", "corif") == "0"
    assert marked(response, "data-partner-events", "corif") == "0"
    # The page and the stats module (dashboard, exports) agree.
    for row in stats.by_partner(stats.Scope(plan)):
        slug = {arc.pk: "arc", capso.pk: "capso", corif.pk: "corif"}[row.key[0]]
        assert marked(response, "data-partner-people", slug) == str(row.people)


def test_partner_page_without_a_published_plan_says_so(client):
    PartnerFactory(name="Arc France")

    response = client.get(reverse("partner_list"))

    assert response.status_code == 200
    assertContains(response, "<h1>Aucun plan d'action n'est encore publié</h1>", html=True)


def test_partner_page_is_cached_and_shows_a_saved_change_on_the_next_request(
    client, plan, django_assert_num_queries, django_capture_on_commit_callbacks
):
    partner = PartnerFactory(name="Arc France", description="Verrerie.")
    PlanPartner.objects.create(plan=plan, partner=partner, role=PartnerRole.STAKEHOLDER)
    client.get(reverse("partner_list"))
    with django_assert_num_queries(0):
        client.get(reverse("partner_list"))

    partner.description = "Entreprise au sein de laquelle a été créé le réseau Verr'Elles."
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        partner.save()

    assertContains(
        client.get(reverse("partner_list")),
        "<p>Entreprise au sein de laquelle a été créé le réseau Verr'Elles.</p>",
        html=True,
    )


def test_a_partner_hidden_afterwards_disappears_on_the_next_request(
    client, plan, django_capture_on_commit_callbacks
):
    partner = PartnerFactory(name="Arc France")
    PlanPartner.objects.create(plan=plan, partner=partner, role=PartnerRole.STAKEHOLDER)
    assertContains(client.get(reverse("partner_list")), "Arc France")

    partner.is_public = False
    with django_capture_on_commit_callbacks(execute=True):
        partner.save()

    assertNotContains(client.get(reverse("partner_list")), "Arc France")
