"""Cache backends that the tests put in place of the real one with
`settings.CACHES` (Django then rebuilds `django.core.cache.cache` on the next use)."""

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from feminisation.cache import VERSION_KEY


class CountingVersionWrites(LocMemCache):
    """Django's local-memory cache, counting the writes of the public pages' versions
    (in every thread: each has its own instance of the backend): every write
    replaces the instance's version, with those it concerns."""

    version_writes = 0

    def set_many(self, data, *args, **kwargs):
        if VERSION_KEY in data:
            CountingVersionWrites.version_writes += 1
        return super().set_many(data, *args, **kwargs)


class Unreachable(BaseCache):
    """A cache of which every call fails, as a stopped Redis's does."""

    calls = 0

    def __init__(self, location, params):
        super().__init__(params)

    def _fail(self, *args, **kwargs):
        Unreachable.calls += 1
        raise ConnectionError("Error 111 connecting to cache.internal:6379. Connection refused.")

    add = get = set = touch = delete = clear = has_key = _fail
    get_many = set_many = delete_many = incr = decr = _fail
