"""Every address anyone may open without an account: the pages the browser tests
walk through, and the files. tests/test_fuzzing.py checks that no public route is
left out."""

from tests.browser.pages import PUBLIC_PAGES

CHARTS = [
    "par-mois",
    "cumul",
    "part-des-femmes",
    "par-initiative",
    "par-public",
    "par-format",
    "par-partenaire",
]
PUBLIC_FILES = [
    "/donnees/compteurs.csv",
    "/donnees/compteurs.csv?format=excel",
    "/donnees/compteurs.csv?format=xlsx",
    "/donnees/compteurs.json",
    "/donnees/actions.csv",
    "/donnees/actions.csv?format=excel",
    "/donnees/actions.json",
    "/donnees/datapackage.json",
    *(f"/donnees/graphiques/{chart}.csv" for chart in CHARTS),
    "/donnees/graphiques/par-mois.csv?format=excel",
    "/sante/",
]
# The pages a password link leads to (here with links that are not valid), and
# « Mot de passe oublié ? ».
ACCOUNT_PAGES = [
    "/compte/invitation/MQ/lien-perime/",
    "/compte/mot-de-passe/MQ/lien-perime/",
    "/compte/mot-de-passe/enregistre/",
    "/compte/mot-de-passe-oublie/",
    "/compte/mot-de-passe-oublie/envoye/",
    # The link at the bottom of every e-mail (here a link that is not valid).
    "/compte/notifications/desinscription/lien-invalide/",
]
# The read-only API (api/), its schema and its documentation page: tests/api/ checks
# them all (schemathesis, unpublished partners, the cache's failure).
API_URLS = [
    "/api/v1/plan/",
    "/api/v1/initiatives/",
    "/api/v1/publics/",
    "/api/v1/partenaires/",
    "/api/v1/actions/",
    "/api/v1/chiffres/",
    "/api/v1/chiffres/par-initiative/",
    "/api/v1/chiffres/par-public/",
    "/api/v1/chiffres/par-format/",
    "/api/v1/chiffres/par-partenaire/",
    "/api/v1/chiffres/par-mois/",
    "/api/v1/chiffres/objectifs/",
    "/api/v1/territoires/",
    "/api/v1/schema/",
    "/api/v1/docs/",
]
# Addresses that only lead to another: the API's root, to its documentation.
REDIRECTS = ["/api/v1/"]
# Addresses of no endpoint, answered by the API's JSON 404.
UNKNOWN_API_URLS = ["/api/v2/chiffres/"]
# The API's two ways of reading parameters: the figures' and the list of actions'.
API_WITH_PARAMETERS = ["/api/v1/chiffres/", "/api/v1/actions/", "/api/v1/territoires/"]
# The instance's national pages and files: every territory side by side
# (tests/territories/test_national.py checks their figures).
NATIONAL_URLS = [
    "/national/",
    "/national/?tri=-personnes",
    "/national/territoires.csv",
    "/national/territoires.csv?format=xlsx",
    "/national/donnees/",
    "/national/donnees/compteurs.csv",
    "/national/donnees/compteurs.json",
    "/national/donnees/actions.csv",
    "/national/donnees/actions.json",
    "/national/donnees/datapackage.json",
]
PUBLIC_URLS = [*PUBLIC_PAGES, *PUBLIC_FILES, *ACCOUNT_PAGES, *NATIONAL_URLS]
# Behind a login, for every account: the e-mails it receives.
SIGNED_IN_PAGES = ["/compte/notifications/"]
# The managers' exports, behind a login and the export permission.
EXPORTS = [
    "/exports/",
    "/exports/evenements.csv",
    "/exports/compteurs.csv",
    "/exports/partenaires.csv",
]
# The annual report, behind the same permission. It reads only `format`, which its own
# tests try (tests/indicators/test_annual_report.py): not fuzzed with every parameter.
REPORTS = ["/exports/bilan/2025/"]
