"""The OpenAPI description of each endpoint, in French: what it answers, its
parameters and every response it may give, so that the schema validates them all
(tests/api/test_schema.py)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from api.filters import MAX_PAGE_SIZE
from api.serializers import ErrorSerializer
from indicators.figures.stats import ACTIONS_PER_PAGE
from indicators.views.filter_fields import FIRST_YEAR, LAST_DATE_YEAR

SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
TERRITORY = OpenApiParameter(
    "territoire",
    SLUG,
    description=(
        "L'identifiant du territoire, celui de son site (/territoires/<identifiant>/) : "
        "les données de son plan en cours, et d'aucun autre territoire. Facultatif sur "
        "une instance qui suit un seul territoire ; obligatoire dès qu'elle en suit "
        "plusieurs."
    ),
    examples=[OpenApiExample("flandre-pays-de-saint-omer", value="flandre-pays-de-saint-omer")],
)
FILTERS = [
    OpenApiParameter(
        "annee",
        {"type": "integer", "minimum": FIRST_YEAR},
        description=(
            f"Une année (de {FIRST_YEAR} à l'an prochain), par exemple 2025 ; "
            "à ne pas combiner avec « du » et « au »."
        ),
        examples=[OpenApiExample("2025", value=2025)],
    ),
    OpenApiParameter(
        "du",
        OpenApiTypes.DATE,
        description=(
            f"Début de la période (AAAA-MM-JJ, de {FIRST_YEAR} à {LAST_DATE_YEAR}), inclus."
        ),
    ),
    OpenApiParameter(
        "au",
        OpenApiTypes.DATE,
        description="Fin de la période (AAAA-MM-JJ), incluse ; pas avant « du ».",
    ),
    OpenApiParameter(
        "initiative",
        SLUG,
        description="L'identifiant d'une initiative du plan (voir /api/v1/initiatives/).",
        examples=[OpenApiExample("reseau-verrelles", value="reseau-verrelles")],
    ),
    OpenApiParameter(
        "public",
        SLUG,
        description=(
            "L'identifiant d'un public cible (voir /api/v1/publics/) : les chiffres de ce "
            "public seulement."
        ),
        examples=[OpenApiExample("filles", value="filles")],
    ),
]
SORT = OpenApiParameter(
    "tri",
    OpenApiTypes.STR,
    description=(
        "La colonne qui ordonne les territoires : territoire, region, actions, personnes, "
        "femmes, habitants, pour-1000 ou objectif ; précédée de « - » pour l'ordre "
        "décroissant (-personnes). Une autre valeur est ignorée (ordre par nom)."
    ),
    examples=[OpenApiExample("-personnes", value="-personnes")],
)
ACTION_FILTERS = [
    *FILTERS,
    OpenApiParameter(
        "commune",
        OpenApiTypes.STR,
        description="Une commune où a eu lieu une action validée, par exemple Arques.",
    ),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1},
        description="Le numéro de page, à partir de 1 ; au-delà de la dernière, la dernière.",
    ),
    OpenApiParameter(
        "par_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=(
            f"Actions par page, de 1 à {MAX_PAGE_SIZE} ({ACTIONS_PER_PAGE} sans ce paramètre)."
        ),
    ),
]


def _error(description):
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_MODIFIED = OpenApiResponse(
    description=(
        "Non modifié : la réponse n'a pas changé depuis celle dont la requête donne l'ETag "
        "(If-None-Match) ou la date (If-Modified-Since)."
    )
)
NO_PLAN = _error("Aucun plan d'action n'est publié (pour le territoire demandé).")
BAD_TERRITORY = _error(
    "Un territoire inconnu, donné deux fois, ou manquant sur une instance qui en suit "
    "plusieurs : le message dit quoi corriger."
)
THROTTLED = _error(
    "Trop de requêtes depuis cette adresse : réessayez après le délai que donne l'en-tête "
    "Retry-After, en secondes."
)
BAD_FILTER = _error(
    "Un paramètre illisible ou incohérent (une année et des dates, une fin avant le début, "
    "un identifiant ou un territoire inconnu, un paramètre donné deux fois, pas de "
    "territoire sur une instance qui en suit plusieurs) : le message dit quoi corriger."
)

FILTERED = (
    " Filtres du tableau de bord : « annee » ou « du » et « au », « initiative », « public » ; "
    "seules les actions validées comptent."
)
OPERATIONS = {
    "plan": (
        "Le plan d'action",
        "Le plan en cours : titre, territoire, textes, dates, années, licence des données et "
        "date de la dernière modification de ses chiffres.",
    ),
    "initiatives": (
        "Les initiatives",
        "Les initiatives du plan, dans leur ordre, avec leurs publics cibles et leurs "
        "partenaires publics.",
    ),
    "publics": ("Les publics cibles", "Les publics cibles des actions de sensibilisation."),
    "partenaires": (
        "Les partenaires",
        "Les partenaires publics du plan : ceux qui ont un rôle dans le plan, une action "
        "validée ou une initiative. Un partenaire qui ne souhaite pas être nommé n'y figure pas.",
    ),
    "actions": (
        "Les actions validées",
        "Les actions validées du plan, la plus récente d'abord, par pages : ce que montre la "
        "page « Les actions » du site. Un partenaire non publié figure comme « Autre "
        "partenaire » ; notes et commentaires internes ne sont jamais publiés." + FILTERED,
    ),
    "chiffres": (
        "Les chiffres",
        "Les chiffres du tableau de bord : actions, personnes sensibilisées, dont femmes ou "
        "filles, lieux touchés, partenaires impliqués." + FILTERED,
    ),
    "par-initiative": ("Par initiative", "Les chiffres par initiative du plan." + FILTERED),
    "par-public": ("Par public cible", "Les chiffres par public cible." + FILTERED),
    "par-format": (
        "Par format d'action",
        "Les chiffres par format d'action (les formats sans action sont omis)." + FILTERED,
    ),
    "par-partenaire": (
        "Par partenaire",
        "Les chiffres par partenaire organisateur ou co-organisateur, le plus grand d'abord. "
        "Une action menée à plusieurs compte pour chacun de ses partenaires : le total des "
        "lignes dépasse celui du plan. Les partenaires non publiés forment une ligne, « Autres "
        "partenaires », la dernière." + FILTERED,
    ),
    "par-mois": (
        "Par mois",
        "Les chiffres mois par mois, du début de la période (ou du plan) à sa fin (ou à "
        "aujourd'hui), avec le cumul ; un mois sans action compte zéro." + FILTERED,
    ),
    "territoires": (
        "Les territoires côte à côte",
        "Chaque Territoire d'Industrie de l'instance (plan d'action en cours, depuis son "
        "début, actions validées seulement) et le total national : ce que montre la page "
        "/national/. Le total pour 1 000 habitants ne compte que les territoires dont la "
        "population est connue ; l'avancement national, que ceux qui ont un objectif.",
    ),
    "objectifs": (
        "Les objectifs",
        "Les objectifs de l'année choisie (sinon de la dernière année de la période, ou de "
        "l'année en cours) et leur avancement, mesuré sur l'année entière : ceux de "
        "l'initiative et du public choisis seulement." + FILTERED,
    ),
}


def operation(name, serializer, *, figures=False, actions=False, national=False):
    """extend_schema's arguments for the endpoint `name`."""
    summary, description = OPERATIONS[name]
    responses = {
        200: serializer,
        304: NOT_MODIFIED,
        400: BAD_TERRITORY,
        404: NO_PLAN,
        429: THROTTLED,
    }
    parameters = [TERRITORY]
    if national:
        # Every territory's: no territory to name, none to miss.
        del responses[400], responses[404]
        parameters = [SORT]
    if figures or actions:
        responses[400] = BAD_FILTER
        parameters += ACTION_FILTERS if actions else FILTERS
    return {
        "operation_id": name,
        "summary": summary,
        "description": description,
        "parameters": parameters,
        "responses": responses,
        "tags": ["chiffres" if figures else "données du plan"],
    }
