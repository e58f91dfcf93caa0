"""The admin site: Django's, with every list guarded against query strings it
cannot read, and a home to which each registered admin may add (`home_context`).

Django's list turns a lookup it cannot build into IncorrectLookupParameters and
redirects to the unfiltered list (`?e=1`). Some values pass that check and fail
later, in the database or while the SQL is written: a NUL byte (PostgreSQL
refuses it in any text), an integer beyond 64 bits (SQLite's driver refuses it),
a year the date hierarchy cannot bound (`date__year=9999`), a regular expression
the database cannot compile. The guarded list refuses them the same way, before
any query, and the redirect says why in French. The site mixes the guard into
every registered ModelAdmin, Django's and third-party ones included."""

import functools

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import EmptyResultSet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect

INVALID_FILTER_MESSAGE = (
    "L'adresse de cette liste contient un filtre, une date ou une page illisible : "
    "voici la liste sans filtre."
)
# Parsed by the database itself, which answers an error for a bad pattern; no
# filter of the admin uses them.
REFUSED_LOOKUPS = {"regex", "iregex"}
BIGINT_LIMIT = 2**63


def _values(params):
    for value in params:
        if isinstance(value, list | tuple):
            yield from _values(value)
        else:
            yield value


class GuardedQueryMixin:
    """For a ChangeList: a query string whose values the database would refuse
    raises IncorrectLookupParameters, as Django does for a lookup it cannot build."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            # The date hierarchy's bounds: Django catches a ValueError from the first
            # day, not from the day after the last (`date__year=9999`), nor an
            # OverflowError (`date__year=99999999999999999999`).
            raise IncorrectLookupParameters(error) from error

    def get_queryset(self, request, exclude_parameters=None):
        if exclude_parameters is None:
            for key, values in request.GET.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise IncorrectLookupParameters("NUL")
                if key.rsplit(LOOKUP_SEP, 1)[-1] in REFUSED_LOOKUPS:
                    raise IncorrectLookupParameters(key)
        queryset = super().get_queryset(request, exclude_parameters)
        if exclude_parameters is None:
            # The facets' querysets drop a filter from this one: checking it is enough.
            self._check_sendable(queryset)
        return queryset

    @staticmethod
    def _check_sendable(queryset):
        """Writes the list's SQL, as the page will: a value Django cannot write
        (a year beyond 9999) or that a database refuses is refused here."""
        try:
            _sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # a lookup no row can match, such as an id beyond 64 bits
            return
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        for value in _values(params):
            if (isinstance(value, int) and not -BIGINT_LIMIT <= value < BIGINT_LIMIT) or (
                isinstance(value, str) and "\x00" in value
            ):
                raise IncorrectLookupParameters(repr(value)[:40])


@functools.cache
def _guarded(changelist_class):
    if issubclass(changelist_class, GuardedQueryMixin):
        return changelist_class
    return type(f"Guarded{changelist_class.__name__}", (GuardedQueryMixin, changelist_class), {})


class GuardedListAdminMixin:
    """For a ModelAdmin: its list guarded, and the redirect that follows an
    unreadable query string explained."""

    def get_changelist(self, request, **kwargs):
        return _guarded(super().get_changelist(request, **kwargs))

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.warning(request, INVALID_FILTER_MESSAGE)
            raise

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # Django answers « Erreur de base de données » when the address it redirects
        # to (`?e=1`) carries an unreadable parameter again: only the bare `?e=1`
        # failing says something about the database.
        if getattr(response, "template_name", None) == "admin/invalid_setup.html" and any(
            name != ERROR_FLAG for name in request.GET
        ):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return response


class AdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        """Django's home, with what each registered admin has to show there: an admin
        with a `home_context(request)` method adds its variables (the events' to-do
        list…) to the page's context."""
        context = {}
        for model_admin in self._registry.values():
            if hasattr(model_admin, "home_context"):
                context.update(model_admin.home_context(request))
        return super().index(request, {**context, **(extra_context or {})})

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, GuardedListAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (GuardedListAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
