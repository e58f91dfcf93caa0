from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.html import format_html
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from feminisation.admin import ChangeReasonForm
from indicators import history, workflow
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from indicators.models.events import duplicate_key

COMMUNE_REQUIRED = (
    "Choisissez la commune dans la liste : tapez son nom ou son code postal, puis "
    "cliquez sur la bonne commune."
)


class AwarenessEventAdminForm(ChangeReasonForm):
    """The admin builds it for AwarenessEvent, with the fields of its fieldsets, and
    sets `user` on the class it builds for each request: every rule it checks is
    the workflow's, asked for that account."""

    user = None
    # The stored version, when the form shows another one (a version of the history).
    live_version = None

    # The version of the event the form shows: the save compares it with the stored
    # one (the admin's _refuse_stale).
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Shown, with the events it would duplicate, only when the save would enter an
    # action twice (the warning is the form's non-field error).
    confirm_duplicate = forms.BooleanField(
        label="Enregistrer quand même, ce n'est pas un doublon", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["seen_version"] = (
                self.instance.version if self.live_version is None else self.live_version
            )
            record = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
            if record is not None and "co_organizers" in self.fields:
                # A version of the history shows its own co-organisers, not today's.
                self.initial["co_organizers"] = sorted(history.co_organizers_at(record))
        commune = self.fields.get("official_commune")
        if commune is not None:
            # Optional in the table for the events entered before the official
            # communes, required of every save.
            commune.required = True
            commune.error_messages["required"] = COMMUNE_REQUIRED
            if self.instance.pk and self.instance.official_commune_id is None:
                # The admin writes help texts unescaped: the typed text is escaped here.
                commune.help_text = format_html(
                    "Commune saisie avant la liste des communes officielles : « {} ». "
                    "Choisissez-la dans la liste pour enregistrer l'action.",
                    self.instance.commune,
                )
        # The event as stored: the instance itself, but for a version of the history
        # being reverted to, which is a change of the event as it stands now.
        stored = self._stored_event()
        # An edit that keeps the date, commune, initiative and organiser is not
        # warned about duplicates again.
        self.stored_duplicate_key = stored.duplicate_key if stored is not None else None
        # The status before this form changes it: the workflow decides from it what
        # status the edit leaves (a version « À corriger » brought back returns the
        # event, which a closed year forbids).
        self.stored_status = stored.status if stored is not None else None
        self.stored_event = stored
        status = self.fields.get("status")
        if status is None or self.stored_status is None:
            return
        if self.stored_status not in {value for value, _ in status.choices}:
            # A partner's event « À corriger » or validated: its status is shown,
            # chosen, beside the ones the partner may pick.
            status.choices = workflow.status_options(self.user, self.stored_status)
            status.help_text = (
                workflow.DEMOTED
                if self.stored_status == EventStatus.VALIDATED
                else "Corrigez l'action comme l'équipe du territoire le demande, puis "
                "choisissez « Soumise, à valider » : elle la vérifiera de nouveau."
            )

    def _stored_event(self):
        """The event as stored, or None for a new one (or one deleted since)."""
        if not self.instance.pk:
            return None
        if getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is None:
            return self.instance
        return (
            AwarenessEvent.objects.select_related("initiative").filter(pk=self.instance.pk).first()
        )

    def clean(self):
        cleaned_data = super().clean()
        user = self.user
        if "organizer" in self.fields:
            organizer = cleaned_data.get("organizer")
        else:
            organizer = self.instance.organizer if self.instance.organizer_id else None
        initiative = (
            cleaned_data.get("initiative")
            if "initiative" in self.fields
            else getattr(self.instance, "initiative", None)
        )
        if initiative is not None and workflow.moved_since_read(initiative):
            self.add_error(
                "initiative" if "initiative" in self.fields else None, workflow.INITIATIVE_MOVED
            )
            return cleaned_data
        for field, problem in workflow.organisation_problems(
            user, organizer, cleaned_data.get("co_organizers", ()), initiative
        ):
            self.add_error(field if field in self.fields else None, problem)
        commune = cleaned_data.get("official_commune")
        placed = {"official_commune", "initiative"}.intersection(self.changed_data)
        if (
            initiative is not None
            and commune is not None
            and placed
            and (problem := workflow.commune_problem(commune, initiative))
        ):
            self.add_error("official_commune", problem)
        status = cleaned_data.get("status")
        if (
            status == EventStatus.RETURNED
            and "review_comment" in self.fields
            and not cleaned_data.get("review_comment")
        ):
            self.add_error("review_comment", workflow.RETURN_NEEDS_COMMENT)
        date, initiative = cleaned_data.get("date"), cleaned_data.get("initiative")
        # Read, and held until the save is committed, only when a closed year would
        # refuse something: the staff's other saves do not wait for each other.
        binds = workflow.closure_binds(user, status)
        closed_now = (
            binds
            and bool(date and initiative)
            and workflow.is_closed(initiative.plan_id, date.year)
        )
        if status is not None and "status" in self.fields:
            stored = self.stored_event
            closed_before = binds and stored is not None and workflow.in_closed_year(stored)
            refusal = workflow.status_refusal(
                user, self.stored_status, status, closed_year=closed_now or closed_before
            )
            if refusal:
                self.add_error("status", refusal)
        if closed_now and not workflow.may_write_in_closed_years(user):
            self.add_error("date", workflow.closed_year_message(date.year))
        self._warn_of_duplicates(cleaned_data, organizer)
        return cleaned_data

    def _warn_of_duplicates(self, cleaned_data, organizer):
        """Nothing is saved while the event looks like one already entered (those
        this account may see), until the box says it is not the same action."""
        date, official_commune, initiative = (
            cleaned_data.get(name) if name in self.fields else getattr(self.instance, name, None)
            for name in ("date", "official_commune", "initiative")
        )
        # The commune's name, which save() gives the event (its text, else).
        commune = official_commune.name if official_commune else self.instance.commune
        if not (date and initiative and organizer and commune):
            return
        if duplicate_key(date, commune, initiative.pk, organizer.pk) == self.stored_duplicate_key:
            return
        # Confirmed: the save goes on, unless another error shows the form again,
        # where the warning keeps the box ticked.
        if cleaned_data.get("confirm_duplicate") and not self.errors:
            return
        duplicates = (
            AwarenessEvent.objects.visible_to(self.user)
            .select_related("organizer")
            .duplicates_of(
                date=date,
                commune=commune,
                initiative_id=initiative.pk,
                organizer_id=organizer.pk,
                exclude_pk=self.instance.pk,
            )
        )
        if duplicates:
            warning = render_to_string(
                "indicators/admin/_duplicate_warning.html",
                {"events": duplicates, "confirm": self["confirm_duplicate"]},
            )
            self.add_error(None, ValidationError(warning, code="duplicate"))


class EventActionForm(ActionForm):
    """The events' action bar, with the comment that « Renvoyer pour correction »
    sends to the partner (a small script shows it only for that action)."""

    commentaire = forms.CharField(
        label="Commentaire pour le partenaire :",
        required=False,
        widget=forms.TextInput(attrs={"size": 50, "class": "review-comment"}),
    )

    class Media:
        js = ["admin_extra/review_comment.js"]
