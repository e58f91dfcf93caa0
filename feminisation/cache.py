"""Public pages are cached whole, keyed by the query parameters they read, with the
version current when they were rendered; a save or deletion of any watched model
replaces the version: a change made in the admin shows on the very next request,
with no per-page invalidation.

A cached page is answered by PublicPageMiddleware, before the sessions, the
authentication, the CSRF check and the URL resolution: one round trip reads the
version and the page together (MGET), and the page is served only if it was
rendered under that version. It is kept as it left the middleware below that one
(with their headers), and the middleware above it add theirs as on any response.

The version is replaced once per transaction, after it commits: a page rendered
while the transaction is in flight reads the old rows, and is kept with the old
version, which the commit then leaves behind.

The cache only makes pages faster. When it fails (Redis stopped or timing out, any
error of its backend), pages are computed without it, saves are kept, and a warning
is logged at most once a minute.

Each app names the models its public pages read, in its AppConfig.ready(), with
`watch()`: this module knows none of them."""

import hashlib
import logging
import math
import threading
import uuid
from functools import wraps
from time import monotonic

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import has_vary_header

logger = logging.getLogger(__name__)

VERSION_KEY = "public-pages:version"
PAGE_TIMEOUT = 60 * 60
# A streamed page (an open-data file) is kept once sent whole, when it is at most
# this long: a real plan's list of actions, a few thousand rows, is well under it; a
# longer one is streamed from the database each time rather than held in memory.
STREAM_KEPT_BYTES = 8 * 1024 * 1024
HEALTH_KEY = "health:probe"
# After a failure the cache is left alone for this long: a Redis that times out
# would otherwise add its timeout to every request.
RETRY_AFTER = 10
LOG_INTERVAL = 60


class _TolerantCache:
    """This module's calls to Django's cache, in one process: a call that fails
    returns its default, and the cache is not tried again for RETRY_AFTER seconds.
    A new version that could not be written is written as soon as the cache answers
    again (until then, other processes may serve pages cached before the failure,
    for PAGE_TIMEOUT at most)."""

    def __init__(self):
        self.retry_at = -math.inf
        self.logged_at = -math.inf
        self.failing = False
        self.version_owed = False

    def call(self, method, *args, default=None):
        if monotonic() < self.retry_at:
            return default
        return self.try_now(method, *args, default=default)

    def try_now(self, method, *args, default=None):
        try:
            if self.version_owed:
                cache.set(VERSION_KEY, uuid.uuid4().hex, None)
                self.version_owed = False
            result = getattr(cache, method)(*args) if method else default
        except Exception:
            self._failed()
            return default
        if self.failing:
            self.failing = False
            self.retry_at = -math.inf
            logger.info("The cache answers again: public pages are cached again.")
        return result

    def _failed(self):
        now = monotonic()
        self.failing = True
        self.retry_at = now + RETRY_AFTER
        if now - self.logged_at >= LOG_INTERVAL:
            self.logged_at = now
            logger.warning(
                "The cache does not answer: public pages are computed without it "
                "(logged at most once every %s s).",
                LOG_INTERVAL,
                exc_info=True,
            )

    def replace_version(self):
        # Written by the first call that reaches the cache: this one, unless the
        # cache has failed in the last RETRY_AFTER seconds.
        self.version_owed = True
        self.call(None)


_cache = _TolerantCache()
_UNAVAILABLE = object()


class TolerantCache:
    """Django's cache for the site's other uses (the API's request counts), with the
    pages' tolerance: a failing call returns its default, and the cache is left
    alone for RETRY_AFTER seconds."""

    def get(self, key, default=None):
        return _cache.call("get", key, default, default=default)

    def set(self, key, value, timeout=None):
        _cache.call("set", key, value, timeout)


tolerant_cache = TolerantCache()


def cache_works():
    """For /sante/: whether the cache stores a value, tried now even just after a
    failure."""
    return _cache.try_now("set", HEALTH_KEY, "ok", 60, default=_UNAVAILABLE) is not _UNAVAILABLE


class _VersionAnnouncement:
    """The one new version that the writes of a transaction announce, after it
    commits. Each write registers it with on_commit (Django drops the callbacks of a
    rolled back transaction or savepoint, hence no flag to reset); the first callback
    that runs replaces the version, the others see it done."""

    def __init__(self):
        self.done = False

    def __call__(self):
        if not self.done:
            self.done = True
            _cache.replace_version()


# The announcement that the current transaction's writes share, per thread (each
# thread has its own database connections) and database alias.
_announcements = threading.local()


def invalidate_public_pages(using=DEFAULT_DB_ALIAS, **kwargs):
    """Call after any write the signals do not see (bulk_create, QuerySet.update…).
    Outside a transaction the version is replaced at once."""
    announcement = getattr(_announcements, using, None)
    if announcement is None or announcement.done:
        announcement = _VersionAnnouncement()
        setattr(_announcements, using, announcement)
    transaction.on_commit(announcement, using=using)


def _version():
    """The current version, or None when the cache does not answer."""
    version = _cache.call("get", VERSION_KEY, default=_UNAVAILABLE)
    if version is _UNAVAILABLE:
        return None
    if version is None:
        version = uuid.uuid4().hex
        # add() keeps another process's version if it got there first.
        _cache.call("add", VERSION_KEY, version, None)
        version = _cache.call("get", VERSION_KEY, version, default=version)
    return version


