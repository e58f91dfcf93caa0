"""Public pages are cached whole, keyed by the query parameters they read, with the
versions current when they were rendered; a save or deletion of a watched model
replaces the versions it concerns: a change made in the admin shows on the very next
request, with no per-page invalidation.

The versions are per territory: a page of a territory's site (/territoires/<slug>/…)
depends on that territory's version and on the shared data's (audiences, communes,
the territories themselves); every other page (the list of territories, the national
page, the legal pages, the site of an instance with one territory at its root) on
the instance's version. A write in a territory replaces that territory's version
and the instance's; a write of shared data replaces every version. Which territory
a record belongs to is territories.scoping's to say.

A cached page is answered by PublicPageMiddleware, before the sessions, the
authentication, the CSRF check and the URL resolution: one round trip reads the
versions and the page together (MGET), and the page is served only if it was
rendered under those versions. It is kept as it left the middleware below that one
(with their headers), and the middleware above it add theirs as on any response.

The versions are replaced once per transaction, after it commits (the territories
its writes concern are read then, one query per model written): a page rendered
while the transaction is in flight reads the old rows, and is kept with the old
versions, which the commit then leaves behind.

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
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.http import HttpResponse
from django.utils.cache import has_vary_header

from territories import scoping

logger = logging.getLogger(__name__)

# The instance's version, which every write replaces.
VERSION_KEY = "public-pages:version"
# The shared data's, which every territory's pages depend on.
SHARED_VERSION_KEY = "public-pages:version:shared"
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
    New versions that could not be written are written as soon as the cache answers
    again (until then, other processes may serve pages cached before the failure,
    for PAGE_TIMEOUT at most)."""

    def __init__(self):
        self.retry_at = -math.inf
        self.logged_at = -math.inf
        self.failing = False
        self.versions_owed = set()

    def call(self, method, *args, default=None):
        if monotonic() < self.retry_at:
            return default
        return self.try_now(method, *args, default=default)

    def try_now(self, method, *args, default=None):
        try:
            if self.versions_owed:
                cache.set_many({key: uuid.uuid4().hex for key in self.versions_owed}, None)
                self.versions_owed = set()
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

    def replace_versions(self, keys):
        # Written by the first call that reaches the cache: this one, unless the
        # cache has failed in the last RETRY_AFTER seconds.
        self.versions_owed.update(keys)
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


def territory_version_key(slug):
    return f"public-pages:version:territory:{slug}"


def version_keys(territory):
    """The versions a page depends on: those of a territory's site (`territory`, its
    slug) or the instance's."""
    if territory is None:
        return (VERSION_KEY,)
    return (SHARED_VERSION_KEY, territory_version_key(territory))


class _VersionAnnouncement:
    """The new versions that the writes of a transaction announce, after it commits.
    Each write adds what it concerns and registers the announcement with on_commit
    (Django drops the callbacks of a rolled back transaction or savepoint; what a
    write rolled back with a savepoint added only replaces a version more); the
    first callback that runs replaces the versions, the others see it done."""

    def __init__(self, using, hooks):
        self.using = using
        self.hooks = hooks
        self.done = False
        self.everything = False
        self.territories = set()
        self.records = set()
        self.deleted = set()

    def add(self, territories=None, records=None, deleted=()):
        """`territories` (slugs) or `records` ((model label, pk) pairs): None for
        every territory."""
        if territories is None and records is None:
            self.everything = True
        self.territories.update(territories or ())
        self.records.update(records or ())
        self.deleted.update(deleted)

    def __call__(self):
        if not self.done:
            self.done = True
            _cache.replace_versions(self.keys())

    def keys(self):
        territories = None
        if not self.everything:
            try:
                territories = scoping.territories_of(
                    self.records, deleted=self.deleted, using=self.using
                )
            except Exception:
                # The database failed after the commit: every page is rendered again.
                logger.warning("The territories of a write could not be read.", exc_info=True)
        if territories is None:
            return (VERSION_KEY, SHARED_VERSION_KEY)
        territories |= self.territories
        return (VERSION_KEY, *map(territory_version_key, sorted(territories)))


# The announcement that the current transaction's writes share, per thread (each
# thread has its own database connections) and database alias.
_announcements = threading.local()


def _announce(using, **written):
    # A transaction's callbacks are a list of their own: a new list is a new
    # transaction (or the rest of one after a savepoint rolled back).
    hooks = transaction.get_connection(using).run_on_commit
    announcement = getattr(_announcements, using, None)
    if announcement is None or announcement.done or announcement.hooks is not hooks:
        announcement = _VersionAnnouncement(using, hooks)
        setattr(_announcements, using, announcement)
    announcement.add(**written)
    transaction.on_commit(announcement, using=using)


def invalidate_public_pages(using=DEFAULT_DB_ALIAS, territories=None, records=None):
    """Call after any write the signals do not see (bulk_create, QuerySet.update…),
    with what it concerns when it knows it: the `territories` (or their slugs), or
    the `records` written (their territories are read once the transaction commits);
    else every territory's pages are rendered again. Outside a transaction the
    versions are replaced at once."""
    if territories is None and records is None:
        _announce(using)
        return
    written = set()
    for record in records or ():
        named = scoping.records(type(record), [record.pk])
        if named is None:
            _announce(using)
            return
        written |= named
    territories = {getattr(territory, "slug", territory) for territory in territories or ()}
    _announce(using, territories=territories, records=written)


