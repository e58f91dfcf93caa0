"""Public pages are cached whole, keyed by the query parameters they read, under a
version that a save or deletion of any watched model replaces: a change made in the
admin shows on the very next request, with no per-page invalidation.

Each app names the models its public pages read, in its AppConfig.ready(), with
`watch()`: this module knows none of them."""

import hashlib
import uuid
from functools import wraps

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "public-pages:version"
PAGE_TIMEOUT = 60 * 60


def invalidate_public_pages(**kwargs):
    """Call after any write the signals do not see (bulk_create, QuerySet.update…)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add() keeps another process's version if it got there first.
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def public_page(*params):
    """Caches a public view's 200 responses, one entry per value of `params` (the
    query parameters it reads; any other parameter does not split the cache)."""

    def decorator(view):
        @wraps(view)
        def cached_view(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            values = [(name, request.GET.getlist(name)) for name in params]
            signature = repr((request.path, values)).encode()
            key = f"public-page:{_version()}:{hashlib.sha256(signature).hexdigest()}"
            response = cache.get(key)
            if response is None:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not response.streaming:
                    if hasattr(response, "render"):
                        response.render()
                    cache.set(key, response, PAGE_TIMEOUT)
            return response

        return cached_view

    return decorator


def watch(*models, relations=()):
    """Empties the public pages' cache after every save or deletion of `models`, and
    every change of the many-to-many `relations` (fields such as
    `AwarenessEvent.co_organizers`)."""
    for model in models:
        post_save.connect(invalidate_public_pages, sender=model, weak=False)
        post_delete.connect(invalidate_public_pages, sender=model, weak=False)
    for relation in relations:
        m2m_changed.connect(invalidate_public_pages, sender=relation.through, weak=False)
