import datetime
from html import unescape

import pytest
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from indicators.enums import EventStatus
from indicators.figures import stats
from indicators.models import AudienceCount
from initiatives.enums import PartnerRole
from initiatives.models import PlanPartner
from partners.enums import PartnerKind
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

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
        '<h4 class="card__title"><a href="/partenaires/capso/">'
        "Communauté d'agglomération du Pays de Saint-Omer "
        '<span class="partner-card__short">(CAPSO)</span></a></h4>',
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


def test_funders_and_supporters_are_listed_for_what_they_support_without_counters(client, plan):
    anct = PartnerFactory(name="ANCT", slug="anct", kind=PartnerKind.STATE_OR_FUNDER)
    PlanPartner.objects.create(plan=plan, partner=anct, role=PartnerRole.SUPPORTER)
    region = PartnerFactory(name="Région", slug="region", kind=PartnerKind.REGION)
    PlanPartner.objects.create(plan=plan, partner=region, role=PartnerRole.SUPPORTER)
    # A funder that does organise actions shows what they reached.
    bank = PartnerFactory(name="Banque", slug="banque", kind=PartnerKind.STATE_OR_FUNDER)
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=InitiativeFactory(plan=plan), organizer=bank),
        people=9,
        women=4,
    )

    response = client.get(reverse("partner_list"))

    supporters = section(response, "soutiens")
    assert "data-partner-people" not in supporters
    assert "personne sensibilisée" not in supporters
    assertContains(
        response,
        '<p class="partner__figures" data-partner-support="anct">'
        "Soutien financier ou institutionnel</p>",
        html=True,
    )
    assertContains(
        response,
        '<p class="partner__figures" data-partner-support="region">'
        "Soutien financier ou institutionnel</p>",
        html=True,
    )
    assert marked(response, "data-partner-people", "banque") == "9"
    assertContains(
        response,
        '<h4 class="card__title"><a href="/partenaires/anct/">ANCT</a></h4>',
        html=True,
    )


@pytest.fixture
@collected
def corif(plan):
    """CORIF, a stakeholder that leads one initiative, is associated with another, and
    has organised and co-organised actions over two years."""
    corif = PartnerFactory(
        name="Coordination régionale",
        slug="corif",
        kind=PartnerKind.ASSOCIATION,
        short_name="CORIF",
        description="Une association pour l'égalité dans les métiers.",
        website="https://www.corif.fr/",
    )
    PlanPartner.objects.create(plan=plan, partner=corif, role=PartnerRole.STAKEHOLDER)
    portraits = InitiativeFactory(plan=plan, number=1, title="Portraits vidéo", slug="portraits")
    verrelles = InitiativeFactory(plan=plan, number=2, title="Réseau Verr'Elles", slug="verrelles")
    portraits.lead_partners.add(corif)
    verrelles.associated_partners.add(corif)
    other = PartnerFactory(name="Arc France", slug="arc")
    organised = AwarenessEventFactory(
        initiative=portraits,
        organizer=corif,
        date=datetime.date(2024, 5, 2),
        title="Forum des métiers",
        commune="Arques",
    )
    AudienceCountFactory(event=organised, people=30, women=18)
    AudienceCountFactory(event=organised, people=4, women=None)
    joint = AwarenessEventFactory(
        initiative=verrelles,
        organizer=other,
        co_organizers=[corif],
        date=datetime.date(2025, 3, 14),
        title="Visite de l'usine",
        commune="Saint-Omer",
    )
    AudienceCountFactory(event=joint, people=12, women=5)
    # Drafts and another plan's actions do not count.
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=portraits, organizer=corif, draft=True), people=500
    )
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative__plan__draft=True, organizer=corif), people=999
    )
    return corif


