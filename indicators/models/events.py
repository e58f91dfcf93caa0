"""The awareness events, their count lines, the targets and the closed years."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from simple_history.models import HistoricalRecords

from feminisation import validators
from feminisation.access import organisation_ids, sees_all_events
from geography.models import Commune
from indicators.enums import EventFormat, EventStatus
from indicators.sheet import lookup_key
from initiatives.models import ActionPlan, Audience, Initiative
from partners.models import Partner
from territories import scoping

# Dates per query when looking for the events that share keys: each date is one
# condition of an OR, which SQLite nests one level deeper (at most 1,000 levels).
DATES_PER_QUERY = 200
# The days an event may fall on, whoever writes it (the admin, an import, a revert):
# beyond them a date is a typo (« 2205 », « 1900 ») that would stretch every chart
# of the plan over centuries.
FIRST_DATE, LAST_DATE = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def plausible_date(value):
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValidationError(
            f"Date improbable : {value.day:02}/{value.month:02}/{value.year}. Vérifiez "
            f"l'année : une action a lieu entre {FIRST_DATE.year} et {LAST_DATE.year}.",
            code="improbable",
        )


def commune_key(commune):
    """How two communes are compared to find duplicates: without case, accents,
    surrounding or repeated spaces, and a hyphen read as a space (« Saint Omer » is
    « Saint-Omer »). Done in Python: SQLite has no unaccent."""
    return lookup_key(commune.replace("-", " "))


def duplicate_key(date, commune, initiative_id, organizer_id):
    """Two events with the same key look like the same action entered twice: same
    date, commune, initiative and organiser. A warning, never a refusal: one
    organiser may hold two sessions on the same day in the same commune."""
    return (date, initiative_id, organizer_id, commune_key(commune))


# The alias of a partner's credits, by which `of_partners` joins its events.
CREDIT = "credit_of_partner"

# A draft left this long is worth a reminder: the staff's to-do list shows it.
STALE_DRAFT_AGE = datetime.timedelta(days=30)


class AwarenessEventQuerySet(models.QuerySet):
    def duplicates_of(self, *, date, commune, initiative_id, organizer_id, exclude_pk=None):
        """The events (a list) that look like the one described (see duplicate_key),
        but for the event `exclude_pk` itself: one query."""
        key = duplicate_key(date, commune, initiative_id, organizer_id)
        events = self if exclude_pk is None else self.exclude(pk=exclude_pk)
        return events.sharing_keys([key])[key]

    def sharing_keys(self, keys):
        """{key: [events]} for the events whose duplicate_key is one of `keys`, read
        one query per 200 dates: the date, initiative and organiser narrow them to a
        few through the date index, then the commune is compared in Python."""
        keys = set(keys)
        found = defaultdict(list)
        by_date = defaultdict(lambda: (set(), set()))
        for date, initiative_id, organizer_id, _commune in keys:
            by_date[date][0].add(initiative_id)
            by_date[date][1].add(organizer_id)
        dates = sorted(by_date)
        for start in range(0, len(dates), DATES_PER_QUERY):
            condition = Q.create(
                [
                    Q(
                        date=date,
                        initiative_id__in=sorted(by_date[date][0]),
                        organizer_id__in=sorted(by_date[date][1]),
                    )
                    for date in dates[start : start + DATES_PER_QUERY]
                ],
                connector=Q.OR,
            )
            for event in self.filter(condition):
                if (key := event.duplicate_key) in keys:
                    found[key].append(event)
        return found

    def validated(self):
        return self.filter(status=EventStatus.VALIDATED)

    def without_official_commune(self):
        """Events whose commune is still only the free text typed before the
        official communes: staff link them (`load_communes` links those it can)."""
        return self.filter(official_commune__isnull=True)

    # What waits for someone: each condition written once, for a filter (the admin's
    # list and overview) or a conditional count (the admin's home).

    @staticmethod
    def without_counts_condition(today):
        """Past events (dated before today) without any count line: their figures
        are still to be entered, whatever their status."""
        return Q(date__lt=today) & ~Q(Exists(AudienceCount.objects.filter(event=OuterRef("pk"))))

    @staticmethod
    def stale_draft_condition(now):
        """Drafts created more than STALE_DRAFT_AGE ago."""
        return Q(status=EventStatus.DRAFT, created_at__lt=now - STALE_DRAFT_AGE)

    @staticmethod
    def in_open_year_condition():
        """Dated in a year its plan has not closed: the only events a partner may
        still change (workflow.edit_refusal), hence the only ones to ask of it."""
        closed = ClosedYear.objects.filter(
            plan=OuterRef("initiative__plan"), year=ExtractYear(OuterRef("date"))
        )
        return ~Q(Exists(closed))

    @staticmethod
    def organised_by_condition(user):
        """The events organised by one of the account's organisations: those it may
        correct (a co-organiser only sees the event)."""
        return Q(organizer__in=organisation_ids(user))

    def without_counts(self, today):
        return self.filter(self.without_counts_condition(today))

    def visible_to(self, user):
        """The events a user may see: those of its territories (of every territory
        for the national network), all of them or, for a partner's account, those
        credited to one of its organisations (organised or co-organised) in its
        territories, on ids read once per request; see `of_partners`."""
        if sees_all_events(user):
            return scoping.visible_to(self, user)
        return self.of_partners(
            organisation_ids(user), initiatives=scoping.account_initiatives(user)
        )

    def of_partners(self, partners, initiatives=None):
        """The events organised or co-organised by one of `partners` (instances or
        ids), of one of `initiatives` (ids) if given; none for an empty list. Read
        through their credits (`EventCredit`), which say their event's initiative:
        for one partner, joined to them, so that a list ordered by `date_in_order()`
        is read off the credits' (partner, date, event) index, the partner's events
        only, each entry's initiative read off the index; for several, the events
        among their credits (each once).

        The initiatives narrow the credits, not the events: a condition on the
        events' territory, which the planner takes for independent of the partner,
        made it read every event of a territory rather than a partner's few credits
        (1.9 s instead of 3 ms at 200 territories)."""
        from indicators.models.credits import EventCredit

        partners = [getattr(partner, "pk", partner) for partner in partners]
        if not partners or initiatives == []:
            return self.none()
        # Narrowed twice (a partner's scope, then the account's organisations): the
        # second time among the credits too.
        if len(partners) > 1 or CREDIT in self.query._filtered_relations:
            credits = EventCredit.objects.of_partners(partners, initiatives)
            return self.filter(pk__in=credits.values("event"))
        condition = Q(credits__partner=partners[0])
        if initiatives is not None:
            condition &= Q(credits__initiative__in=initiatives)
        credit = FilteredRelation("credits", condition=condition)
        return self.alias(**{CREDIT: credit}).filter(**{f"{CREDIT}__isnull": False})

    def date_in_order(self):
        """The path of the date whose index gives these events in date order: for
        one partner's events (`of_partners`), the date of its credits, on which a
        condition narrows the index's range rather than filtering the events read."""
        if CREDIT in self.query._filtered_relations:
            return f"{CREDIT}__date"
        return "date"

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

    def with_totals(self, audience=None):
        """Each event's people, women and people whose sex is known, summed from its
        count lines (the audience's
        line only, when one is given) in a subquery so that joins added by filters
        (co-organisers…) cannot multiply the sums."""
        lines = AudienceCount.objects.filter(event=OuterRef("pk")).order_by().values("event")
        if audience is not None:
            lines = lines.filter(audience=audience)
        known = lines.filter(women__isnull=False)
        return self.annotate(
            total_people=Coalesce(Subquery(lines.annotate(s=Sum("people")).values("s")), 0),
            total_women=Subquery(lines.annotate(s=Sum("women")).values("s")),
            # The people whose sex is known: those of the lines whose women are.
            total_known=Coalesce(Subquery(known.annotate(s=Sum("people")).values("s")), 0),
        )


