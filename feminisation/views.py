import logging
import sys

from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError, connection
from django.db.utils import IntegrityError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache

from feminisation.cache import cache_works

logger = logging.getLogger(__name__)

# What a lost or refused connection raises (psycopg and sqlite3 alike, as Django
# wraps them); an IntegrityError or a ProgrammingError is a bug, left to the 500 page,
# but for the key that CROSSED_TRANSACTION names.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60
# PostgreSQL's SQLSTATEs for a transaction it ended because it crossed another one:
# two that waited for each other (deadlock_detected), or that could not be run as
# if one after the other (serialization_failure). Nothing of it is written, and the
# same request sent again succeeds: the database is up.
CROSSED_TRANSACTION = {"40P01", "40001"}
# A record that a save links to, deleted by another transaction after the save's
# form found it (foreign_key_violation): Django's foreign keys are checked when the
# transaction commits, and every form checks the records it is given exist. Sent
# again, the form says the record is gone.
DELETED_MEANWHILE = "23503"


def crossed_another_transaction(exception):
    sqlstate = getattr(getattr(exception, "__cause__", None), "sqlstate", None)
    if isinstance(exception, IntegrityError):
        return sqlstate == DELETED_MEANWHILE
    return isinstance(exception, OperationalError) and sqlstate in CROSSED_TRANSACTION


@never_cache
def health(request):
    """For load balancers: 200 while the database answers, 503 otherwise. The
    cache's state is told, not judged: the site works without it. Reached through
    feminisation.middleware.HealthCheckMiddleware, before any session, CSRF or host
    check, so it sets no cookie and answers whatever the Host."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return JsonResponse({"statut": "indisponible"}, status=503)
    return JsonResponse({"statut": "ok", "cache": "ok" if cache_works() else "indisponible"})


# Error pages. 400, 403 and 404 are drawn in the site's layout, with the request so
# that the navigation works; none shows the exception's text (the 400 pages that
# explain a wrong filter are rendered by the views themselves). 500 and 503 are
# standalone: they must render when neither the database nor the request can be
# trusted.


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # A database failure outside a view (in a middleware) reaches here, not
    # DatabaseUnavailableMiddleware: it still deserves the 503 page.
    exception = sys.exc_info()[1]
    if crossed_another_transaction(exception):
        return crossed_transaction()
    if isinstance(exception, DATABASE_DOWN):
        return service_unavailable()
    return HttpResponseServerError(loader.render_to_string("500.html"))


def crossed_transaction():
    response = HttpResponse(loader.render_to_string("409.html"), status=409)
    add_never_cache_headers(response)
    return response


def service_unavailable():
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page, in the admin's look since it answers the admin's
    login form."""
    context = {
        **admin.site.each_context(request),
        "title": "Connexion bloquée",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(
        request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
