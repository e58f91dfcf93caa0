"""The pre-aggregated figures. Nobody edits them: indicators/figures/store.py rebuilds
a day's rows from its events in the same transaction as any change to them, and
`manage.py check_figures` compares them with the events."""

from django.db import models

from indicators.enums import EventFormat, EventRole, EventStatus
from initiatives.models import Audience, Initiative
from partners.models import Partner


class DaySums(models.Model):
    """The count lines of one day's events in one initiative and status, summed for
    one audience or, with an empty audience, for all of them together (so that
    `events` counts each event once)."""

    date = models.DateField()
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=EventStatus)
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, null=True, related_name="+")
    events = models.IntegerField()
    people = models.BigIntegerField()
    women = models.BigIntegerField()
    known = models.BigIntegerField("personnes dont le sexe est connu")

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self):
        return f"{self.date:%d/%m/%Y} : {self.people} personnes"


class DailyFigures(DaySums):
    """The day's sums per format too."""

    format = models.CharField(max_length=30, choices=EventFormat)

    class Meta(DaySums.Meta):
        verbose_name = "chiffres du jour"
        verbose_name_plural = "chiffres par jour"
        indexes = [models.Index(fields=["status", "date"], name="daily_status_date_idx")]


class PartnerDailyFigures(DaySums):
    """The day's sums per partner: a joint event counts in full for its organiser
    and for each of its co-organisers."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=EventRole)

    class Meta(DaySums.Meta):
        verbose_name = "chiffres du jour d'un partenaire"
        verbose_name_plural = "chiffres par jour et par partenaire"
        indexes = [
            models.Index(fields=["status", "date"], name="partner_daily_status_date_idx"),
            models.Index(fields=["partner", "status", "date"], name="partner_daily_partner_idx"),
        ]


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
    status and audience (an empty audience: whatever their audiences)."""

    month = models.DateField(help_text="Le premier jour du mois.")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=EventStatus)
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, null=True, related_name="+")
    events = models.IntegerField()

    class Meta:
        verbose_name = "lieu du mois"
        verbose_name_plural = "lieux par mois"
        default_permissions = ()
        indexes = [models.Index(fields=["venue", "status", "month"], name="venue_month_idx")]

    def __str__(self):
        return f"{self.venue} ({self.month:%m/%Y})"