def record_write(sender, instance, using, **kwargs):
    """post_save of a watched model."""
    _announce(using, records=scoping.references(instance))


def record_deletion(sender, instance, using, **kwargs):
    """post_delete of a watched model."""
    _announce(
        using,
        records=scoping.references(instance),
        deleted={(sender._meta.label_lower, instance.pk)},
    )


def record_relation_change(sender, instance, action, reverse, model, pk_set, using, **kwargs):
    """m2m_changed of a watched relation: the records on its model's side say which
    territories (the event, not its co-organiser)."""
    if action.startswith("post_"):
        records = scoping.records(model, pk_set) if reverse else scoping.references(instance)
        _announce(using, records=records)


def _versions(keys):
    """The current versions of `keys`, or None when the cache does not answer."""
    found = _cache.call("get_many", list(keys), default=_UNAVAILABLE)
    if found is _UNAVAILABLE:
        return None
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        for key in missing:
            # add() keeps another process's version if it got there first.
            _cache.call("add", key, uuid.uuid4().hex, None)
        found.update(_cache.call("get_many", missing, default={}))
    versions = tuple(found.get(key) for key in keys)
    return None if None in versions else versions


class _PageLookup:
    """What PublicPageMiddleware read for a GET or HEAD it did not answer, for the
    view's public_page: the versions the page depends on (their keys, and their
    values, None if the cache lacks one), the key it looked for, and the key under
    which the view asks it to keep the response."""

    __slots__ = ("keep_as", "key", "version_keys", "versions")

    def __init__(self, version_keys, versions, key):
        self.version_keys = version_keys
        self.versions = versions
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


def cached_page(request, territory=None):
    """For PublicPageMiddleware: the page kept for this very address (every query
    parameter counted) under the current versions of `territory`'s site (its slug;
    None: the instance's pages), or None. Either way one round trip; when the cache
    answers, what it read is left on the request for public_page."""
    keys = version_keys(territory)
    key = _page_key(request, request.GET)
    found = _cache.call("get_many", [*keys, key], default=None)
    if found is None:
        return None
    versions = tuple(found.get(version_key) for version_key in keys)
    if None in versions:
        versions = None
    request.public_page_lookup = _PageLookup(keys, versions, key)
    kept = found.get(key)
    if kept is not None and versions is not None and kept[0] == versions:
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
        _keep_once_sent(response, lookup.keep_as, lookup.versions)
    else:
        _cache.call("set", lookup.keep_as, (lookup.versions, response), PAGE_TIMEOUT)


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
            if lookup.versions is None:
                # Read before the page is rendered: a write committed meanwhile
                # replaces them, and the page is not served again.
                lookup.versions = _versions(lookup.version_keys)
                if lookup.versions is None:
                    return view(request, *args, **kwargs)
            key = _page_key(request, params.intersection(request.GET))
            if key != lookup.key:
                # Parameters the page does not read: the middleware looked for
                # another address.
                kept = _cache.call("get", key)
                if kept is not None and kept[0] == lookup.versions:
                    return kept[1]
            lookup.keep_as = key
            return view(request, *args, **kwargs)

        return cached_view

    return decorator


def _keep_once_sent(response, key, versions):
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
            _cache.call("set", key, (versions, kept), PAGE_TIMEOUT)

    response.streaming_content = streamed(response.streaming_content)


def public_data(signature, compute, territory=None):
    """`compute()`, cached as a public page is (the same versions, the same
    tolerance) under `signature`, which says everything the value depends on: for
    the API's answers, which a view computes after its own checks (the rate limit).
    `territory`: the slug of the one territory the value reads (a write elsewhere
    leaves it cached); None, the instance's version, which every write replaces."""
    keys = version_keys(territory)
    key = f"public-data:{hashlib.sha256(repr(signature).encode()).hexdigest()}"
    found = _cache.call("get_many", [*keys, key], default=None)
    if found is None:
        return compute()
    versions = tuple(found.get(version_key) for version_key in keys)
    if None in versions:
        versions = _versions(keys)
    kept = found.get(key)
    if kept is not None and kept[0] == versions:
        return kept[1]
    if versions is None:
        return compute()
    value = compute()
    _cache.call("set", key, (versions, value), PAGE_TIMEOUT)
    return value


def watch(*models, relations=()):
    """Replaces the versions of the pages a save or deletion of `models`, or a change
    of the many-to-many `relations` (fields such as `AwarenessEvent.co_organizers`),
    concerns, once their transaction commits."""
    for model in models:
        post_init.connect(scoping.remember_origin, sender=model, weak=False)
        post_save.connect(record_write, sender=model, weak=False)
        post_delete.connect(record_deletion, sender=model, weak=False)
    for relation in relations:
        m2m_changed.connect(record_relation_change, sender=relation.through, weak=False)