class AwarenessEvent(models.Model):
    """An awareness action ("action de sensibilisation") and who organised it.

    Its figures are its count lines, one per audience: nothing stores a total that
    could drift from its parts."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="events", verbose_name="initiative"
    )
    date = models.DateField("date", validators=[plausible_date])
    title = models.CharField("intitulé", max_length=300, validators=[validators.single_line])
    format = models.CharField("format", max_length=30, choices=EventFormat)
    venue_name = models.CharField(
        "lieu",
        max_length=200,
        help_text="Établissement, entreprise ou salle.",
        validators=[validators.single_line],
    )
    # The official commune's name, copied by save(): the figures (venues reached),
    # the exports and the public list read this text. An event entered before the
    # official communes may still have only its free text (`official_commune`
    # empty) until someone links it.
    commune = models.CharField("commune", max_length=100, validators=[validators.single_line])
    official_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # event_official_commune_idx
        related_name="events",
        verbose_name="commune",
        help_text="Tapez le nom ou le code postal de la commune, puis choisissez-la dans la liste.",
    )
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
        "notes internes",
        blank=True,
        help_text="Jamais publiées sur le site public.",
        validators=[validators.multiline],
    )
    review_comment = models.TextField(
        "commentaire de l'équipe du territoire",
        blank=True,
        help_text="Ce qu'il faut corriger : visible par le partenaire quand l'action lui est "
        "renvoyée.",
        validators=[validators.multiline],
    )
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # see Meta.indexes
        related_name="+",
        verbose_name="validée par",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # see Meta.indexes
        related_name="+",
        verbose_name="créée par",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # see Meta.indexes
        related_name="+",
        verbose_name="modifiée par",
    )
    # Counts the event's saves: a form carries the version it showed, and a save
    # from a form that shows an older one is refused (two people editing at once).
    version = models.PositiveIntegerField("version", default=1, editable=False)

    # Co-organisers are kept in the history too, so that a deleted event can be
    # restored whole.
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=["co_organizers"])
    # The history says a change of commune once, by its name (feminisation.admin).
    history_said_by = {"official_commune": "commune"}

    objects = AwarenessEventQuerySet.as_manager()

    class Meta:
        verbose_name = "action de sensibilisation"
        verbose_name_plural = "actions de sensibilisation"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["status", "date"], name="event_status_date_idx"),
            # The admin list's default order: its first page is read off the index.
            models.Index(fields=["-date", "-id"], name="event_date_id_idx"),
            # Finds at once whether a venue had an event in a period (venues reached).
            # Its texts are only ever looked up whole: compared byte by byte
            # (pattern_ops) rather than in the database's collation, the index of
            # ten million events builds in three quarters of the time.
            models.Index(
                fields=["venue_name", "commune", "status", "date"],
                name="event_venue_idx",
                opclasses=["varchar_pattern_ops"] * 3 + ["date_ops"],
            ),
            # Without the copy for LIKE searches that Django adds to a text foreign
            # key: the code is only ever looked up whole, hence byte by byte too.
            models.Index(
                fields=["official_commune"],
                name="event_official_commune_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # The users' foreign keys are looked up by a user (deleting one), never
            # by an empty value, which most events have (imported, generated).
            *(
                models.Index(
                    fields=[field],
                    name=f"event_{field}_idx",
                    condition=Q(**{f"{field}__isnull": False}),
                )
                for field in ("validated_by", "created_by", "updated_by")
            ),
        ]
        permissions = [
            ("validate_awarenessevent", "Peut valider les actions de sensibilisation"),
            ("see_all_events", "Peut voir les actions de tous les partenaires"),
            ("export_figures", "Peut exporter les chiffres"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        # The name of a commune just chosen (the form and the import set the object);
        # an event read with its commune id keeps the name written with it, without
        # a query per event saved (the list's actions save them one by one).
        if self.official_commune_id is not None and type(self).official_commune.is_cached(self):
            self.commune = self.official_commune.name
        # One transaction for the event and the daily figures its signals refresh.
        with transaction.atomic(using=kwargs.get("using")):
            if not self._state.adding:
                self.version = self._next_version()
            super().save(*args, **kwargs)

    def _next_version(self):
        """The stored version plus one, the row locked until the save commits: every
        save counts, whatever version the instance was read with (a history's
        version being reverted to, a list read before another save)."""
        stored = (
            type(self)
            .objects.select_for_update()
            .filter(pk=self.pk)
            .values_list("version", flat=True)
            .first()
        )
        return self.version if stored is None else stored + 1

    @property
    def duplicate_key(self):
        return duplicate_key(self.date, self.commune, self.initiative_id, self.organizer_id)


class AudienceCount(models.Model):
    """How many people of one audience an event reached, and how many of them were
    women or girls (left empty when unknown, which is not zero)."""

    event = models.ForeignKey(
        AwarenessEvent,
        on_delete=models.CASCADE,
        db_index=False,  # count_one_line_per_audience leads with it
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
    history = HistoricalRecords()

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

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        """Django's validation of the constraints, but for the three checks, which it
        asks the database (a savepoint and a query each: 18 queries for a form's two
        lines), evaluated here with the same messages. A check that reads a field
        left out (already in error) is skipped, and an empty value passes, as in the
        database."""
        left_out = set(exclude or ())
        errors = {}
        for constraint in self._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                fields, holds = LINE_CHECKS[constraint.name]
                values = [getattr(self, name) for name in fields]
                if left_out.isdisjoint(fields) and None not in values and not holds(*values):
                    error = ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                    errors = error.update_error_dict(errors)
                continue
            try:
                constraint.validate(type(self), self, exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


# The conditions of AudienceCount's check constraints, by name: the fields each one
# reads and the test of their values (never empty here).
LINE_CHECKS = {
    "count_people_not_negative": (("people",), lambda people: people >= 0),
    "count_women_not_negative": (("women",), lambda women: women >= 0),
    "count_women_at_most_people": (("women", "people"), lambda women, people: women <= people),
}


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
    history = HistoricalRecords()

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
        if not (self.initiative_id and self.plan_id):
            return
        # Held in its plan until the save commits: a move to another plan waits.
        if Initiative.objects.plan_held(self.initiative_id) != self.plan_id:
            raise ValidationError(
                {"initiative": "Cette initiative appartient à un autre plan d'action."}
            )


class ClosedYear(models.Model):
    """A year whose figures are final: partners can no longer change its events."""

    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.CASCADE,
        related_name="closed_years",
        verbose_name="plan d'action",
    )
    year = models.PositiveSmallIntegerField("année")
    closed_at = models.DateTimeField("clôturée le", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="clôturée par",
    )

    class Meta:
        verbose_name = "année clôturée"
        verbose_name_plural = "années clôturées"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="closed_year_once_per_plan",
                violation_error_message="Cette année est déjà clôturée pour ce plan.",
            ),
        ]

    def __str__(self):
        return f"{self.year} ({self.plan})"

    def clean(self):
        if self.year and self.year >= timezone.localdate().year:
            raise ValidationError({"year": "Seule une année passée peut être clôturée."})
