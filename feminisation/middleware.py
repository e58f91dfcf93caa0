"""The project's own middleware: the load balancer's health check, the cached
public pages, the Permissions-Policy header, and a French 503 page when the
database is down."""

import logging

from django.conf import settings

from feminisation import cache, views
from territories.middleware import site_of

logger = logging.getLogger(__name__)

HEALTH_PATH = "/sante/"


class HealthCheckMiddleware:
    """Answers /sante/ before anything reads the Host header or redirects to HTTPS:
    a load balancer probes each app server by its own address, in plain HTTP. The
    answer says only whether the database replies, so it needs no host check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH:
            return views.health(request)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Django has a setting for every security header but this one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers the French 503 page instead of
    a 500; one whose transaction the database ended, as it crossed another's (or
    refused at its commit, a record it links deleted meanwhile), the 409 page
    (nothing written, send again). With DEBUG on, Django's traceback page stays
    more useful."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        crossed = views.crossed_another_transaction(exception)
        if settings.DEBUG or not (crossed or isinstance(exception, views.DATABASE_DOWN)):
            return None
        if crossed:
            logger.warning(
                "Transaction ended by the database while serving %s",
                request.path,
                exc_info=exception,
            )
            return views.crossed_transaction()
        logger.error("Database unreachable while serving %s", request.path, exc_info=exception)
        return views.service_unavailable()


# Addresses no public page lives under (at the root or in a territory's site): no
# cache lookup (nor its second of waiting
# when Redis is unreachable) for the admin, the exports or an account's pages.
NEVER_PUBLIC = ("/admin/", "/exports/", "/compte/")


class PublicPageMiddleware:
    """Answers a GET or HEAD from the public pages' cache (feminisation.cache) before
    the sessions, the authentication, the CSRF check and the URL resolution, which a
    cached page does not need: it is the same for every visitor. Placed below the
    middleware that redirect to HTTPS and set the security headers, which a cached
    page goes through as any other; those below it, whose headers the kept page
    already carries, are skipped."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        territory, page = site_of(request.path_info)
        if request.method not in ("GET", "HEAD") or page.startswith(NEVER_PUBLIC):
            return self.get_response(request)
        response = cache.cached_page(request, territory=territory)
        if response is None:
            response = self.get_response(request)
            cache.keep_page(request, response)
        return response
