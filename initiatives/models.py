from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import OuterRef, Subquery
from simple_history.models import HistoricalRecords

from feminisation import validators
from initiatives.enums import InitiativeStatus, PartnerRole
from partners.models import Contact, Partner


class ActionPlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def current(self, territory=None):
        """The plan a territory's public site shows: its most recently started
        published one (of any territory when none is given, for an instance that
        serves one)."""
        plans = self.published()
        if territory is not None:
            plans = plans.filter(territory=territory)
        return plans.select_related("territory").order_by(*CURRENT_FIRST).first()

    def named(self, slug):
        """The plan whose identifier is `slug` (read from an address); none, without
        a query, for a value no identifier can be."""
        if not validators.may_be_slug(self.model, slug):
            return self.none()
        return self.filter(slug=slug)

    def current_of_each_territory(self):
        """The plan each territory's site shows (`current`), all in one queryset: for
        the national figures, read as a subquery."""
        latest = (
            self.published()
            .filter(territory=OuterRef("territory"))
            .order_by(*CURRENT_FIRST)
            .values("pk")[:1]
        )
        return self.published().filter(pk=Subquery(latest))


# The order in which a territory's published plans take over from one another.
CURRENT_FIRST = ("-start_date", "-pk")


class ActionPlan(models.Model):
    title = models.CharField("titre", max_length=300, validators=[validators.single_line])
    slug = models.SlugField("identifiant d'URL", max_length=100, unique=True)
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name="territoire",
    )
    summary = models.TextField(
        "présentation",
        blank=True,
        help_text="Qui porte le plan, avec qui et pourquoi.",
        validators=[validators.multiline],
    )
    finding = models.TextField("constat", blank=True, validators=[validators.multiline])
    objectives = models.TextField("objectifs", blank=True, validators=[validators.multiline])
    indicator = models.TextField("indicateur suivi", blank=True, validators=[validators.multiline])
    obstacles = models.TextField("obstacles", blank=True, validators=[validators.multiline])
    quote = models.CharField(
        "citation", max_length=300, blank=True, validators=[validators.single_line]
    )
    start_date = models.DateField("date de début")
    end_date = models.DateField("date de fin", null=True, blank=True)
    is_published = models.BooleanField(
        "publié",
        default=False,
        help_text="Le site public du territoire présente son plan publié le plus récent.",
    )
    partners = models.ManyToManyField(
        Partner,
        through="PlanPartner",
        related_name="plans",
        verbose_name="partenaires",
        blank=True,
    )
    contacts = models.ManyToManyField(
        Contact, related_name="plans", verbose_name="contacts", blank=True
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "plan d'action"
        verbose_name_plural = "plans d'action"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="plan_end_after_start",
                violation_error_message="La date de fin doit suivre la date de début.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def stakeholders(self):
        return self.partners.filter(planpartner__role=PartnerRole.STAKEHOLDER)

    @property
    def supporters(self):
        return self.partners.filter(planpartner__role=PartnerRole.SUPPORTER)


class PlanPartner(models.Model):
    """A partner's relationship to one plan, so that a later plan can list other
    partners, or the same ones in another role."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, verbose_name="plan d'action")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, verbose_name="partenaire")
    role = models.CharField("rôle", max_length=30, choices=PartnerRole)

    class Meta:
        verbose_name = "partenaire du plan"
        verbose_name_plural = "partenaires du plan"
        ordering = ["role", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "partner"],
                name="plan_partner_once",
                violation_error_message="Ce partenaire est déjà associé à ce plan.",
            ),
        ]

    def __str__(self):
        return f"{self.partner} — {self.get_role_display()}"


class Link(models.Model):
    label = models.CharField("intitulé", max_length=200, validators=[validators.single_line])
    url = models.URLField("adresse", max_length=500)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label


class PlanLink(Link):
    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="links", verbose_name="plan d'action"
    )

    class Meta(Link.Meta):
        verbose_name = "source ou lien du plan"
        verbose_name_plural = "sources et liens du plan"


class Audience(models.Model):
    """A target audience ("public cible") of the plan's awareness actions."""

    name = models.CharField("nom", max_length=200, unique=True, validators=[validators.single_line])
    short_name = models.CharField(
        "nom court",
        max_length=50,
        help_text="Affiché dans les tableaux et graphiques.",
        validators=[validators.single_line],
    )
    slug = models.SlugField("identifiant d'URL", max_length=100, unique=True)
    description = models.TextField("description", blank=True, validators=[validators.multiline])
    women_label = models.CharField(
        "intitulé des femmes comptées",
        max_length=50,
        default="dont femmes",
        help_text="Par exemple « dont filles » pour un public de jeunes.",
        validators=[validators.single_line],
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "public cible"
        verbose_name_plural = "publics cibles"
        ordering = ["order", "name"]

    def __str__(self):
        return self.short_name


class InitiativeQuerySet(models.QuerySet):
    def held(self, *, moving=False):
        """These initiatives (a list), each held in its plan until the transaction
        ends. Their events and targets are written on what their plan allows (its
        territory's partners, its closed years), and an initiative with events or
        targets keeps its plan (`Initiative.clean`): a writer holds them in FOR KEY
        SHARE mode, which lets other writers through; a move to another plan
        (`moving`) in FOR UPDATE mode, which waits for the writers and makes those
        after it wait, then read the plan it moved to. Outside a transaction, or on
        SQLite (one writer at a time), merely read."""
        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            return list(self)
        if moving:
            return list(self.select_for_update(of=("self",)))
        # FOR KEY SHARE, which Django's select_for_update does not write; of the
        # initiatives only, not of the plans their order joins.
        sql, params = self.query.sql_with_params()
        table = connection.ops.quote_name(self.model._meta.db_table)
        return list(self.raw(f"{sql} FOR KEY SHARE OF {table}", params))

    def plan_held(self, pk, *, moving=False):
        """The id of the plan the initiative `pk` is in (None if there is none), the
        initiative held in it (`held`)."""
        initiatives = self.filter(pk=pk).order_by()
        return next((i.plan_id for i in initiatives.held(moving=moving)), None)


class Initiative(models.Model):
    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name="plan d'action",
    )
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("titre", max_length=200, validators=[validators.single_line])
    slug = models.SlugField("identifiant d'URL", max_length=100)
    summary = models.CharField("résumé", max_length=300, validators=[validators.single_line])
    description = models.TextField("description", blank=True, validators=[validators.multiline])
    status = models.CharField(
        "état", max_length=20, choices=InitiativeStatus, default=InitiativeStatus.IN_PROGRESS
    )
    lead_partners = models.ManyToManyField(
        Partner, related_name="led_initiatives", verbose_name="partenaires pilotes", blank=True
    )
    associated_partners = models.ManyToManyField(
        Partner,
        related_name="associated_initiatives",
        verbose_name="partenaires associés",
        blank=True,
    )
    audiences = models.ManyToManyField(
        Audience, related_name="initiatives", verbose_name="publics cibles", blank=True
    )
    start_date = models.DateField("date de début", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = "initiative"
        verbose_name_plural = "initiatives"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="initiative_unique_number_per_plan",
                violation_error_message="Ce plan a déjà une initiative portant ce numéro.",
            ),
            models.UniqueConstraint(
                fields=["plan", "slug"],
                name="initiative_unique_slug_per_plan",
                violation_error_message="Ce plan a déjà une initiative avec cet identifiant d'URL.",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def clean(self):
        super().clean()
        # Its events and targets are its plan's: moved with it to another plan (of
        # another territory, perhaps), they would leave that plan's closed years and
        # targets behind, and change the figures of both.
        if self.pk is None:
            return
        stored = Initiative.objects.plan_held(self.pk, moving=True)
        if stored not in (None, self.plan_id) and (self.events.exists() or self.targets.exists()):
            raise ValidationError(
                {
                    "plan": "Cette initiative a déjà des actions ou des objectifs : elle reste "
                    "dans son plan. Pour un autre plan, créez-y une nouvelle initiative."
                }
            )


class InitiativeLink(Link):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="links", verbose_name="initiative"
    )

    class Meta(Link.Meta):
        verbose_name = "lien de l'initiative"
        verbose_name_plural = "liens de l'initiative"


class Achievement(models.Model):
    """A dated output of an initiative ("réalisation")."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="achievements",
        verbose_name="initiative",
    )
    date = models.DateField(
        "date", null=True, blank=True, help_text="Laissez vide si la date n'est pas connue."
    )
    title = models.CharField("intitulé", max_length=300, validators=[validators.single_line])
    description = models.TextField("description", blank=True, validators=[validators.multiline])
    quantity = models.PositiveIntegerField(
        "quantité", null=True, blank=True, help_text="Par exemple 7 pour « 7 portraits vidéo »."
    )
    url = models.URLField("lien", max_length=500, blank=True)

    class Meta:
        verbose_name = "réalisation"
        verbose_name_plural = "réalisations"
        ordering = ["initiative", "date", "pk"]

    def __str__(self):
        return self.title
