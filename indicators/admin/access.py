"""Which events each account reaches in the admin, and what it may do with them.

Territory staff and managers see every event (`sees_all_events`); a partner's
account sees the events its organisations organise or co-organise. What it may do
with one of them is `indicators.workflow`'s to say: every list, form, search,
filter and autocomplete starts from get_queryset, and the object-level
permissions ask the workflow for whatever is reached another way (a hand-typed
URL, the bulk delete, the history)."""

from feminisation.access import can_export, organisation_ids, sees_all_events
from indicators import workflow
from indicators.models import AwarenessEvent
from partners.models import Partner


class PartnerAccessMixin:
    """For AwarenessEventAdmin: the groups' model permissions, narrowed for each
    event, and the organiser field narrowed to the partner's own organisations."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def in_account_territories(self, queryset, user):
        # AwarenessEvent.objects.visible_to narrows to the account's territories
        # itself, a partner's account on its credits rather than on the events.
        return queryset

    def has_validate_permission(self, request):
        return workflow.may_perform(request.user, workflow.VALIDATE)

    def has_export_permission(self, request):
        """The export of a selection: as /exports/ decides (a partner's account
        exports its organisations' events, and none without one)."""
        return self.has_view_permission(request) and can_export(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and workflow.may_add(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or self._is_visible(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (
            self._is_visible(request, obj) and workflow.may_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (
            self._is_visible(request, obj) and workflow.may_delete(request.user, obj)
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Found through get_queryset: visible by construction, no need to ask again.
            obj.__dict__.setdefault("_visible_to", {})[request.user.pk] = True
        return obj

    def _is_visible(self, request, obj):
        # The permission methods are asked several times per page: ask the
        # database once per event and user.
        user = request.user
        if sees_all_events(user):
            return True
        visible = obj.__dict__.setdefault("_visible_to", {})
        if user.pk not in visible:
            visible[user.pk] = AwarenessEvent.objects.visible_to(user).filter(pk=obj.pk).exists()
        return visible[user.pk]

    # The organiser: a partner's own organisations, the first one by default.

    def get_autocomplete_fields(self, request):
        if sees_all_events(request.user):
            return self.autocomplete_fields
        # A partner picks among their few organisations in a plain list.
        return tuple(name for name in self.autocomplete_fields if name != "organizer")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organizer" and not sees_all_events(request.user):
            kwargs["queryset"] = Partner.objects.filter(pk__in=organisation_ids(request.user))
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        user = request.user
        if not sees_all_events(user) and organisation_ids(user):
            return {"organizer": organisation_ids(user)[0], **initial}
        return initial
