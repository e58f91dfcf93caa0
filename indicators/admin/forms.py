from django import forms
from django.contrib.admin.helpers import ActionForm

from feminisation.admin import ChangeReasonForm
from indicators.enums import EventStatus
from indicators.models import ClosedYear


class AwarenessEventAdminForm(ChangeReasonForm):
    """The admin builds it for AwarenessEvent, with the fields of its fieldsets, and
    says on the class it builds for each request whether the user may still write
    in a closed year (only those who validate may)."""

    may_edit_closed_years = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The status before this form changes it: the admin decides from it whether a
        # partner's change sends a validated event back for validation.
        self.stored_status = self.instance.status if self.instance.pk else None
        status = self.fields.get("status")
        if status is None or self.stored_status is None:
            return
        if self.stored_status not in {value for value, _ in status.choices}:
            # A partner is offered draft and submitted only: a validated event, or one
            # returned for correction, is resubmitted by saving it.
            self.initial["status"] = EventStatus.SUBMITTED
            status.help_text = (
                "Cette action est validée : si vous la modifiez, elle repasse « Soumise, à "
                "valider » et l'équipe du territoire la vérifie de nouveau."
                if self.stored_status == EventStatus.VALIDATED
                else "Corrigez l'action comme l'équipe du territoire le demande, puis "
                "enregistrez-la « Soumise, à valider » : elle la vérifiera de nouveau."
            )

    def clean(self):
        cleaned_data = super().clean()
        organizer = cleaned_data.get("organizer")
        if organizer and organizer in cleaned_data.get("co_organizers", ()):
            self.add_error(
                "co_organizers",
                "Le partenaire organisateur ne peut pas être aussi co-organisateur.",
            )
        if (
            cleaned_data.get("status") == EventStatus.RETURNED
            and "review_comment" in self.fields
            and not cleaned_data.get("review_comment")
        ):
            self.add_error(
                "review_comment",
                "Dites au partenaire ce qu'il faut corriger avant de lui renvoyer l'action.",
            )
        date, initiative = cleaned_data.get("date"), cleaned_data.get("initiative")
        if (
            not self.may_edit_closed_years
            and date
            and initiative
            and ClosedYear.objects.filter(plan_id=initiative.plan_id, year=date.year).exists()
        ):
            self.add_error(
                "date",
                f"L'année {date.year} est clôturée : seule l'équipe du territoire peut encore "
                "y enregistrer ou modifier des actions.",
            )
        return cleaned_data


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
