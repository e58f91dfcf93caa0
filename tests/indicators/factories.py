import datetime

import factory
from factory.django import DjangoModelFactory

from indicators.enums import EventFormat, EventStatus
from indicators.models import AudienceCount, AwarenessEvent, Target
from tests.geography.factories import real_commune
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory


class AwarenessEventFactory(DjangoModelFactory):
    class Meta:
        model = AwarenessEvent
        skip_postgeneration_save = True

    initiative = factory.SubFactory(InitiativeFactory)
    date = datetime.date(2025, 3, 14)
    title = "Intervention au collège"
    format = EventFormat.SCHOOL_INTERVENTION
    venue_name = "Collège de la Morinie"
    commune = "Saint-Omer"
    # The official commune of that name when it is a real one (stored on the way),
    # else none: an event entered before the official communes.
    official_commune = factory.LazyAttribute(lambda event: real_commune(event.commune))
    organizer = factory.SubFactory(PartnerFactory)
    status = EventStatus.VALIDATED

    class Params:
        draft = factory.Trait(status=EventStatus.DRAFT)
        submitted = factory.Trait(status=EventStatus.SUBMITTED)

    @factory.post_generation
    def co_organizers(self, create, extracted, **kwargs):
        if create and extracted:
            self.co_organizers.set(extracted)


class AudienceCountFactory(DjangoModelFactory):
    class Meta:
        model = AudienceCount

    event = factory.SubFactory(AwarenessEventFactory)
    audience = factory.SubFactory(AudienceFactory)
    people = 20
    women = 12


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory(ActionPlanFactory)
    year = 2025
    people = 1000
