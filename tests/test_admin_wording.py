# ruff: noqa: RUF001 (the pages' typographic quotes and arrows)
"""Every admin page a role can reach speaks French, in the plan's words: no English
left by Django or a package, no generic « objet », no « Ajout de action ». The crawl
starts from each role's admin home and opens every list it links to, the add form,
one object's form, its history and one of its versions, its delete confirmation,
and the staff's own pages."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from feminisation import access
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.partners.factories import PartnerFactory
from tests.test_admin import OBJECT_MAKERS

pytestmark = pytest.mark.django_db

# Django's and its packages' wording, in English or in their generic French.
FORBIDDEN = [
    r"\b[Oo]bjec?ts?\b",
    r"\bSelect\b",
    r"Sélectionnez",
    r"à changer\b",
    r"\bAdd\b",
    r"Ajout de",
    r"Modification de",
    r"Affichage de",
    r"\bHistorical\b",
    r"\bhistorical\b",
    r"\bRelations?\b",
    r"supplémentaire",
    r"\bIndicators\b",
    r"\bPartners\b",
    r"\bAccounts\b",
    r"\bAuth\b",
    r"\b(?:Change|View|Delete|Save|History|Revert|Home)\b",
    # « de action », « le initiative »: a name put after an article by a template.
    r"\b(?:[Dd]e|[Ll]e|[Ll]a) (?:action|initiative|objectif|année|utilisateur|échec)",
    r"\bAjouter (?!une? |des |l’|l')[a-zàâéèêîôû]",
    r"\bSearch\b",
    r"ajouter un nouveau\b",
    r"\b(?:True|False|None)\b",
]
FORBIDDEN_RE = re.compile("|".join(f"(?:{pattern})" for pattern in FORBIDDEN))
# The attributes whose text is read or heard.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-inline-formset"}


class ReadText(HTMLParser):
    """The text of a page as it is read or heard: its text and read attributes, not
    its scripts nor its styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        button = tag == "input" and dict(attrs).get("type") in {"submit", "button"}
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (name == "value" and button)):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def generic_wording(html):
    parser = ReadText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    return sorted(
        {text[max(0, m.start() - 40) : m.end() + 40] for m in FORBIDDEN_RE.finditer(text)}
    )


@pytest.fixture
def accounts():
    organisation = PartnerFactory(name="Arc France")
    partner = user_in(access.PARTNERS, "partenaire", organisations=[organisation])
    event = AwarenessEventFactory(organizer=organisation, co_organizers=[PartnerFactory()])
    AudienceCountFactory.create_batch(2, event=event)
    for make in OBJECT_MAKERS.values():
        make()
    superuser = get_user_model().objects.create_superuser("admin", "admin@example.fr", "x")
    return {
        "superuser": superuser,
        "staff": user_in(access.TERRITORY_STAFF, "equipe"),
        "manager": user_in(access.MANAGERS, "responsable"),
        "partner": partner,
    }


def reachable_pages(client):
    """The admin home, and from it every page one account can open: each list, its
    add form, one object's form, history, version and delete confirmation."""
    home = client.get(reverse("admin:index"))
    assert home.status_code == 200
    yield reverse("admin:index"), home
    for app in home.context["app_list"]:
        yield app["app_url"], client.get(app["app_url"])
        for model in app["models"]:
            changelist = client.get(model["admin_url"])
            yield model["admin_url"], changelist
            if model.get("add_url"):
                yield model["add_url"], client.get(model["add_url"])
            objects = changelist.context["cl"].result_list
            if not objects:
                continue
            change_url = changelist.context["cl"].url_for_result(objects[0])
            change = client.get(change_url)
            yield change_url, change
            base = change_url.removesuffix("change/")
            if not change.context.get("hide_history_link", True) or "history" in str(
                change.content
            ):
                history = client.get(f"{base}history/")
                if history.status_code == 200:
                    yield f"{base}history/", history
                    if versions := getattr(history.context.get("page_obj"), "object_list", None):
                        url = f"{base}history/{versions[0].history_id}/"
                        if (version := client.get(url)).status_code == 200:
                            yield url, version
            if change.context.get("has_delete_permission"):
                yield f"{base}delete/", client.get(f"{base}delete/")


EXTRA_PAGES = {
    "superuser": ["overview", "deleted", "import"],
    "staff": ["overview", "deleted", "import"],
    "manager": ["overview"],
    "partner": ["import"],
}


@pytest.mark.parametrize("role", ["superuser", "staff", "manager", "partner"])
def test_every_admin_page_a_role_reaches_speaks_the_plans_french(client, accounts, role):
    ContentType.objects.clear_cache()
    client.force_login(accounts[role])
    found, opened = {}, []
    pages = list(reachable_pages(client))
    for name in EXTRA_PAGES[role]:
        url = reverse(f"admin:indicators_awarenessevent_{name}")
        pages.append((url, client.get(url)))
    for url, response in pages:
        assert response.status_code == 200, url
        opened.append(url)
        if wording := generic_wording(response.content.decode()):
            found[url] = wording
    assert not found, "\n".join(f"{url}: {' | '.join(texts)}" for url, texts in found.items())
    # The crawl reached the event's own pages, for every role.
    assert any(re.search(r"awarenessevent/\d+/change/", url) for url in opened)


def test_the_list_of_forbidden_wording_catches_djangos():
    """Django's own phrases, as main showed them, are caught."""
    for phrase in (
        "Sélectionnez l’objet action de sensibilisation à changer",
        "Ajout de action de sensibilisation",
        "L’objet action de sensibilisation « Forum » a été ajouté avec succès.",
        "Ajouter un objet Ligne de comptage supplémentaire",
        "Accueil › Indicators › Historical actions de sensibilisation",
        "Relations awarenessevent-partner: 1",
        "AwarenessEvent_co_organizers object (72)",
        "Modification de initiative",
        "Enregistrer et ajouter un nouveau",
    ):
        assert generic_wording(f"<p>{phrase}</p>"), phrase
    assert not generic_wording(
        "<p>Choisissez l'action de sensibilisation à modifier</p>"
        "<p>Nouvelle action de sensibilisation</p><p>Ajouter une ligne de comptage</p>"
    )
