"""The app's models: the events as people enter them (`events`), the figures
summed from them that the pages read (`figures`), and the import files awaiting
confirmation (`imports`)."""

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
    MonthlyFigures,
    MonthSums,
    PartnerDailyFigures,
    PartnerMonthlyFigures,
    Venue,
    VenueMonth,
)
from indicators.models.imports import ImportPreview

__all__ = [
    "AudienceCount",
    "AwarenessEvent",
    "AwarenessEventQuerySet",
    "ClosedYear",
    "DailyFigures",
    "DaySums",
    "ImportPreview",
    "MonthSums",
    "MonthlyFigures",
    "PartnerDailyFigures",
    "PartnerMonthlyFigures",
    "Target",
    "Venue",
    "VenueMonth",
]
