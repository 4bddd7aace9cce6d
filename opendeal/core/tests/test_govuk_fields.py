"""`{% govuk_field %}` draws each Django widget as its GOV.UK component."""

from django import forms
from django.template import Context, Template


class ChoicesForm(forms.Form):
    colours = forms.MultipleChoiceField(
        label="Colours",
        choices=[("red", "Red"), ("blue", "Blue")],
        widget=forms.CheckboxSelectMultiple,
    )
    size = forms.ChoiceField(
        label="Size", choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect
    )


def render(form: forms.Form, name: str) -> str:
    template = Template("{% load govuk %}{% govuk_field field %}")
    return template.render(Context({"field": form[name]}))


def test_a_multiple_choice_is_checkboxes_and_a_single_choice_radios():
    # CheckboxSelectMultiple subclasses RadioSelect: drawn as radios, only one could be chosen.
    form = ChoicesForm(initial={"colours": ["red", "blue"], "size": "l"})
    colours = render(form, "colours")
    assert colours.count('type="checkbox"') == 2 and 'type="radio"' not in colours
    assert colours.count(" checked") == 2
    size = render(form, "size")
    assert size.count('type="radio"') == 2 and 'type="checkbox"' not in size
