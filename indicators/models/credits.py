"""Which partners each event is credited to, kept for reading a partner's events by
an index: its organiser and each of its co-organisers (`EventCredit`), and who
co-organises the events each of them is credited to (`CreditedCoOrganizer`).

Both are derived from the events and their co-organisers, rewritten with them in the
same transaction (`indicators.credits`): nothing is entered here."""

from django.db import models

from indicators.models.events import AwarenessEvent
from initiatives.models import Initiative
from partners.models import Partner


class EventCreditQuerySet(models.QuerySet):
    def of_partners(self, partners, initiatives=None):
        """The credits of these partners (instances or ids), to the events of these
        initiatives (ids) if given: an event they share is listed once per partner."""
        credits = self.filter(partner__in=partners)
        if initiatives is not None:
            credits = credits.filter(initiative__in=initiatives)
        return credits


class EventCredit(models.Model):
    """One row per event and partner it is credited to, its organiser or one of its
    co-organisers, with the event's date, organiser and initiative: a partner's
    events are a range of the (partner, date, event) index, in the order of the
    admin's list, whose entries say their initiative (hence their territory), and
    the organisers of the events it sees a probe of (organizer, partner)."""

    event = models.ForeignKey(
        AwarenessEvent,
        on_delete=models.CASCADE,
        related_name="credits",
        db_index=False,  # the unique (event, partner) key's index
        verbose_name="action de sensibilisation",
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (partner, date, event) index
        verbose_name="partenaire crédité",
    )
    date = models.DateField("date de l'action")
    organizer = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (organizer, partner) index
        verbose_name="partenaire organisateur",
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="+",
        # No index of its own: an initiative is deleted only without events (they
        # protect it), hence without credits.
        db_index=False,
        verbose_name="initiative de l'action",
    )

    objects = EventCreditQuerySet.as_manager()
    # Deleted with their event, unnamed on the admin's confirmation page.
    derived_rows = True

    class Meta:
        verbose_name = "crédit d'une action à un partenaire"
        verbose_name_plural = "crédits des actions aux partenaires"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "partner"],
                name="credit_once_per_event_and_partner",
                violation_error_message="Cette action est déjà créditée à ce partenaire.",
            ),
        ]
        indexes = [
            # A partner's events in an account's territories: the range of the
            # partner, each entry's initiative read off the index, not off the event.
            models.Index(
                fields=["partner", "date", "event"],
                include=["initiative"],
                name="credit_partner_date_idx",
            ),
            models.Index(fields=["organizer", "partner"], name="credit_organizer_idx"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.partner_id}"


class CreditedCoOrganizer(models.Model):
    """One row per event, partner it is credited to and co-organiser: the
    co-organisers of the events a partner sees are a probe of (co_organizer,
    partner) each, without reading those events."""

    event = models.ForeignKey(
        AwarenessEvent,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique key's index
        verbose_name="action de sensibilisation",
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name="partenaire crédité"
    )
    co_organizer = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (co_organizer, partner) index
        verbose_name="co-organisateur",
    )

    derived_rows = True

    class Meta:
        verbose_name = "co-organisateur d'une action créditée"
        verbose_name_plural = "co-organisateurs des actions créditées"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "partner", "co_organizer"],
                name="credited_co_organizer_once",
                violation_error_message="Ce co-organisateur est déjà noté pour cette action.",
            ),
        ]
        indexes = [
            models.Index(fields=["co_organizer", "partner"], name="credited_co_organizer_idx"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.partner_id} ({self.co_organizer_id})"
