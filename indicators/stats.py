"""The plan's figures: every number shown on a page or exported comes from here,
so that the dashboard and the exports can never disagree.

Functions take a queryset of events (already narrowed by plan, period, status…)
and sum their count lines in the database."""

from dataclasses import dataclass

from django.db.models import Q, Sum

from indicators.models import AudienceCount, AwarenessEvent


@dataclass(frozen=True)
class Totals:
    events: int
    people: int
    women: int
    people_with_known_women: int

    @property
    def people_with_unknown_women(self):
        return self.people - self.people_with_known_women

    @property
    def women_share(self):
        """Share of women among the people whose sex is known, or None if none is."""
        if not self.people_with_known_women:
            return None
        return self.women / self.people_with_known_women


def public_events(plan):
    """The events that count in public figures: the plan's validated ones."""
    return AwarenessEvent.objects.for_plan(plan).validated()


def totals(events):
    sums = AudienceCount.objects.filter(event__in=events).aggregate(
        people_sum=Sum("people", default=0),
        women_sum=Sum("women", default=0),
        known_sum=Sum("people", filter=Q(women__isnull=False), default=0),
    )
    return Totals(
        events=events.count(),
        people=sums["people_sum"],
        women=sums["women_sum"],
        people_with_known_women=sums["known_sum"],
    )


def people_by_initiative(events):
    """{initiative id: people reached} for the initiatives that reached anyone."""
    rows = (
        AudienceCount.objects.filter(event__in=events)
        .values("event__initiative")
        .annotate(people_sum=Sum("people"))
        .order_by()
    )
    return {row["event__initiative"]: row["people_sum"] for row in rows}
