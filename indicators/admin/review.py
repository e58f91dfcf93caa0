"""What the territory staff read above a resubmitted event's form: what changed
since they returned it for correction or last validated it (the fields and the
count lines, before → after, by whom and when), from its history
(`indicators.history.changes_since_review`)."""

from feminisation.access import can_validate
from indicators import history
from indicators.enums import EventStatus


class ReviewChangesMixin:
    """For AwarenessEventAdmin: the changes since review, in the form's context
    (`changes_since_review`), on an event awaiting validation."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The status as stored: a form posted with errors holds the chosen one.
        stored_status = getattr(
            context.get("adminform") and context["adminform"].form, "stored_status", None
        )
        if (
            change
            and obj is not None
            and stored_status == EventStatus.SUBMITTED
            and can_validate(request.user)
        ):
            context["changes_since_review"] = history.changes_since_review(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
