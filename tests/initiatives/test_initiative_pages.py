import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from feminisation.formatting import month_label
from indicators.enums import EventFormat, EventStatus
from initiatives.enums import InitiativeStatus
from initiatives.models import InitiativeLink
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import (
    AchievementFactory,
    ActionPlanFactory,
    AudienceFactory,
    InitiativeFactory,
)
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return ActionPlanFactory()


def figure(response, name):
    """The text of a figure marked data-figure="name", as a visitor reads it."""
    html = response.content.decode()
    start = html.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return html[start : html.index("<", start)]


def marked(response, attribute, slug):
    html = response.content.decode()
    start = html.index(f'{attribute}="{slug}">') + len(f'{attribute}="{slug}">')
    return html[start : html.index("<", start)]


def detail_url(initiative):
    return reverse("initiative_detail", args=[initiative.slug])


def recent(days_ago=0):
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def test_initiative_list_shows_each_initiative_with_its_people_reached(client, plan):
    verrelles = InitiativeFactory(
        plan=plan, number=1, title="Réseau Verr'Elles", slug="reseau-verrelles"
    )
    corif = InitiativeFactory(plan=plan, number=2, title="Portraits CORIF", slug="portraits")
    verrelles.lead_partners.add(PartnerFactory(name="Arc France"))
    verrelles.lead_partners.add(PartnerFactory(name="Pilote discret", hidden=True))
    corif.associated_partners.add(PartnerFactory(name="Capital Filles"))
    verrelles.audiences.add(AudienceFactory(short_name="Filles"))
    girls_event = AwarenessEventFactory(initiative=verrelles)
    AudienceCountFactory(event=girls_event, people=20, women=12)
    AudienceCountFactory(event=girls_event, people=3, women=None)
    AudienceCountFactory(event=AwarenessEventFactory(initiative=corif), people=15)
    AudienceCountFactory(event=AwarenessEventFactory(initiative=corif, draft=True), people=100)
    AudienceCountFactory(event=AwarenessEventFactory(initiative=corif, submitted=True))
    InitiativeFactory(plan=ActionPlanFactory(draft=True), title="Initiative hors du plan")

    response = client.get(reverse("initiative_list"))

    assert response.status_code == 200
    assertContains(response, "<h1>Les initiatives du plan</h1>", html=True)
    assertContains(
        response,
        '<h2 class="initiative-card__title">'
        '<a href="/initiatives/reseau-verrelles/">Réseau Verr\'Elles</a></h2>',
        html=True,
    )
    assertContains(response, "<div><dt>Pilotage :</dt> <dd>Arc France</dd></div>", html=True)
    assertContains(
        response, "<div><dt>Partenaires associés :</dt> <dd>Capital Filles</dd></div>", html=True
    )
    assertContains(response, "<div><dt>Publics cibles :</dt> <dd>Filles</dd></div>", html=True)
    assertNotContains(response, "Pilote discret")
    assertNotContains(response, "Initiative hors du plan")
    assert marked(response, "data-initiative-people", "reseau-verrelles") == "23"
    assert marked(response, "data-initiative-events", "reseau-verrelles") == "1"
    assert marked(response, "data-initiative-people", "portraits") == "15"
    assert marked(response, "data-initiative-events", "portraits") == "1"
    # The comparison chart is a table with a header cell per initiative.
    assertContains(response, '<th scope="row">Portraits CORIF</th>', html=True)


