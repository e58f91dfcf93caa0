from django import forms


class AwarenessEventAdminForm(forms.ModelForm):
    """The admin builds it for AwarenessEvent, with the fields of its fieldsets."""

    def clean(self):
        cleaned_data = super().clean()
        organizer = cleaned_data.get("organizer")
        if organizer and organizer in cleaned_data.get("co_organizers", ()):
            self.add_error(
                "co_organizers",
                "Le partenaire organisateur ne peut pas être aussi co-organisateur.",
            )
        return cleaned_data
