import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from initiatives.enums import PartnerRole
from initiatives.models import PlanLink, PlanPartner
from initiatives.views import TextBlock, text_blocks
from partners.enums import PartnerKind
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return ActionPlanFactory(
        title="Mettre en place un plan d'action en faveur de la féminisation",
        finding="L'attractivité des emplois industriels est un enjeu majeur.\n\nDeuxième constat.",
        objectives="Ce plan a pour objectif de sensibiliser :\n- les filles ;\n- les entreprises.",
        indicator="Une comptabilité est tenue par le Territoire d'Industrie.",
        obstacles="L'obstacle le plus important reste celui des mentalités.",
        quote="Quand c'est un sujet de territoire, tout le monde se sent impliqué",
    )


def figure(response, name):
    """The text of a figure marked data-figure="name", as a visitor reads it."""
    html = response.content.decode()
    start = html.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return html[start : html.index("<", start)]


def test_plan_page_presents_the_plan(client, plan):
    girls = AudienceFactory(name="Filles", description="Ouvrir le champ des possibles.")
    verrelles = InitiativeFactory(plan=plan, title="Réseau Verr'Elles", slug="reseau-verrelles")
    verrelles.audiences.add(girls)
    AudienceFactory(name="Public sans initiative du plan")  # targeted by no initiative of the plan
    PlanLink.objects.create(plan=plan, label="Site de la CAPSO", url="https://www.ca-pso.fr/")

    response = client.get(reverse("plan"))

    assert response.status_code == 200
    assertContains(response, f"<h1>{plan.title}</h1>", html=True)
    assertContains(response, '<h2 id="constat-titre">Constat</h2>', html=True)
    assertContains(response, "<p>Deuxième constat.</p>", html=True)
    assertContains(response, "<ul><li>les filles ;</li><li>les entreprises.</li></ul>", html=True)
    assertContains(response, '<h4 class="card__title">Filles</h4>', html=True)
    assertContains(response, "<p>Ouvrir le champ des possibles.</p>", html=True)
    assertContains(
        response, '<a href="/initiatives/reseau-verrelles/">Réseau Verr\'Elles</a>', html=True
    )
    assertNotContains(response, "Public sans initiative du plan")
    assertContains(
        response, "<p>Une comptabilité est tenue par le Territoire d'Industrie.</p>", html=True
    )
    assertContains(
        response, "<p>L'obstacle le plus important reste celui des mentalités.</p>", html=True
    )
    assertContains(response, f"<blockquote><p>« {plan.quote} »</p></blockquote>", html=True)
    assertContains(response, '<a href="https://www.ca-pso.fr/">Site de la CAPSO</a>', html=True)
    assertContains(response, "« Féminisation des filières industrielles » de France Clusters")
    assert response.content.decode().count("<h1") == 1


def test_plan_page_lists_public_stakeholders_and_supporters_with_their_websites(client, plan):
    capital_filles = PartnerFactory(
        name="Capital Filles", kind=PartnerKind.ASSOCIATION, website="https://capitalfilles.fr/"
    )
    anct = PartnerFactory(name="Agence nationale de la cohésion des territoires", website="")
    hidden = PartnerFactory(name="Partenaire discret", hidden=True)
    for partner, role in [
        (capital_filles, PartnerRole.STAKEHOLDER),
        (anct, PartnerRole.SUPPORTER),
        (hidden, PartnerRole.STAKEHOLDER),
    ]:
        PlanPartner.objects.create(plan=plan, partner=partner, role=role)

    response = client.get(reverse("plan"))

    assertContains(
        response,
        '<h4 class="card__title"><a href="https://capitalfilles.fr/">Capital Filles</a></h4>',
        html=True,
    )
    assertContains(response, '<p class="card__meta">Association</p>', html=True)
    assertContains(
        response,
        '<h4 class="card__title">Agence nationale de la cohésion des territoires</h4>',
        html=True,
    )
    assertNotContains(response, "Partenaire discret")


