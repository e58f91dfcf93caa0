"""What the API answers, field by field, in French like the open data; the schema's
descriptions come from the help texts. Read-only: nothing here validates input."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feminisation import formatting
from indicators.enums import EventFormat
from initiatives.enums import InitiativeStatus, PartnerRole
from partners.enums import PartnerKind

SHARE_DIGITS = 4


@extend_schema_field({"type": "number", "format": "double", "minimum": 0, "maximum": 1})
class ShareField(serializers.Field):
    """A share from 0 to 1, to four decimals; null when it cannot be computed."""

    def to_representation(self, value):
        return formatting.fraction(value, SHARE_DIGITS)


@extend_schema_field({"type": "number", "format": "double", "minimum": 0})
class ProgressField(serializers.Field):
    """The progress towards a target, which passes 1 once it is exceeded: to four
    decimals rounded down, as the pages and files round it, so that it never reads
    1 before the target is reached (99,999 people of 100,000: 0.9999). Rounded from
    its shortest decimal writing: a float's error would write 0.29 as 0.2899."""

    def to_representation(self, value):
        return formatting.fraction(value, SHARE_DIGITS, rounding="floor")


@extend_schema_field({"type": "number", "format": "double", "minimum": 0})
class RateField(serializers.Field):
    """People per 1,000 inhabitants, to one decimal, as the page and the files round it."""

    def to_representation(self, value):
        return formatting.rate(value)


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"})
class MonthField(serializers.DateField):
    """A month as AAAA-MM, as in the open data."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Ce qui ne va pas, en français.")


class LinkSerializer(serializers.Serializer):
    intitule = serializers.CharField(source="label")
    adresse = serializers.URLField(source="url")


class PlanSerializer(serializers.Serializer):
    identifiant = serializers.SlugField(source="slug")
    titre = serializers.CharField(source="title")
    territoire = serializers.CharField(source="territory")
    presentation = serializers.CharField(
        source="summary", help_text="Qui porte le plan et pourquoi."
    )
    constat = serializers.CharField(source="finding")
    objectifs = serializers.CharField(source="objectives")
    indicateur = serializers.CharField(source="indicator", help_text="L'indicateur suivi.")
    obstacles = serializers.CharField()
    date_debut = serializers.DateField(source="start_date")
    date_fin = serializers.DateField(source="end_date", allow_null=True)
    annees = serializers.ListField(
        child=serializers.IntegerField(),
        source="years",
        help_text="Les années du plan, la plus récente d'abord : les valeurs du filtre « annee ».",
    )
    licence = serializers.CharField()
    licence_url = serializers.URLField()
    mis_a_jour_le = serializers.DateTimeField(
        source="updated_at",
        allow_null=True,
        help_text=(
            "Dernière modification d'une action validée (validation, correction, suppression "
            "ou retour à son organisateur), heure de Paris ; null si aucune."
        ),
    )
    liens = LinkSerializer(source="links.all", many=True, help_text="Sources et liens du plan.")


class AudienceSerializer(serializers.Serializer):
    identifiant = serializers.SlugField(source="slug", help_text="La valeur du filtre « public ».")
    nom = serializers.CharField(source="name")
    nom_court = serializers.CharField(source="short_name")
    description = serializers.CharField()
    intitule_des_femmes = serializers.CharField(
        source="women_label", help_text="Par exemple « dont filles » pour un public de jeunes."
    )


class SlugsField(serializers.ListField):
    """Related objects (a list, or a manager's prefetched `all`) named by their slugs."""

    child = serializers.SlugField()

    def to_representation(self, data):
        return [item.slug for item in data]


def _slugs(source, help_text):
    return SlugsField(source=source, help_text=help_text)


class InitiativeSerializer(serializers.Serializer):
    numero = serializers.IntegerField(source="number")
    identifiant = serializers.SlugField(
        source="slug", help_text="La valeur du filtre « initiative »."
    )
    titre = serializers.CharField(source="title")
    resume = serializers.CharField(source="summary")
    description = serializers.CharField()
    etat = serializers.ChoiceField(choices=InitiativeStatus.choices, source="status")
    etat_libelle = serializers.CharField(source="get_status_display")
    date_debut = serializers.DateField(source="start_date", allow_null=True)
    publics_cibles = _slugs("audiences.all", "Identifiants des publics cibles de l'initiative.")
    partenaires_pilotes = _slugs(
        "lead_partners.all", "Identifiants des partenaires pilotes publics."
    )
    partenaires_associes = _slugs(
        "associated_partners.all", "Identifiants des partenaires associés publics."
    )


class PartnerSerializer(serializers.Serializer):
    identifiant = serializers.SlugField(source="slug")
    nom = serializers.CharField(source="name")
    nom_court = serializers.CharField(source="short_name")
    type = serializers.ChoiceField(choices=PartnerKind.choices, source="kind")
    type_libelle = serializers.CharField(source="get_kind_display")
    description = serializers.CharField()
    site_web = serializers.CharField(source="website", help_text="Adresse, ou vide.")
    role = serializers.ChoiceField(
        choices=PartnerRole.choices,
        source="plan_role",
        allow_null=True,
        help_text="Son rôle dans le plan ; null pour un partenaire d'action sans autre rôle.",
    )
    initiatives_pilotees = _slugs("plan_led", "Identifiants des initiatives qu'il pilote.")
    initiatives_associees = _slugs(
        "plan_associated", "Identifiants des initiatives auxquelles il est associé."
    )


class FiltersSerializer(serializers.Serializer):
    # No docstring: drf-spectacular would publish it as the object's description.
    annee = serializers.IntegerField(source="year", allow_null=True)
    du = serializers.DateField(source="start", allow_null=True)
    au = serializers.DateField(source="end", allow_null=True)
    initiative = serializers.SlugField(source="initiative.slug", allow_null=True)
    public = serializers.SlugField(source="audience.slug", allow_null=True)


class FiguresSerializer(serializers.Serializer):
    personnes_sensibilisees = serializers.IntegerField(source="people")
    dont_femmes_ou_filles = serializers.IntegerField(
        source="known_women",
        allow_null=True,
        help_text="Parmi les personnes dont le sexe est connu ; null si le sexe n'est connu "
        "pour personne.",
    )
    personnes_dont_le_sexe_est_connu = serializers.IntegerField(
        source="people_with_known_women",
        help_text="Un sexe inconnu n'est pas zéro : la part des femmes se calcule sur elles.",
    )
    part_des_femmes = ShareField(
        source="women_share",
        allow_null=True,
        help_text=(
            "Femmes ou filles parmi les personnes dont le sexe est connu, de 0 à 1 ; null si "
            "le sexe n'est connu pour personne."
        ),
    )


class CountedFiguresSerializer(FiguresSerializer):
    actions = serializers.IntegerField(source="events", help_text="Actions validées comptées.")


FILTERS_HELP = "Les filtres appliqués, comme l'adresse les donne ; null pour un filtre absent."


class ScopedSerializer(serializers.Serializer):
    filtres = FiltersSerializer(source="filters", help_text=FILTERS_HELP)
    mis_a_jour_le = serializers.DateTimeField(
        source="updated_at",
        allow_null=True,
        help_text="Dernière modification d'une action validée, heure de Paris ; null si aucune.",
    )


class TotalsSerializer(ScopedSerializer, CountedFiguresSerializer):
    lieux_touches = serializers.IntegerField(
        source="venues", help_text="Lieux distincts (établissement, entreprise…) touchés."
    )
    partenaires_impliques = serializers.IntegerField(
        source="partners", help_text="Partenaires qui ont organisé ou co-organisé une action."
    )


class RowSerializer(CountedFiguresSerializer):
    identifiant = serializers.CharField(
        source="key",
        allow_null=True,
        help_text=(
            "L'identifiant de l'initiative, du public, du format ou du partenaire ; null pour "
            "« Autres partenaires »."
        ),
    )
    libelle = serializers.CharField(source="label")


class BreakdownSerializer(ScopedSerializer):
    lignes = RowSerializer(source="rows", many=True)


class MonthSerializer(FiguresSerializer):
    mois = MonthField(source="month", help_text="Le mois, AAAA-MM.")
    cumul_personnes = serializers.IntegerField(
        source="cumulative_people", help_text="Personnes sensibilisées depuis le premier mois."
    )


class MonthsSerializer(ScopedSerializer):
    lignes = MonthSerializer(source="rows", many=True)


class ProgressSerializer(serializers.Serializer):
    annee = serializers.IntegerField(source="target.year")
    initiative = serializers.SlugField(
        source="target.initiative.slug", allow_null=True, help_text="null : toutes."
    )
    public = serializers.SlugField(
        source="target.audience.slug", allow_null=True, help_text="null : tous."
    )
    objectif_personnes = serializers.IntegerField(source="target.people")
    objectif_femmes = serializers.IntegerField(source="target.women", allow_null=True)
    personnes_sensibilisees = serializers.IntegerField(source="reached.people")
    dont_femmes_ou_filles = serializers.IntegerField(
        source="reached.known_women",
        allow_null=True,
        help_text="null si le sexe n'est connu pour personne.",
    )
    avancement = ProgressField(
        source="share",
        help_text="Personnes sensibilisées / objectif ; plus de 1 une fois l'objectif dépassé.",
    )
    avancement_femmes = ProgressField(
        source="women_share", allow_null=True, help_text="null sans objectif de femmes."
    )


class TargetsSerializer(ScopedSerializer):
    annee = serializers.IntegerField(
        source="year",
        help_text="L'année des objectifs : celle choisie, sinon la dernière de la période.",
    )
    lignes = ProgressSerializer(source="rows", many=True)


class EventSerializer(serializers.Serializer):
    date = serializers.DateField()
    intitule = serializers.CharField(source="title")
    initiative = serializers.SlugField(source="initiative.slug")
    initiative_titre = serializers.CharField(source="initiative.title")
    format = serializers.ChoiceField(choices=EventFormat.choices)
    format_libelle = serializers.CharField(source="get_format_display")
    commune = serializers.CharField()
    organisateurs = serializers.ListField(
        child=serializers.CharField(),
        source="organisers",
        help_text=(
            "L'organisateur puis les co-organisateurs ; un partenaire non publié figure comme "
            "« Autre partenaire »."
        ),
    )
    personnes_sensibilisees = serializers.IntegerField(
        source="total_people", help_text="Du public choisi seulement, avec le filtre « public »."
    )
    dont_femmes_ou_filles = serializers.IntegerField(
        source="total_women",
        allow_null=True,
        help_text=(
            "Parmi les personnes dont le sexe est connu ; null si le sexe n'est connu pour "
            "personne."
        ),
    )
    personnes_dont_le_sexe_est_connu = serializers.IntegerField(
        source="total_known",
        help_text=(
            "La part des femmes et des filles se calcule sur elles seules, pas sur toutes les "
            "personnes sensibilisées."
        ),
    )


class EventPageSerializer(serializers.Serializer):
    nombre = serializers.IntegerField(help_text="Actions validées qui répondent aux filtres.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    precedente = serializers.URLField(allow_null=True, help_text="Adresse de la page précédente.")
    suivante = serializers.URLField(allow_null=True, help_text="Adresse de la page suivante.")
    filtres = FiltersSerializer(source="filters", help_text=FILTERS_HELP)
    commune = serializers.CharField(allow_null=True)
    mis_a_jour_le = serializers.DateTimeField(source="updated_at", allow_null=True)
    resultats = EventSerializer(many=True, source="events")


NO_PLAN = "null pour un territoire sans plan publié (inconnu n'est pas zéro)."
NO_PLAN_ALONE = "Valeur null pour un territoire sans plan publié (inconnu n'est pas zéro)."


class NationalFiguresSerializer(serializers.Serializer):
    actions = serializers.IntegerField(
        source="totals.events", allow_null=True, help_text=f"Actions validées ; {NO_PLAN}"
    )
    personnes_sensibilisees = serializers.IntegerField(
        source="totals.people", allow_null=True, help_text=NO_PLAN_ALONE
    )
    dont_femmes_ou_filles = serializers.IntegerField(
        source="totals.known_women",
        allow_null=True,
        help_text=f"Parmi les personnes dont le sexe est connu (null si le sexe n'est connu "
        f"pour personne) ; {NO_PLAN}",
    )
    personnes_dont_le_sexe_est_connu = serializers.IntegerField(
        source="totals.people_with_known_women", allow_null=True, help_text=NO_PLAN_ALONE
    )
    part_des_femmes = ShareField(
        source="totals.women_share",
        allow_null=True,
        help_text="Femmes ou filles parmi les personnes dont le sexe est connu, de 0 à 1.",
    )
    population = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Population légale des communes de ses intercommunalités ; pour le total, des "
            "territoires dont elle est connue. null si inconnue."
        ),
    )
    pour_1000_habitants = RateField(
        source="per_thousand",
        allow_null=True,
        help_text=(
            "Personnes sensibilisées pour 1 000 habitants ; null si la population est inconnue."
        ),
    )
    objectif_personnes = serializers.IntegerField(
        source="target_people",
        allow_null=True,
        help_text="L'objectif de l'année pour tout le plan ; null sans objectif.",
    )
    personnes_sensibilisees_dans_l_annee = serializers.IntegerField(
        source="reached", allow_null=True, help_text="Sur l'année entière ; null sans objectif."
    )
    avancement = ProgressField(
        source="progress_share",
        allow_null=True,
        help_text="Personnes sensibilisées dans l'année / objectif ; null sans objectif.",
    )


class TerritoryLineSerializer(NationalFiguresSerializer):
    territoire = serializers.CharField(source="name")
    identifiant = serializers.SlugField(source="slug")
    region = serializers.CharField()
    adresse = serializers.URLField(source="url", help_text="Le site public du territoire.")
    sirens_epci = serializers.ListField(
        child=serializers.CharField(),
        source="sirens",
        help_text="Codes SIREN des intercommunalités qui forment le territoire.",
    )


class NationalSerializer(serializers.Serializer):
    annee_objectif = serializers.IntegerField(
        source="year", help_text="L'année des objectifs : l'année en cours."
    )
    tri = serializers.CharField(
        source="order", help_text="L'ordre appliqué (le paramètre « tri », ou « territoire »)."
    )
    territoires = TerritoryLineSerializer(source="lines", many=True)
    total = NationalFiguresSerializer(help_text="Le total national.")
