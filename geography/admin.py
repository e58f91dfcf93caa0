from django.contrib import admin
from django.core.exceptions import PermissionDenied

from feminisation.access import sees_all_events
from geography.models import Commune
from indicators import workflow


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    """The official communes, read-only: `load_communes` keeps them in step with the
    data file. Searched by the events' commune field (autocomplete), by name,
    postal code or INSEE code, among those an event may take place in."""

    list_display = ("name", "code", "postal_codes", "department", "epci_name", "population")
    list_filter = ("department",)
    # Searched by get_search_results; declared so that the autocomplete is offered.
    search_fields = ("name", "postal_codes", "code")
    search_help_text = "Nom (avec ou sans accents), code postal ou code INSEE."
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        communes = queryset.search(search_term)
        if request.GET.get("field_name") == "official_commune":
            # An event's commune: none that its form would refuse.
            communes = workflow.offered_communes(communes, request.user)
        return communes, False

    def has_module_permission(self, request):
        # Partners reach the communes through the events' form only: they may view
        # them (its autocomplete, the link of a read-only event), not list them.
        return super().has_module_permission(request) and (
            request.user.is_superuser or sees_all_events(request.user)
        )

    def changelist_view(self, request, extra_context=None):
        self._check_module_permission(request)
        return super().changelist_view(request, extra_context)

    def history_view(self, request, *args, **kwargs):
        self._check_module_permission(request)
        return super().history_view(request, *args, **kwargs)

    def _check_module_permission(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