def test_initiative_page_says_what_the_initiative_is(client, plan):
    initiative = InitiativeFactory(
        plan=plan,
        number=2,
        title="Convention Capital Filles",
        summary="La CAPSO et le réseau Verr'Elles ont signé une convention.",
        description="Premier paragraphe.\n\nSecond paragraphe.",
        status=InitiativeStatus.COMPLETED,
    )
    initiative.lead_partners.add(PartnerFactory(name="CAPSO", slug="capso"))
    initiative.associated_partners.add(PartnerFactory(name="Capital Filles", slug="cf"))
    initiative.associated_partners.add(PartnerFactory(name="Associé discret", hidden=True))
    initiative.audiences.add(AudienceFactory(name="Prescripteurs de formation et d'emploi"))
    AchievementFactory(
        initiative=initiative,
        title="Portraits vidéo de femmes",
        quantity=7,
        url="https://example.fr/portraits",
    )
    InitiativeLink.objects.create(
        initiative=initiative, label="Site de Capital Filles", url="https://capitalfilles.fr/"
    )

    response = client.get(detail_url(initiative))

    assert response.status_code == 200
    assertContains(response, "<h1>Convention Capital Filles</h1>", html=True)
    assertContains(
        response,
        '<p class="eyebrow">Initiative 2 <span class="status status--terminee">Terminée</span></p>',
        html=True,
    )
    assertContains(
        response,
        '<p class="lead">La CAPSO et le réseau Verr\'Elles ont signé une convention.</p>',
        html=True,
    )
    assertContains(response, "<p>Second paragraphe.</p>", html=True)
    assertContains(
        response,
        '<div><dt>Pilotage</dt><dd><ul class="plain-list">'
        '<li><a href="/partenaires/#partenaire-capso">CAPSO</a></li></ul></dd></div>',
        html=True,
    )
    assertContains(response, '<a href="/partenaires/#partenaire-cf">Capital Filles</a>', html=True)
    assertNotContains(response, "Associé discret")
    assertContains(response, "<li>Prescripteurs de formation et d'emploi</li>", html=True)
    assertContains(response, '<h2 id="realisations-titre">Réalisations</h2>', html=True)
    assertContains(response, '<span class="achievement__quantity">7</span>', html=True)
    assertContains(
        response, '<a href="https://example.fr/portraits">Portraits vidéo de femmes</a>', html=True
    )
    assertContains(
        response, '<a href="https://capitalfilles.fr/">Site de Capital Filles</a>', html=True
    )
    assertContains(
        response,
        "<title>Convention Capital Filles : initiative 2 — Mixité Industrie</title>",
        html=True,
    )
    assertContains(
        response, '<a href="/initiatives/" aria-current="true">Initiatives</a>', html=True
    )
    assert response.content.decode().count("<h1") == 1


def test_initiative_figures_are_the_databases_sums_for_that_initiative(client, plan):
    initiative = InitiativeFactory(plan=plan)
    other = InitiativeFactory(plan=plan)
    girls, companies = AudienceFactory(name="Filles"), AudienceFactory(name="Entreprises")
    initiative.audiences.add(girls, companies)
    event = AwarenessEventFactory(initiative=initiative, date=recent())
    AudienceCountFactory(event=event, audience=girls, people=20, women=12)
    AudienceCountFactory(event=event, audience=companies, people=4, women=None)
    later = AwarenessEventFactory(initiative=initiative, date=recent())
    AudienceCountFactory(event=later, audience=girls, people=10, women=6)
    # Neither drafts, nor submitted events, nor another initiative's events count.
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=initiative, draft=True), audience=girls
    )
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=initiative, submitted=True), audience=girls
    )
    AudienceCountFactory(event=AwarenessEventFactory(initiative=other), audience=girls)

    response = client.get(detail_url(initiative))

    assert figure(response, "people") == "34"
    assert figure(response, "women") == "18"
    assert figure(response, "events") == "2"
    # 18 women among the 30 people whose sex is known.
    assertContains(response, "soit 60\u202f% des personnes dont le sexe est connu")
    assertContains(response, "sexe non renseigné pour 4 personnes")
    # This month's bar, the running total since the start, the breakdown by audience.
    this_month = month_label(timezone.localdate())
    assertContains(
        response,
        f"34 personnes sensibilisées au total ; le plus grand nombre : {this_month} (34).",
    )
    assertContains(response, f"Le cumul atteint 34 personnes sensibilisées ({this_month}).")
    assertContains(
        response, "34 personnes sensibilisées au total ; le plus grand nombre : Filles (30)."
    )
    assertContains(response, '<th scope="row">Entreprises</th>', html=True)


