"""The Territoires d'Industrie an instance serves. Each territory runs its own
plans with its own partners, staff and public site (/territoires/<slug>/); its
area is the EPCIs (intercommunalités) that make it up, hence its official communes
and population."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When

from feminisation import validators


class TerritoryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territories an account reads: every one for the national network and
        superusers, else those it belongs to."""
        from territories import scoping

        return scoping.visible_to(self, user)

    def named(self, slug):
        """The territory whose identifier is `slug` (a value read from an address):
        none, without a query, for a value no identifier can be (PostgreSQL refuses a
        NUL byte outright)."""
        if not validators.may_be_slug(self.model, slug):
            return self.none()
        return self.filter(slug=slug)

    def with_population(self):
        """Each territory with its `inhabitants`: `Territory.population()`, read in
        the same query."""
        total = (
            communes_of(OuterRef(OuterRef("pk")))
            .order_by()
            .annotate(whole=Value(1))
            .values("whole")
            .annotate(
                known=Sum("population"),
                communes=Count("pk"),
                with_population=Count("population"),
            )
            .annotate(total=Case(When(communes=F("with_population"), then=F("known"))))
            .values("total")
        )
        return self.annotate(inhabitants=Subquery(total))

    def givable_by(self, user):
        """The territories `user` may give an account or a partner organisation:
        every one for a superuser, else those it belongs to (the national network
        gives none: it writes nothing)."""
        if user.is_active and user.is_superuser:
            return self.all()
        return self.filter(members=user)


def alphabetical_key(name):
    """A territory's place in French alphabetical order by its name (« Évreux »
    among the E), wherever territories are listed: the database's order puts
    accented initials after the Z."""
    from geography.models import name_key

    return name_key(name), name


class Territory(models.Model):
    name = models.CharField("nom", max_length=200, unique=True, validators=[validators.single_line])
    slug = models.SlugField(
        "identifiant d'URL",
        max_length=100,
        unique=True,
        help_text="Son site public est à l'adresse /territoires/<identifiant>/.",
    )
    region = models.CharField("région", max_length=100, validators=[validators.single_line])
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="territories",
        verbose_name="comptes",
        blank=True,
        help_text=(
            "Les comptes de l'équipe, des responsables et des partenaires de ce territoire : "
            "ils n'en voient que les données."
        ),
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["name"]
        permissions = [
            ("see_every_territory", "Peut consulter les données de tous les territoires"),
        ]

    def __str__(self):
        return self.name

    @property
    def alphabetical_key(self):
        return alphabetical_key(self.name)

    def communes(self):
        return communes_of(self.pk)

    def departments(self):
        """The codes of the departments its EPCIs' communes lie in (a lazy queryset,
        which a query can read as a subquery): a commune's name is looked for among
        theirs, as an « Arques » exists in the Pas-de-Calais, the Aude and the
        Aveyron."""
        return departments_of(self.pk)

    def population(self):
        """The legal population of its communes; None when none is loaded, or when
        one's is not known: the others' sum would inflate its rate per 1,000
        inhabitants (as an intercommunality's, `stats.territory`)."""
        values = self.communes().aggregate(
            total=Sum("population"), unknown=Count("pk", filter=Q(population__isnull=True))
        )
        return None if values["unknown"] else values["total"]


def departments_of(territory):
    """`Territory.departments` of a territory (its pk, or a reference to it in a
    subquery), or of several (a queryset of territories)."""
    return communes_of(territory).order_by().values_list("department", flat=True).distinct()


def communes_of(territory):
    """The official communes of a territory (its pk, or a reference to it in a
    subquery), or of several (a queryset of territories): those of its EPCIs."""
    from geography.models import Commune

    if isinstance(territory, models.QuerySet):
        epcis = Epci.objects.filter(territory__in=territory)
    else:
        epcis = Epci.objects.filter(territory=territory)
    return Commune.objects.filter(epci_siren__in=epcis.values("siren"))


siren = RegexValidator(r"^\d{9}\Z", "Un SIREN s'écrit avec 9 chiffres.")


class Epci(models.Model):
    """An intercommunalité (EPCI à fiscalité propre) of a territory, by its SIREN:
    the official communes carry it (geography.Commune.epci_siren)."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="epcis", verbose_name="territoire"
    )
    siren = models.CharField("SIREN", max_length=9, validators=[siren])
    name = models.CharField("nom", max_length=200, validators=[validators.single_line])

    class Meta:
        verbose_name = "intercommunalité"
        verbose_name_plural = "intercommunalités"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "siren"],
                name="epci_once_per_territory",
                violation_error_message="Cette intercommunalité fait déjà partie du territoire.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.siren})"
