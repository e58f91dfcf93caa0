"""Conditional GET for the API: an ETag computed from the body, so that it changes
with any change a client could see, and Last-Modified where the answer depends on the
events only (the figures' last change, `stats.last_update`)."""

from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date
from rest_framework.views import APIView

from api.french import InFrench


class ConditionalView(InFrench, APIView):
    """A read-only view whose 200 answers carry an ETag (and Last-Modified when the
    handler sets `self.last_modified`), and that answers 304 Not Modified to a
    request that already has them. The body is computed all the same: it is what the
    ETag is computed from; the 304 saves the transfer, not the queries."""

    http_method_names = ["get", "head"]
    last_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        set_response_etag(response)
        # Revalidated at each use: without it, a browser would keep an answer for a
        # tenth of its age since Last-Modified (weeks, for a plan quiet for months).
        patch_cache_control(response, no_cache=True)
        timestamp = None
        if self.last_modified is not None:
            timestamp = int(self.last_modified.timestamp())
            response.headers["Last-Modified"] = http_date(timestamp)
        return get_conditional_response(
            request, etag=response.headers["ETag"], last_modified=timestamp, response=response
        )
