"""The app's models: the events as people enter them (`events`), and the figures
summed from them that the pages read (`figures`)."""

from indicators.models.events import (
    AudienceCount,
    AwarenessEvent,
    AwarenessEventQuerySet,
    ClosedYear,
    Target,
)
from indicators.models.figures import (
    DailyFigures,
    DaySums,
    PartnerDailyFigures,
    Venue,
    VenueMonth,
)

__all__ = [
    "AudienceCount",
    "AwarenessEvent",
    "AwarenessEventQuerySet",
    "ClosedYear",
    "DailyFigures",
    "DaySums",
    "PartnerDailyFigures",
    "Target",
    "Venue",
    "VenueMonth",
]
