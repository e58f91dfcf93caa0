"""The app's models: the events as people enter them (`events`), the figures
summed from them that the pages read (`figures`), the partners each event is
credited to (`credits`), and the import files awaiting confirmation (`imports`)."""

from indicators.models.credits import CreditedCoOrganizer, EventCredit
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
    "CreditedCoOrganizer",
    "DailyFigures",
    "DaySums",
    "EventCredit",
    "ImportPreview",
    "MonthSums",
    "MonthlyFigures",
    "PartnerDailyFigures",
    "PartnerMonthlyFigures",
    "Target",
    "Venue",
    "VenueMonth",
]
