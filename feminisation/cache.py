"""Public pages are cached whole, keyed by the query parameters they read, under a
version that any saved or deleted object of the plan's apps replaces: a change made
in the admin shows on the very next request, with no per-page invalidation."""

import hashlib
import uuid
from functools import wraps

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "public-pages:version"
PAGE_TIMEOUT = 60 * 60
TRACKED_APPS = ("partners", "initiatives", "indicators")


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


def connect_invalidation():
    for label in TRACKED_APPS:
        for model in apps.get_app_config(label).get_models():
            # Sums kept from other rows change with those rows, which invalidate already;
            # without receivers, their refresh deletes in one statement.
            if not getattr(model, "invalidates_public_pages", True):
                continue
            post_save.connect(invalidate_public_pages, sender=model, weak=False)
            post_delete.connect(invalidate_public_pages, sender=model, weak=False)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    invalidate_public_pages, sender=field.remote_field.through, weak=False
                )
