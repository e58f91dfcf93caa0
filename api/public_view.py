"""What every endpoint of the API does around its answer: caching it like a public
page, and conditional GET."""

from django.core.validators import slug_re
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters
from api.french import InFrench
from feminisation.cache import public_data
from territories.models import Territory

# A longer value names no territory (the view refuses it): the cache keys stay short.
SLUG_MAX_LENGTH = Territory._meta.get_field("slug").max_length


class PublicView(InFrench, APIView):
    """A read-only endpoint. `answer(request)` gives its JSON data and the date of its
    last change (or None); the pair is cached under the versions of the territory it
    reads (those of that territory's site; the instance's without `territoire`), one
    entry per site name and value of `params` (the query parameters it reads), after
    the rate limit is checked.

    Each 200 carries an ETag computed from its body, so that it changes with anything
    a client could see, and Last-Modified when the answer has a date; a request that
    has them gets a 304 Not Modified."""

    http_method_names = ["get", "head"]
    # Every endpoint answers for the territory that `territoire` names (api.filters).
    params = ("territoire",)
    last_modified = None

    def get(self, request):
        values = [(name, request.query_params.getlist(name)) for name in self.params]
        signature = (request.get_host(), request.path, values)
        data, self.last_modified = public_data(
            signature, lambda: self.answer(request), self.territory_read(request)
        )
        return Response(data)

    def territory_read(self, request):
        """The slug of the one territory the answer reads (`?territoire=`), whose
        writes alone change it; None when it names none (the instance's territory,
        or a refusal)."""
        if filters.TERRITORY not in self.params:
            return None
        named = request.query_params.getlist(filters.TERRITORY)
        if len(named) == 1 and len(named[0]) <= SLUG_MAX_LENGTH and slug_re.match(named[0]):
            return named[0]
        return None

    def answer(self, request):
        raise NotImplementedError

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


def plain(data):
    """A serializer's data as plain lists and dicts, which the cache stores without
    the serializer they would otherwise drag along."""
    return list(data) if isinstance(data, list) else dict(data)
