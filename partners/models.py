from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from feminisation import validators
from partners.enums import PartnerKind


class PartnerQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def working_in(self, territory):
        """The partners that work in this territory (a territory, its id, or an
        expression that gives it): the only ones that may organise or co-organise
        the events of its plans."""
        return self.filter(self._works_in(territory))

    def noting_work_in(self, territory):
        """Each partner with `works_here`: whether it works in this territory."""
        return self.annotate(works_here=self._works_in(territory))

    def _works_in(self, territory):
        links = self.model.territories.through.objects.filter(
            partner=OuterRef("pk"), territory=territory
        )
        return Exists(links)


class Partner(models.Model):
    name = models.CharField("nom", max_length=200, validators=[validators.single_line])
    short_name = models.CharField(
        "nom court ou sigle",
        max_length=50,
        blank=True,
        help_text="Par exemple « CAPSO ».",
        validators=[validators.single_line],
    )
    slug = models.SlugField("identifiant d'URL", max_length=100, unique=True)
    kind = models.CharField("type", max_length=30, choices=PartnerKind)
    description = models.TextField("description", blank=True, validators=[validators.multiline])
    website = models.URLField("site web", blank=True)
    is_public = models.BooleanField(
        "visible publiquement",
        default=True,
        help_text="Décochez pour masquer ce partenaire des pages publiques.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="partner_organisations",
        verbose_name="comptes de saisie",
        blank=True,
        help_text=(
            "Les comptes du groupe « Partenaires » qui saisissent les actions de cette "
            "organisation : ils ne voient que ses actions."
        ),
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        related_name="partners",
        verbose_name="territoires",
        blank=True,
        help_text="Les territoires où cette organisation agit : leurs équipes la voient.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = "partenaire"
        verbose_name_plural = "partenaires"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="partner_unique_name",
                violation_error_message="Un partenaire porte déjà ce nom.",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name


class ContactQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)


class Contact(models.Model):
    """A person at a partner organisation: personal data, shown to staff only
    unless explicitly marked public."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="contacts", verbose_name="partenaire"
    )
    full_name = models.CharField(
        "nom et prénom", max_length=200, validators=[validators.single_line]
    )
    job_title = models.CharField(
        "fonction", max_length=200, blank=True, validators=[validators.single_line]
    )
    email = models.EmailField("adresse électronique professionnelle", blank=True)
    phone = models.CharField(
        "téléphone", max_length=30, blank=True, validators=[validators.single_line]
    )
    is_public = models.BooleanField(
        "visible publiquement",
        default=False,
        help_text=(
            "Données personnelles : ne cochez que si la personne a accepté d'apparaître "
            "sur les pages publiques."
        ),
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["full_name"]

    def __str__(self):
        return f"{self.full_name} ({self.partner})"
