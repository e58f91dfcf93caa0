"""The pre-aggregated figures. Nobody edits them: indicators/figures/store.py rebuilds
a day's rows from its events in the same transaction as any change to them, and the
month's rows from the day's, and `manage.py check_figures` compares them with the
events."""

from django.db import models

from indicators.enums import EventFormat, EventRole, EventStatus
from initiatives.models import Audience, Initiative
from partners.models import Partner


def unique_key(name, fields, message):
    """The key of a table of sums: no two rows for the same fields and audience."""
    return [
        models.UniqueConstraint(
            fields=[*fields, "audience"], name=f"{name}_key", violation_error_message=message
        )
    ]


SUMMED = ("events", "first_events", "people", "women", "known")


class Sums(models.Model):
    """The count lines of one period's events in one initiative, status and audience.
    There is no row of all audiences together: their people, women and known are the
    sum of every audience's rows, and their events the sum of `first_events`, which
    counts each event once, in the row of its first audience (the lowest id among its
    lines). Half of what seed_demo wrote and each save rewrote were such rows, most
    repeating their only audience's."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=EventStatus)
    # No index of its own: nothing seeks one audience's rows of every key, and an
    # audience is deleted (its rows with it) only before it has lines, hence rows.
    audience = models.ForeignKey(
        Audience, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The events with a line of this audience.
    events = models.IntegerField()
    first_events = models.IntegerField("actions dont c'est le premier public")
    people = models.BigIntegerField()
    women = models.BigIntegerField()
    known = models.BigIntegerField("personnes dont le sexe est connu")

    class Meta:
        abstract = True
        default_permissions = ()


class DaySums(Sums):
    """The sums of one day."""

    date = models.DateField()

    class Meta(Sums.Meta):
        abstract = True

    def __str__(self):
        return f"{self.date:%d/%m/%Y} : {self.people} personnes"


class DailyFigures(DaySums):
    """The day's sums per format too."""

    # Indexed by daily_totals_idx, which leads with it.
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    format = models.CharField(max_length=30, choices=EventFormat)

    class Meta(DaySums.Meta):
        verbose_name = "chiffres du jour"
        verbose_name_plural = "chiffres par jour"
        # The keys' indexes serve the dashboard's sums over a period as well.
        constraints = unique_key(
            "daily",
            ["date", "initiative", "format", "status"],
            "Ce jour a déjà ses chiffres pour cette initiative, ce format, ce statut et ce public.",
        )
        indexes = [
            # A territory's days at the edges of a period (its months cut by the
            # period's start or end), read from this index alone: the keys' led to
            # every territory's rows of those days (PostgreSQL only).
            models.Index(
                fields=["initiative", "status", "date"],
                include=["format", "audience", *SUMMED],
                name="daily_totals_idx",
            ),
        ]


class PartnerDailyFigures(DaySums):
    """The day's sums per partner: a joint event counts in full for its organiser
    and for each of its co-organisers."""

    # Indexed by partner_daily_partner_idx, which leads with it.
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", db_index=False)
    role = models.CharField(max_length=20, choices=EventRole)

    class Meta(DaySums.Meta):
        verbose_name = "chiffres du jour d'un partenaire"
        verbose_name_plural = "chiffres par jour et par partenaire"
        indexes = [
            models.Index(fields=["partner", "status", "date"], name="partner_daily_partner_idx")
        ]
        constraints = unique_key(
            "partner_daily",
            ["date", "partner", "role", "initiative", "status"],
            "Ce jour a déjà ses chiffres pour ce partenaire, ce rôle, cette initiative, ce "
            "statut et ce public.",
        )


class MonthSums(Sums):
    """`DaySums` summed over a month: a period of whole months reads a row a month
    where it would read one a day (indicators/figures/scope.py)."""

    month = models.DateField(help_text="Le premier jour du mois.")

    class Meta(Sums.Meta):
        abstract = True

    def __str__(self):
        return f"{self.month:%m/%Y} : {self.people} personnes"


class MonthlyFigures(MonthSums):
    """`DailyFigures` summed per month."""

    # Indexed by monthly_totals_idx, which leads with it.
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    format = models.CharField(max_length=30, choices=EventFormat)

    class Meta(MonthSums.Meta):
        verbose_name = "chiffres du mois"
        verbose_name_plural = "chiffres par mois"
        constraints = unique_key(
            "monthly",
            ["month", "initiative", "format", "status"],
            "Ce mois a déjà ses chiffres pour cette initiative, ce format, ce statut et ce public.",
        )
        indexes = [
            # The national figures sum every territory's months (stats.by_territory),
            # a territory's breakdowns per audience theirs: read from this index
            # alone, where the initiative's index led to every row of every
            # initiative, of every status and audience (5 times slower at 200
            # territories and 2.5 million monthly rows). PostgreSQL only.
            models.Index(
                fields=["initiative", "status", "month"],
                include=["format", "audience", *SUMMED],
                name="monthly_totals_idx",
            ),
        ]


class PartnerMonthlyFigures(MonthSums):
    """`PartnerDailyFigures` summed per month."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=EventRole)

    class Meta(MonthSums.Meta):
        verbose_name = "chiffres du mois d'un partenaire"
        verbose_name_plural = "chiffres par mois et par partenaire"
        constraints = unique_key(
            "partner_monthly",
            ["month", "partner", "role", "initiative", "status"],
            "Ce mois a déjà ses chiffres pour ce partenaire, ce rôle, cette initiative, ce "
            "statut et ce public.",
        )


class Venue(models.Model):
    """Every place where an event was ever held, for `VenueMonth`. A venue without
    events any more stays, counted nowhere."""

    name = models.CharField(max_length=200)
    commune = models.CharField(max_length=100)

    class Meta:
        verbose_name = "lieu"
        verbose_name_plural = "lieux"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["name", "commune"], name="venue_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.commune})"


class VenueMonth(models.Model):
    """The venues where events with count lines took place, per month, initiative,
    status and audience. Only the venues are read from it, never a number of events
    for all audiences together: the venues of all audiences are those of every
    audience's rows, so it has no row without an audience (a third of what seed_demo
    wrote, and of what each save rewrote)."""

    month = models.DateField(help_text="Le premier jour du mois.")
    # Indexed by venue_month_idx, which leads with it.
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Indexed by venue_month_plan_idx, which leads with it.
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=20, choices=EventStatus)
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    events = models.IntegerField()

    class Meta:
        verbose_name = "lieu du mois"
        verbose_name_plural = "lieux par mois"
        default_permissions = ()
        # The sums of one venue: the keys begin with the month.
        indexes = [
            models.Index(fields=["venue", "status", "month"], name="venue_month_idx"),
            # The venues a plan's initiatives reached (stats.venues_reached), for all
            # audiences or one, read from the index alone: the rows of one territory
            # lie scattered among all the others' (33 → 8 ms for a territory of 200
            # at 10M events).
            models.Index(
                fields=["initiative", "status", "month"],
                include=["venue", "audience"],
                name="venue_month_plan_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "venue", "initiative", "status", "audience"],
                name="venue_month_key",
                violation_error_message=(
                    "Ce mois a déjà une ligne pour ce lieu, cette initiative, ce statut et ce "
                    "public."
                ),
            )
        ]

    def __str__(self):
        return f"{self.venue} ({self.month:%m/%Y})"
