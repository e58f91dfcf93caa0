"""The French built around a model's name: articles, elision, agreement."""

import pytest

from feminisation.grammar import Noun, listed
from indicators.models import AudienceCount, AwarenessEvent, Target
from partners.models import Partner


@pytest.mark.parametrize(
    ("model", "the", "a", "new", "its_one", "agreed"),
    [
        (
            AwarenessEvent,
            "l'action de sensibilisation",
            "une action de sensibilisation",
            "Nouvelle action de sensibilisation",
            "son action de sensibilisation",
            "ajoutée",
        ),
        (
            AudienceCount,
            "la ligne de comptage",
            "une ligne de comptage",
            "Nouvelle ligne de comptage",
            "sa ligne de comptage",
            "ajoutée",
        ),
        (Target, "l'objectif", "un objectif", "Nouvel objectif", "son objectif", "ajouté"),
        (
            Partner,
            "le partenaire",
            "un partenaire",
            "Nouveau partenaire",
            "son partenaire",
            "ajouté",
        ),
    ],
)
def test_each_model_is_named_with_its_gender_and_elision(model, the, a, new, its_one, agreed):
    noun = Noun.of(model)
    assert (noun.the, noun.a, noun.new, noun.its(1), noun.agreed("ajouté")) == (
        the,
        a,
        new,
        its_one,
        agreed,
    )


def test_counts_and_lists_read_as_a_sentence():
    lines = Noun.of(AudienceCount)
    assert lines.its(2) == "ses 2 lignes de comptage"
    assert listed(["a", "b", "c"]) == "a, b et c"


def test_link_tables_and_versions_are_named_after_what_they_belong_to():
    through = AwarenessEvent.co_organizers.through
    assert Noun.of(through).singular == "co-organisateurs de l'action de sensibilisation"
    assert Noun.of(AwarenessEvent.history.model).singular == (
        "version de l'action de sensibilisation"
    )
