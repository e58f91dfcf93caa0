"""Admin pieces shared by the apps."""

from django import forms
from django.db import models
from django.db.models import UniqueConstraint

# « www.example.fr » is taken as https://, as Django 6 will do by default.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ConstraintMessageInlineFormSet(forms.BaseInlineFormSet):
    """Says a duplicate between two lines with the unique constraint's own French
    message, where Django would name the raw fields (« …en double dans audience »)."""

    def get_unique_error_message(self, unique_check):
        for constraint in self.model._meta.constraints:
            if (
                isinstance(constraint, UniqueConstraint)
                and set(constraint.fields) == set(unique_check)
                and constraint.violation_error_message != constraint.default_violation_error_message
            ):
                return constraint.violation_error_message
        return super().get_unique_error_message(unique_check)
