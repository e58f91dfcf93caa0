import datetime

import factory
from factory.django import DjangoModelFactory

from initiatives.models import Achievement, ActionPlan, Audience, Initiative
from tests.territories.factories import TerritoryFactory


class ActionPlanFactory(DjangoModelFactory):
    class Meta:
        model = ActionPlan

    title = factory.Sequence(lambda n: f"Plan d'action pour la mixité n° {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    territory = factory.SubFactory(TerritoryFactory)
    start_date = datetime.date(2023, 1, 1)
    is_published = True

    class Params:
        draft = factory.Trait(is_published=False)


class AudienceFactory(DjangoModelFactory):
    class Meta:
        model = Audience

    name = factory.Sequence(lambda n: f"Public cible {n}")
    short_name = factory.Sequence(lambda n: f"Public {n}")
    slug = factory.Sequence(lambda n: f"public-{n}")
    order = factory.Sequence(lambda n: n)


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative

    plan = factory.SubFactory(ActionPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary = "Sensibiliser les collégiennes aux métiers de l'industrie."


class AchievementFactory(DjangoModelFactory):
    class Meta:
        model = Achievement

    initiative = factory.SubFactory(InitiativeFactory)
    title = "Convention de partenariat signée"