def test_plan_page_shows_public_contacts_only(client, plan):
    public = ContactFactory(
        public=True,
        full_name="Caroline Barbier",
        job_title="Directrice opérationnelle du CMQ",
        email="caroline.barbier@example.fr",
        partner__name="Campus des métiers",
    )
    private = ContactFactory(
        full_name="Bénédicte Brienne", email="benedicte@example.fr", phone="03 21 00 00 00"
    )
    ContactFactory(public=True, full_name="Contact hors du plan")
    plan.contacts.add(public, private)

    response = client.get(reverse("plan"))

    assertContains(response, '<h3 class="card__title">Caroline Barbier</h3>', html=True)
    assertContains(
        response,
        '<p class="card__meta">Directrice opérationnelle du CMQ, Campus des métiers</p>',
        html=True,
    )
    assertContains(
        response,
        '<a href="mailto:caroline.barbier@example.fr">caroline.barbier@example.fr</a>',
        html=True,
    )
    for personal_data in ("Bénédicte Brienne", "benedicte@example.fr", "03 21 00 00 00"):
        assertNotContains(response, personal_data)
    assertNotContains(response, "Contact hors du plan")


def test_plan_page_without_a_public_contact_says_how_to_reach_the_territory(client, plan):
    plan.contacts.add(ContactFactory(full_name="Bénédicte Brienne"))

    response = client.get(reverse("plan"))

    assertContains(response, "Aucun contact n'est publié pour l'instant.")
    assertNotContains(response, "Bénédicte Brienne")


def test_plan_figures_are_the_databases_sums_for_the_current_plan(client, plan):
    initiative = InitiativeFactory(plan=plan)
    event = AwarenessEventFactory(initiative=initiative)
    AudienceCountFactory(event=event, people=20, women=12)
    AudienceCountFactory(event=event, people=3, women=None)
    AudienceCountFactory(event=AwarenessEventFactory(initiative=initiative), people=15, women=3)
    # Neither drafts, nor submitted events, nor another plan's events count.
    AudienceCountFactory(event=AwarenessEventFactory(initiative=initiative, draft=True))
    AudienceCountFactory(event=AwarenessEventFactory(initiative=initiative, submitted=True))
    AudienceCountFactory(event=AwarenessEventFactory(initiative__plan__draft=True), people=999)

    response = client.get(reverse("plan"))

    assert figure(response, "people") == "38"
    assert figure(response, "events") == "2"
    assert figure(response, "women") == "15"
    # 15 women among the 35 people whose sex is known.
    assertContains(response, "43\u202f% des personnes dont le sexe est connu")
    assertContains(response, "sexe non renseigné pour 3 personnes")


def test_plan_page_without_a_published_plan_says_so(client):
    ActionPlanFactory(draft=True)

    response = client.get(reverse("plan"))

    assert response.status_code == 200
    assertContains(response, "<h1>Aucun plan d'action n'est encore publié</h1>", html=True)


def test_plan_page_is_cached_and_shows_a_saved_change_on_the_next_request(
    client, plan, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.get(reverse("plan"))
    with django_assert_num_queries(0):
        cached = client.get(reverse("plan"))
    assertContains(cached, f"<blockquote><p>« {plan.quote} »</p></blockquote>", html=True)

    plan.quote = "Un sujet de territoire"
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        plan.save()

    assertContains(
        client.get(reverse("plan")),
        "<blockquote><p>« Un sujet de territoire »</p></blockquote>",
        html=True,
    )


def test_plan_page_is_the_current_one_in_the_main_navigation(client, plan):
    response = client.get(reverse("plan"))

    assertContains(
        response,
        '<nav class="site-nav" aria-label="Navigation principale">'
        '<ul class="container site-nav__list">'
        '<li><a href="/">Tableau de bord</a></li>'
        '<li><a href="/plan/" aria-current="page">Le plan</a></li>'
        '<li><a href="/initiatives/">Initiatives</a></li>'
        '<li><a href="/partenaires/">Partenaires</a></li>'
        '<li><a href="/territoire/">Le territoire</a></li>'
        "</ul></nav>",
        html=True,
    )
    assertContains(response, "<title>Le plan d'action — Mixité Industrie</title>", html=True)


def test_text_blocks_turn_dashes_into_lists_and_blank_lines_into_paragraphs():
    text = "Premier.\nsuite\n\nObjectifs :\n- un ;\n- deux.\nFin.\r\n\r\n"

    assert text_blocks(text) == [
        TextBlock(["Premier. suite"]),
        TextBlock(["Objectifs :"]),
        TextBlock(["un ;", "deux."], is_list=True),
        TextBlock(["Fin."]),
    ]
    assert text_blocks("") == []