def test_a_partner_page_shows_its_role_initiatives_years_and_actions(client, corif):
    response = client.get(reverse("partner_detail", args=["corif"]))

    assert response.status_code == 200
    assertContains(
        response,
        '<h1>Coordination régionale <span class="partner-card__short">(CORIF)</span></h1>',
        html=True,
    )
    assertContains(
        response, '<p class="lead">Une association pour l\'égalité dans les métiers.</p>', html=True
    )
    assertContains(
        response, "<div><dt>Rôle</dt><dd data-partner-role>Partie prenante</dd></div>", html=True
    )
    assertContains(
        response,
        '<div><dt>Pilote</dt><dd><ul class="plain-list"><li>'
        '<a href="/initiatives/portraits/">Portraits vidéo</a></li></ul></dd></div>',
        html=True,
    )
    assertContains(
        response,
        '<div><dt>Associé à</dt><dd><ul class="plain-list"><li>'
        '<a href="/initiatives/verrelles/">Réseau Verr&#x27;Elles</a></li></ul></dd></div>',
        html=True,
    )
    assertContains(
        response,
        '<div><dt>Site web</dt><dd><a href="https://www.corif.fr/">https://www.corif.fr/</a>'
        "</dd></div>",
        html=True,
    )
    for row in [
        '<tr data-partner-year="2024"><th scope="row">2024</th><td class="num">1</td>'
        '<td class="num">0</td><td class="num">34</td><td class="num">18</td></tr>',
        '<tr data-partner-year="2025"><th scope="row">2025</th><td class="num">0</td>'
        '<td class="num">1</td><td class="num">12</td><td class="num">5</td></tr>',
        '<tr data-partner-year="total"><th scope="row">Total</th><td class="num">1</td>'
        '<td class="num">1</td><td class="num">46</td><td class="num">23</td></tr>',
    ]:
        assertContains(response, row, html=True)
    assertContains(response, "comptée en entier pour son organisateur et pour chacun")
    assertContains(
        response,
        '<tr><td class="nowrap"><time datetime="2025-03-14">14/03/2025</time></td>'
        '<th scope="row">Visite de l&#x27;usine</th>'
        '<td><a href="/initiatives/verrelles/">Réseau Verr&#x27;Elles</a></td>'
        '<td>Saint-Omer</td><td>Co-organisateur</td><td class="num">12</td>'
        '<td class="num">5</td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<tr><td class="nowrap"><time datetime="2024-05-02">02/05/2024</time></td>'
        '<th scope="row">Forum des métiers</th>'
        '<td><a href="/initiatives/portraits/">Portraits vidéo</a></td>'
        '<td>Arques</td><td>Organisateur</td><td class="num">34</td>'
        # 4 people of unknown sex: the 18 women are among 30, not 34.
        '<td class="num">18 (sexe connu pour 30)</td></tr>',
        html=True,
    )


@pytest.mark.parametrize("precomputed", [True, False])
def test_a_partners_years_equal_its_count_lines(plan, corif, precomputed):
    """The yearly figures, from the partners' daily figures, equal the sums of the
    count lines of the validated actions the partner organised or co-organised."""
    years, total = stats.partner_years(stats.Scope(plan, precomputed=precomputed), corif)

    lines = AudienceCount.objects.filter(
        Q(event__organizer=corif) | Q(event__co_organizers=corif),
        event__status=EventStatus.VALIDATED,
        event__initiative__plan=plan,
    )
    expected = {
        row["year"]: (row["people"], row["women"])
        for row in lines.values(year=ExtractYear("event__date"))
        .annotate(people=Sum("people"), women=Sum("women"))
        .order_by()
    }
    assert {row.year: (row.people, row.women) for row in years} == expected
    assert (total.people, total.women, total.events) == (46, 23, 2)


def test_a_funder_page_says_what_it_supports_without_counters(client, plan):
    anct = PartnerFactory(
        name="Agence nationale de la cohésion des territoires",
        slug="anct",
        kind=PartnerKind.STATE_OR_FUNDER,
    )
    PlanPartner.objects.create(plan=plan, partner=anct, role=PartnerRole.SUPPORTER)
    InitiativeFactory(plan=plan, title="Réseau", slug="reseau").associated_partners.add(anct)

    response = client.get(reverse("partner_detail", args=["anct"]))

    assert response.status_code == 200
    assertContains(
        response,
        "<div><dt>Rôle</dt><dd data-partner-role>Soutien financier ou institutionnel</dd></div>",
        html=True,
    )
    assertContains(
        response,
        f"<div><dt>Soutient</dt><dd>Le plan d'action du Territoire d'Industrie {plan.territory}"
        "</dd></div>",
        html=True,
    )
    assertContains(response, '<a href="/initiatives/reseau/">Réseau</a>')
    assertNotContains(response, "sensibilisée")
    assertNotContains(response, "Aucune action")
    assertNotContains(response, "data-partner-year")


@pytest.mark.parametrize("slug", ["discret", "sans-lien", "inconnu"])
def test_unpublished_or_unrelated_partners_have_no_page(client, plan, slug):
    hidden = PartnerFactory(name="Partenaire discret", slug="discret", hidden=True)
    PlanPartner.objects.create(plan=plan, partner=hidden, role=PartnerRole.STAKEHOLDER)
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=InitiativeFactory(plan=plan), organizer=hidden)
    )
    PartnerFactory(name="Partenaire sans lien avec le plan", slug="sans-lien")

    response = client.get(reverse("partner_detail", args=[slug]))

    assert response.status_code == 404
    assertContains(response, "<h1>Partenaire introuvable</h1>", html=True, status_code=404)
    assertNotContains(response, "Partenaire discret", status_code=404)


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Elles Bougent", "d'Elles Bougent"),
        ("Agence Sofie", "d'Agence Sofie"),
        ("Les Entreprises du Verre", "des Entreprises du Verre"),
        ("CORIF", "de CORIF"),
    ],
)
def test_a_partners_name_takes_de_as_french_writes_it(client, corif, name, written):
    corif.name = name
    corif.website = "https://example.fr"
    corif.save()

    page = client.get(reverse("partner_detail", args=["corif"])).content.decode()
    assert f"Actions {written} et personnes sensibilisées, par année" in unescape(page)
    html = client.get(reverse("partner_list")).content.decode()
    assert f'Site web<span class="visually-hidden"> {written}</span>' in unescape(html)
