"""Render Django forms with GOV.UK Frontend's markup: fields, hints, errors and the error summary."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string

register = template.Library()

# First match wins: CheckboxSelectMultiple is a subclass of RadioSelect, so it comes first.
_TEMPLATE_BY_WIDGET: list[tuple[type, str]] = [
    (forms.CheckboxSelectMultiple, "govuk/field_checkboxes.html"),
    (forms.RadioSelect, "govuk/field_radios.html"),
    (forms.CheckboxInput, "govuk/field_checkbox.html"),
    (forms.Select, "govuk/field_select.html"),
    (forms.Textarea, "govuk/field_textarea.html"),
    (forms.ClearableFileInput, "govuk/field_file.html"),
    (forms.FileInput, "govuk/field_file.html"),
]


@register.simple_tag
def govuk_field(field: BoundField, classes: str = "", heading: str = "") -> str:
    """One form field as a GOV.UK form group. `classes` go on the input (e.g. govuk-input--width-10);
    `heading` makes the label or legend a page heading of that size (e.g. "l")."""
    template_name = next(
        (name for widget, name in _TEMPLATE_BY_WIDGET if isinstance(field.field.widget, widget)),
        "govuk/field_input.html",
    )
    return render_to_string(template_name, {"field": field, "classes": classes, "heading": heading})


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms_with_errors: forms.BaseForm) -> dict:
    """The error summary: every error on the page, each linking to its field."""
    errors = []
    for form in forms_with_errors:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            errors.append({"href": "", "message": message})
        for field in form:
            for message in field.errors:
                errors.append({"href": f"#{error_target_id(field)}", "message": message})
    return {"errors": errors}


@register.filter
def error_target_id(field: BoundField) -> str:
    """The element an error summary link should focus: the first option of a radio or checkbox
    group, or the input itself."""
    widget = field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{field.auto_id}_0"
    return field.auto_id


@register.filter
def field_type(field: BoundField) -> str:
    return getattr(field.field.widget, "input_type", "text")
