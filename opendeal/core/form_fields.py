"""Field builders every staff form shares, in the GOV.UK way: text boxes with width classes
(which `core/form_page.html` reads), plain-words error messages, no type=number inputs."""

from django import forms


def narrow(field: forms.Field, width: str) -> forms.Field:
    """Give the field's input a GOV.UK width class, as the form page template reads it."""
    field.govuk_classes = f"govuk-input--width-{width}"
    return field


def text(label: str, required_message: str = "", **kwargs) -> forms.CharField:
    messages = {"required": required_message} if required_message else {}
    return forms.CharField(label=label, error_messages=messages, **kwargs)


def long_text(label: str, required_message: str = "", rows: int = 5, **kwargs) -> forms.CharField:
    return text(label, required_message, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def position() -> forms.Field:
    """Where an item comes in its list; empty puts it at the end."""
    return narrow(
        forms.IntegerField(
            label="Position",
            required=False,
            min_value=0,
            max_value=32767,
            help_text="Lower numbers come first. Leave empty to put it at the end.",
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            error_messages={"invalid": "Enter the position as a whole number, like 3"},
        ),
        "4",
    )