def test_the_last_months_end_today_even_with_an_action_entered_ahead(client, plan):
    """An action dated next year (entered ahead) counts in the totals; the charts of
    the last twelve months still end this month, rather than a year of empty months
    ending with it."""
    initiative = InitiativeFactory(plan=plan)
    today = timezone.localdate()
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=initiative, date=today), people=5, women=2
    )
    ahead = today.replace(year=today.year + 1, day=1)
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=initiative, date=ahead), people=7, women=3
    )

    response = client.get(detail_url(initiative))

    assert figure(response, "people") == "12"
    months = response.context["monthly_chart"].rows
    assert len(months) == 12
    assert months[-1].month == today.replace(day=1)
    assert months[-1].people == 5


def test_initiative_charts_count_no_women_where_no_ones_sex_is_known(client, plan):
    initiative = InitiativeFactory(plan=plan)
    companies = AudienceFactory(name="Entreprises")
    event = AwarenessEventFactory(initiative=initiative, date=recent())
    AudienceCountFactory(event=event, audience=companies, people=4, women=None)

    html = client.get(detail_url(initiative)).content.decode()

    row = html[html.index('<th scope="row">Entreprises</th>') :]
    row = row[: row.index("</tr>")].rstrip()
    assert row.endswith('<td class="num">—</td><td class="num">—</td>')


def test_initiative_page_lists_its_latest_validated_events_without_personal_data(client, plan):
    initiative = InitiativeFactory(plan=plan)
    event = AwarenessEventFactory(
        initiative=initiative,
        date=datetime.date(2026, 3, 12),
        format=EventFormat.COMPANY_VISIT,
        commune="Arques",
        notes="Appeler Mme Martin au 06 12 34 56 78",
        title="Visite avec Jeanne Dupont",
    )
    AudienceCountFactory(event=event, people=18, women=9)
    AudienceCountFactory(event=event, people=2, women=None)
    AudienceCountFactory(
        event=AwarenessEventFactory(
            initiative=initiative, commune="Commune en brouillon", draft=True
        )
    )

    response = client.get(detail_url(initiative))

    assertContains(
        response,
        '<tr><td class="nowrap"><time datetime="2026-03-12">12/03/2026</time></td>'
        '<td>Visite d\'entreprise</td><td>Arques</td><td class="num">20</td></tr>',
        html=True,
    )
    assertNotContains(response, "06 12 34 56 78")
    assertNotContains(response, "Jeanne Dupont")
    assertNotContains(response, "Commune en brouillon")


def test_an_unknown_slug_answers_404_in_the_site_layout(client, plan):
    InitiativeFactory(plan=plan, slug="reseau-verrelles")

    response = client.get(reverse("initiative_detail", args=["inconnue"]))

    assert response.status_code == 404
    assertContains(response, "<h1>Initiative introuvable</h1>", html=True, status_code=404)
    assertContains(
        response, '<a href="/initiatives/">Voir toutes les initiatives du plan</a>', status_code=404
    )


def test_another_plans_initiative_answers_404(client, plan):
    old_plan = ActionPlanFactory(start_date=datetime.date(2019, 1, 1))
    old = InitiativeFactory(plan=old_plan, slug="ancienne-initiative")

    assert client.get(detail_url(old)).status_code == 404


def test_initiative_pages_without_a_published_plan(client):
    draft = InitiativeFactory(plan__is_published=False, slug="brouillon")

    assert client.get(detail_url(draft)).status_code == 404
    response = client.get(reverse("initiative_list"))
    assert response.status_code == 200
    assertContains(response, "<h1>Aucun plan d'action n'est encore publié</h1>", html=True)


def test_initiative_page_is_cached_and_shows_a_validated_event_on_the_next_request(
    client, plan, django_assert_num_queries, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(plan=plan)
    event = AwarenessEventFactory(initiative=initiative, submitted=True)
    AudienceCountFactory(event=event, people=25)
    assert figure(client.get(detail_url(initiative)), "people") == "0"
    with django_assert_num_queries(0):
        client.get(detail_url(initiative))

    event.status = EventStatus.VALIDATED
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        event.save()

    assert figure(client.get(detail_url(initiative)), "people") == "25"


def test_initiative_list_is_cached_and_shows_a_renamed_initiative(
    client, plan, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(plan=plan, title="Ancien titre")
    client.get(reverse("initiative_list"))

    initiative.title = "Nouveau titre"
    with django_capture_on_commit_callbacks(execute=True):
        initiative.save()

    assertContains(client.get(reverse("initiative_list")), "Nouveau titre")
