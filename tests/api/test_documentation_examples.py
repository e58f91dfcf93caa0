"""The documentation's examples on an instance of several territories: each names
the first territory with a published plan in French alphabetical order, and
answers what the page says it answers."""

import datetime
import re
from html import unescape

import pytest

from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.shared import collected
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

EXAMPLE = re.compile(r'<pre class="code-example"><code>curl (.*?)</code></pre>', re.S)


@pytest.fixture
@collected
def two_territories(db):
    """« Éperlecques » comes before « Flandre » in French, after it in a binary
    order (SQLite's, or PostgreSQL's under the C collation); « Aa » comes first but
    has no published plan. The examples take Éperlecques' first initiative, and the
    year and commune of its latest validated event with people counted."""
    eperlecques = TerritoryFactory(name="Éperlecques", slug="eperlecques", region="Normandie")
    plan = ActionPlanFactory(territory=eperlecques, start_date=datetime.date(2024, 1, 1))
    marraines = InitiativeFactory(plan=plan, number=1, slug="marraines-industrie")
    InitiativeFactory(plan=plan, number=2, slug="portraits")
    event = AwarenessEventFactory(
        initiative=marraines, date=datetime.date(2025, 3, 4), commune="Éperlecques"
    )
    AudienceCountFactory(event=event, people=12, women=7)
    AwarenessEventFactory(initiative=marraines, date=datetime.date(2024, 5, 6), commune="Arques")
    AwarenessEventFactory(
        initiative=marraines, date=datetime.date(2025, 6, 1), commune="Arques", draft=True
    )
    ActionPlanFactory()  # the seed territory's, Flandre
    ActionPlanFactory(territory=TerritoryFactory(name="Aa", slug="aa"), draft=True)


def _examples(client):
    html = client.get("/api/v1/docs/").content.decode()
    examples = []
    for example in EXAMPLE.findall(html):
        command = unescape(example).splitlines()[0]
        header = re.match(r"-H '([^:]+): ([^']*)' ", command)
        if header:
            command = command[header.end() :]
        url = command.strip('"').removeprefix("http://testserver")
        examples.append((url, header.group(1) if header else None))
    return html, examples


def test_every_example_answers_what_the_documentation_says(client, two_territories):
    html, examples = _examples(client)

    assert [url for url, _header in examples] == [
        "/api/v1/chiffres/?territoire=eperlecques",
        "/api/v1/chiffres/par-mois/?annee=2025&initiative=marraines-industrie&territoire=eperlecques",
        "/api/v1/actions/?commune=%C3%89perlecques&par_page=100&page=2&territoire=eperlecques",
        "/api/v1/chiffres/?annee=abc&territoire=eperlecques",
        "/api/v1/chiffres/?territoire=eperlecques",
    ]
    (totals, _), (by_month, _), (actions, _), (wrong, _), (conditional, header) = examples
    assert client.get(totals).json()["personnes_sensibilisees"] == 12
    assert client.get(by_month).json()["filtres"]["initiative"] == "marraines-industrie"
    assert client.get(actions).json()["nombre"] == 1

    refused = client.get(wrong)
    assert refused.status_code == 400
    said = re.search(r'\{"detail":"(.*?) …"\}', unescape(html)).group(1)
    assert refused.json()["detail"].startswith(said)

    assert header == "If-None-Match"
    etag = client.get(conditional)["ETag"]
    assert client.get(conditional, headers={header: etag}).status_code == 304


def test_on_an_instance_of_one_territory_the_examples_name_none(client, db):
    ActionPlanFactory()

    _html, examples = _examples(client)

    assert all("territoire" not in url for url, _header in examples)
    assert client.get(examples[-2][0]).status_code == 400
    assert client.get(examples[-1][0]).status_code == 200
