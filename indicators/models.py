from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from indicators.enums import EventFormat, EventStatus
from initiatives.models import ActionPlan, Audience, Initiative
from partners.models import Partner


class AwarenessEventQuerySet(models.QuerySet):
    def validated(self):
        return self.filter(status=EventStatus.VALIDATED)

    def for_plan(self, plan):
        return self.filter(initiative__plan=plan)

    def in_period(self, start=None, end=None):
        """Events dated between start and end, both included; None leaves a side open."""
        events = self
        if start is not None:
            events = events.filter(date__gte=start)
        if end is not None:
            events = events.filter(date__lte=end)
        return events

    def with_totals(self):
        """Each event's people and women, summed from its count lines in a subquery so
        that joins added by filters (co-organisers…) cannot multiply the sums."""
        lines = AudienceCount.objects.filter(event=OuterRef("pk")).values("event")
        return self.annotate(
            total_people=Coalesce(Subquery(lines.annotate(s=Sum("people")).values("s")), 0),
            total_women=Subquery(lines.annotate(s=Sum("women")).values("s")),
        )


class AwarenessEvent(models.Model):
    """An awareness action ("action de sensibilisation") and who organised it.

    Its figures are its count lines, one per audience: nothing stores a total that
    could drift from its parts."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="events", verbose_name="initiative"
    )
    date = models.DateField("date")
    title = models.CharField("intitulé", max_length=300)
    format = models.CharField("format", max_length=30, choices=EventFormat)
    venue_name = models.CharField(
        "lieu", max_length=200, help_text="Établissement, entreprise ou salle."
    )
    commune = models.CharField("commune", max_length=100)
    organizer = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="organized_events",
        verbose_name="partenaire organisateur",
    )
    co_organizers = models.ManyToManyField(
        Partner,
        related_name="co_organized_events",
        verbose_name="co-organisateurs",
        blank=True,
        help_text="Une action commune est comptée une seule fois, et créditée à chacun.",
    )
    status = models.CharField(
        "statut", max_length=20, choices=EventStatus, default=EventStatus.DRAFT
    )
    notes = models.TextField(
        "notes internes", blank=True, help_text="Jamais publiées sur le site public."
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifiée par",
    )

    objects = AwarenessEventQuerySet.as_manager()

    class Meta:
        verbose_name = "action de sensibilisation"
        verbose_name_plural = "actions de sensibilisation"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["status", "date"], name="event_status_date_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d/%m/%Y})"


class AudienceCount(models.Model):
    """How many people of one audience an event reached, and how many of them were
    women or girls (left empty when unknown, which is not zero)."""

    event = models.ForeignKey(
        AwarenessEvent,
        on_delete=models.CASCADE,
        related_name="counts",
        verbose_name="action de sensibilisation",
    )
    audience = models.ForeignKey(
        Audience, on_delete=models.PROTECT, related_name="counts", verbose_name="public cible"
    )
    people = models.IntegerField("personnes sensibilisées")
    women = models.IntegerField(
        "dont femmes ou filles",
        null=True,
        blank=True,
        help_text="Laissez vide si vous ne le savez pas : inconnu n'est pas zéro.",
    )

    class Meta:
        verbose_name = "ligne de comptage"
        verbose_name_plural = "lignes de comptage"
        ordering = ["audience__order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(people__gte=0),
                name="count_people_not_negative",
                violation_error_message="Le nombre de personnes ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(women__isnull=True) | Q(women__gte=0),
                name="count_women_not_negative",
                violation_error_message="Le nombre de femmes ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(women__isnull=True) | Q(women__lte=F("people")),
                name="count_women_at_most_people",
                violation_error_message=(
                    "Le nombre de femmes ne peut pas dépasser le nombre de personnes."
                ),
            ),
            models.UniqueConstraint(
                fields=["event", "audience"],
                name="count_one_line_per_audience",
                violation_error_message="Cette action a déjà une ligne pour ce public.",
            ),
        ]

    def __str__(self):
        return f"{self.audience} : {self.people}"


class Target(models.Model):
    """A goal for one plan and one year, for the whole plan or narrowed to an
    initiative and/or an audience."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="targets", verbose_name="plan d'action"
    )
    year = models.PositiveSmallIntegerField("année")
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name="initiative",
        help_text="Laissez vide pour un objectif qui porte sur toutes les initiatives.",
    )
    audience = models.ForeignKey(
        Audience,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name="public cible",
        help_text="Laissez vide pour un objectif qui porte sur tous les publics.",
    )
    people = models.IntegerField("personnes à sensibiliser")
    women = models.IntegerField("dont femmes ou filles", null=True, blank=True)

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["-year", "initiative__number", "audience__order"]
        constraints = [
            # Coalesce because NULLs are distinct in a plain unique constraint: two
            # plan-wide targets for one year would otherwise both be accepted.
            models.UniqueConstraint(
                "plan",
                "year",
                Coalesce("initiative", 0),
                Coalesce("audience", 0),
                name="target_one_per_scope_and_year",
                violation_error_message=(
                    "Un objectif existe déjà pour ce plan, cette année et ce périmètre."
                ),
            ),
            models.CheckConstraint(
                condition=Q(people__gt=0),
                name="target_people_positive",
                violation_error_message="L'objectif de personnes doit être supérieur à zéro.",
            ),
            models.CheckConstraint(
                condition=Q(women__isnull=True) | Q(women__gte=0),
                name="target_women_not_negative",
                violation_error_message="L'objectif de femmes ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(women__isnull=True) | Q(women__lte=F("people")),
                name="target_women_at_most_people",
                violation_error_message=(
                    "L'objectif de femmes ne peut pas dépasser l'objectif de personnes."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="target_year_plausible",
                violation_error_message="L'année doit être comprise entre 2000 et 2100.",
            ),
        ]

    def __str__(self):
        scope = " · ".join(str(part) for part in (self.initiative, self.audience) if part)
        return f"{self.year} — {scope or 'tout le plan'} : {self.people} personnes"

    def clean(self):
        if self.initiative_id and self.plan_id and self.initiative.plan_id != self.plan_id:
            raise ValidationError(
                {"initiative": "Cette initiative appartient à un autre plan d'action."}
            )
