"""The French that the admin builds around a model's name: its article, its gender,
« nouvelle » or « nouvel », the agreement of « ajoutée ». Django's French translation
says « l'objet … » for every model to avoid knowing them; the genders are here, once.

A model's words are its verbose_name and verbose_name_plural; a model left out of
FEMININE is masculine."""

from dataclasses import dataclass

from feminisation.formatting import counted

FEMININE = {
    "axes.accessattempt",  # tentative de connexion
    "axes.accesslog",  # connexion
    "indicators.audiencecount",  # ligne de comptage
    "indicators.awarenessevent",  # action de sensibilisation
    "indicators.closedyear",  # année clôturée
    "initiatives.achievement",  # réalisation
    "initiatives.initiative",
    "initiatives.planlink",  # source ou lien du plan
}
ELIDED = tuple("aeiouyhàâéèêëîïôûù")


@dataclass(frozen=True)
class Noun:
    singular: str
    plural: str
    feminine: bool

    @classmethod
    def of(cls, model):
        opts = model._meta
        if (instance_type := getattr(model, "instance_type", None)) is not None:
            # A historical model of django-simple-history: named after its object's.
            noun = cls.of(instance_type)
            return cls(f"version {noun.of_the}", f"versions {noun.of_the}", True)
        if opts.auto_created:
            # Django's table of a many-to-many field: named after the field.
            field = next(
                field
                for field in opts.auto_created._meta.many_to_many
                if field.remote_field.through is model
            )
            owner = cls.of(opts.auto_created)
            return cls(
                f"{field.verbose_name} {owner.of_the}",
                f"{field.verbose_name} {owner.of_the}",
                False,
            )
        return cls(
            str(opts.verbose_name), str(opts.verbose_name_plural), opts.label_lower in FEMININE
        )

    @property
    def _elided(self):
        return self.singular.lower().startswith(ELIDED)

    @property
    def the(self):
        """« l'action de sensibilisation », « la ligne de comptage », « le partenaire »"""
        if self._elided:
            return f"l'{self.singular}"
        return f"{'la' if self.feminine else 'le'} {self.singular}"

    @property
    def of_the(self):
        """« de l'action de sensibilisation », « de la ligne », « du partenaire »"""
        if self._elided or self.feminine:
            return f"de {self.the}"
        return f"du {self.singular}"

    @property
    def the_plural(self):
        return f"les {self.plural}"

    @property
    def a(self):
        """« une ligne de comptage », « un objectif »"""
        return f"{'une' if self.feminine else 'un'} {self.singular}"

    @property
    def another(self):
        return f"{'une autre' if self.feminine else 'un autre'} {self.singular}"

    @property
    def new(self):
        """« Nouvelle action de sensibilisation », « Nouvel objectif », « Nouveau partenaire »"""
        if self.feminine:
            return f"Nouvelle {self.singular}"
        return f"{'Nouvel' if self._elided else 'Nouveau'} {self.singular}"

    @property
    def pronoun(self):
        """What stands for it before a verb: « la », « le »."""
        return "la" if self.feminine else "le"

    def agreed(self, participle, count=1):
        """« ajoutée », « ajoutés »: the participle agreed with the noun."""
        return participle + ("e" if self.feminine else "") + ("s" if count > 1 else "")

    def counted(self, count):
        """« 2 lignes de comptage », « 1 objectif »"""
        return counted(count, self.singular, self.plural)

    def its(self, count):
        """« ses 2 lignes de comptage », « sa ligne de comptage », « son objectif »"""
        if count > 1:
            return f"ses {self.counted(count)}"
        if self.feminine and not self._elided:
            return f"sa {self.singular}"
        return f"son {self.singular}"


def capfirst(text):
    return text[:1].upper() + text[1:]


def listed(items):
    """« a, b et c »"""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} et {items[-1]}"
