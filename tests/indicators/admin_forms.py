"""Posting an admin change form the way a browser does: every field as the page
shows it, then the changes a user types."""

from django import forms


def _value(bound_field):
    """What the browser posts for a field: nothing (False) for an unchecked box or
    an empty multiple choice."""
    value = bound_field.value()
    if isinstance(bound_field.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return [str(item) for item in value or ()] or False
    if value is None:
        return ""
    return value


def form_data(response, **changes):
    """The data of the change form in `response` (its inlines included), unchanged
    but for `changes` (field names of the main form or inline `prefix-N-field`)."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[form[name].html_name] = _value(form[name])
    # A version of the history is shown without its inlines.
    for inline in response.context.get("inline_admin_formsets", ()):
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for line in formset.forms:
            for field in line:
                value = _value(field)
                if value is not False:
                    data[field.html_name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return {name: value for name, value in data.items() if value is not False}
