"""Django REST framework's few messages that the API can give, in French.

rest_framework is not in INSTALLED_APPS: its French catalogue would replace four of
Django's own messages on the site's forms (« adresse e-mail » for « adresse de
courriel », a straight apostrophe for a typographic one). The API gives only these
messages of its own; the others are the filters' (the dashboard's forms) or ours."""

from rest_framework.exceptions import MethodNotAllowed, Throttled
from rest_framework.negotiation import BaseContentNegotiation


class TooManyRequests(Throttled):
    default_detail = "Trop de requêtes depuis cette adresse."
    extra_detail_singular = "Réessayez dans {wait} seconde."
    extra_detail_plural = "Réessayez dans {wait} secondes."


class InFrench:
    """For an API view: its refusals in French."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise MethodNotAllowed(
            request.method,
            detail=f"Méthode « {request.method} » non autorisée : l'API se lit seulement (GET).",
        )

    def throttled(self, request, wait):
        raise TooManyRequests(wait)


class JsonWhateverTheAcceptHeader(BaseContentNegotiation):
    """The API speaks JSON only: a client that asks for another format gets JSON
    rather than a 406 (whose message would be in English)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
