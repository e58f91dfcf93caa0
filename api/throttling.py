"""The anonymous clients' rate limit, counted in the cache, which must not bring the
API down with it."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from feminisation.cache import tolerant_cache


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's per-address limit, with two differences. Its counts go through the
    pages' tolerant cache: when the cache fails, requests are let through rather
    than answered 500. And the rate is read at each request, not once at import, so
    that a change of settings (a test's) applies."""

    cache = tolerant_cache

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
