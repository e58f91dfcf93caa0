"""The official communes (INSEE's Code officiel géographique), which an event's
commune is chosen from. Nobody edits them: `load_communes` loads them from the
data file of geography/data/."""

import unicodedata

from django.db import models


def name_key(text):
    """How commune names are compared and searched: without accents, case,
    hyphens, apostrophes or repeated spaces, so that « saint omer » finds
    « Saint-Omer » and « eperlecques » « Éperlecques »."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    for separator in "-'\u2019\u2018":
        text = text.replace(separator, " ")
    return " ".join(text.split())


# What a load compares and writes: every field but the key.
LOADED_FIELDS = (
    "name",
    "search_key",
    "postal_codes",
    "department",
    "epci_siren",
    "epci_name",
    "population",
)
BATCH_SIZE = 1000


class CommuneQuerySet(models.QuerySet):
    def upsert(self, communes):
        """Creates the communes that are not stored, updates those that differ, in a
        few bulk queries; returns (created, updated) counts. A stored commune that
        `communes` lacks (merged into another since) is kept: events may name it.

        Both are written by INSERT … ON CONFLICT DO UPDATE, in batches: a new vintage
        changes every commune's population, and bulk_update (a CASE per row) took
        100 s to update the 35,000 communes on SQLite, this 2.5 s."""
        # Tuples rather than instances: 35,000 of them.
        fields = self.model.objects.values_list("code", *LOADED_FIELDS)
        stored = {code: tuple(values) for code, *values in fields}
        created, updated = [], []
        for commune in communes:
            old = stored.get(commune.code)
            if old is None:
                created.append(commune)
            elif old != tuple(getattr(commune, name) for name in LOADED_FIELDS):
                updated.append(commune)
        self.model.objects.bulk_create(
            created + updated,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=LOADED_FIELDS,
        )
        return len(created), len(updated)

    def in_departments(self, departments):
        """`departments`: codes, or a queryset of them read as a subquery."""
        return self.filter(department__in=departments)

    def search(self, term):
        """The communes whose name contains the term (as name_key compares them),
        whose postal codes begin with it, or whose INSEE code it is; the names
        that begin with it first."""
        term = " ".join(term.split())
        key = name_key(term)
        if not key:
            return self
        matches = models.Q(search_key__contains=key)
        if term.isdigit():
            # Postal codes are stored « 59000 59160 »: a prefix of any of them.
            matches |= models.Q(postal_codes__startswith=term) | models.Q(
                postal_codes__contains=f" {term}"
            )
            matches |= models.Q(code=term)
        return (
            self.filter(matches)
            .alias(
                begins=models.Case(
                    models.When(search_key__startswith=key, then=0),
                    default=1,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("begins", "name", "code")
        )


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    # name_key(name), searched with a plain LIKE on SQLite and PostgreSQL alike.
    search_key = models.CharField("nom sans accents", max_length=100, editable=False)
    postal_codes = models.CharField(
        "codes postaux", max_length=200, help_text="Séparés par une espace."
    )
    department = models.CharField("département", max_length=3)
    epci_siren = models.CharField("SIREN de l'intercommunalité", max_length=9, blank=True)
    epci_name = models.CharField("intercommunalité", max_length=200, blank=True)
    population = models.PositiveIntegerField("population", null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name", "code"]
        indexes = [
            # A territory's communes and population are read by its EPCIs' SIRENs.
            models.Index(fields=["epci_siren"], name="commune_epci_idx"),
        ]

    def __str__(self):
        # The postal code tells homonyms apart: « Saint-Aubin (62170) ».
        return f"{self.name} ({self.postal_code})" if self.postal_code else self.name

    def save(self, *args, **kwargs):
        self.search_key = name_key(self.name)
        super().save(*args, **kwargs)

    @property
    def postal_code(self):
        return self.postal_codes.split(" ", 1)[0]