class _PageLookup:
    """What PublicPageMiddleware read for a GET or HEAD it did not answer, for the
    view's public_page: the version (None if the cache holds none yet), the key it
    looked for, and the key under which the view asks it to keep the response."""

    __slots__ = ("keep_as", "key", "version")

    def __init__(self, version, key):
        self.version = version
        self.key = key
        self.keep_as = None


def _page_key(request, names):
    """The key of the page at this address with these query parameters (in any order,
    each with its values in order)."""
    values = [(name, request.GET.getlist(name)) for name in sorted(names)]
    # The site's name too: a page may name it (the open data's « source »), and a
    # site served under two names must not give one the other's.
    signature = repr((request.get_host(), request.path, values)).encode()
    return f"public-page:{hashlib.sha256(signature).hexdigest()}"


def cached_page(request):
    """For PublicPageMiddleware: the page kept for this very address (every query
    parameter counted) under the current version, or None. Either way one round trip;
    when the cache answers, what it read is left on the request for public_page."""
    key = _page_key(request, request.GET)
    found = _cache.call("get_many", [VERSION_KEY, key], default=None)
    if found is None:
        return None
    version = found.get(VERSION_KEY)
    request.public_page_lookup = _PageLookup(version, key)
    kept = found.get(key)
    if kept is not None and version is not None and kept[0] == version:
        return kept[1]
    return None


def keep_page(request, response):
    """For PublicPageMiddleware: keeps a 200 response that public_page asked to keep,
    unless it sets a cookie or says that it depends on one (it read the session, so
    may not be everyone's page)."""
    lookup = getattr(request, "public_page_lookup", None)
    if lookup is None or lookup.keep_as is None or response.status_code != 200:
        return
    if response.cookies or has_vary_header(response, "Cookie"):
        return
    if response.streaming:
        _keep_once_sent(response, lookup.keep_as, lookup.version)
    else:
        _cache.call("set", lookup.keep_as, (lookup.version, response), PAGE_TIMEOUT)


def public_page(*params):
    """Caches a public view's 200 responses, one entry per site name and value of
    `params` (the query parameters it reads; any other parameter does not split the
    cache). PublicPageMiddleware serves and keeps them: without it, or without a
    cache, the view answers every request."""
    params = frozenset(params)

    def decorator(view):
        @wraps(view)
        def cached_view(request, *args, **kwargs):
            lookup = getattr(request, "public_page_lookup", None)
            if lookup is None:
                return view(request, *args, **kwargs)
            if lookup.version is None:
                # Read before the page is rendered: a write committed meanwhile
                # replaces it, and the page is not served again.
                lookup.version = _version()
                if lookup.version is None:
                    return view(request, *args, **kwargs)
            key = _page_key(request, params.intersection(request.GET))
            if key != lookup.key:
                # Parameters the page does not read: the middleware looked for
                # another address.
                kept = _cache.call("get", key)
                if kept is not None and kept[0] == lookup.version:
                    return kept[1]
            lookup.keep_as = key
            return view(request, *args, **kwargs)

        return cached_view

    return decorator


def _keep_once_sent(response, key, version):
    """Streams `response` as it is, and caches its content as a plain response once
    the last chunk is sent, if it is at most STREAM_KEPT_BYTES long (a download cut
    short is not kept). Its headers are those it has now, as a page's are kept."""
    headers = list(response.items())
    chunks = []
    size = 0

    def streamed(content):
        nonlocal chunks, size
        for chunk in content:
            if chunks is not None:
                size += len(chunk)
                if size <= STREAM_KEPT_BYTES:
                    chunks.append(chunk)
                else:
                    chunks = None
            yield chunk
        if chunks is not None:
            kept = HttpResponse(b"".join(chunks), status=response.status_code)
            for header, value in headers:
                kept[header] = value
            # What CommonMiddleware gives any response that is not streamed.
            kept["Content-Length"] = str(size)
            _cache.call("set", key, (version, kept), PAGE_TIMEOUT)

    response.streaming_content = streamed(response.streaming_content)


def public_data(signature, compute):
    """`compute()`, cached as a public page is (the same version, the same tolerance)
    under `signature`, which says everything the value depends on: for the API's
    answers, which a view computes after its own checks (the rate limit)."""
    key = f"public-data:{hashlib.sha256(repr(signature).encode()).hexdigest()}"
    found = _cache.call("get_many", [VERSION_KEY, key], default=None)
    if found is None:
        return compute()
    version = found.get(VERSION_KEY)
    kept = found.get(key)
    if kept is not None and version is not None and kept[0] == version:
        return kept[1]
    version = version or _version()
    if version is None:
        return compute()
    value = compute()
    _cache.call("set", key, (version, value), PAGE_TIMEOUT)
    return value


def watch(*models, relations=()):
    """Empties the public pages' cache after every save or deletion of `models`, and
    every change of the many-to-many `relations` (fields such as
    `AwarenessEvent.co_organizers`), once their transaction commits."""
    for model in models:
        post_save.connect(invalidate_public_pages, sender=model, weak=False)
        post_delete.connect(invalidate_public_pages, sender=model, weak=False)
    for relation in relations:
        m2m_changed.connect(invalidate_public_pages, sender=relation.through, weak=False)
