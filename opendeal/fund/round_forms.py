"""Fund officers' forms for funds, rounds and what belongs to a round. Field names are the
names the `rounds` actions take, so their errors show beside the right field."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from opendeal.core import form_fields
from opendeal.deal.models import Theme
from opendeal.events.forms import LondonDateTimeField, ThemeChoiceField


def money_field(label: str, required_message: str = "", **kwargs) -> forms.DecimalField:
    """Pounds and pence, typed in a text box (never type=number), with a £ prefix."""
    field = forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": required_message or f"Enter the {label.lower()}",
            "invalid": "Enter an amount in pounds and pence, like 1500 or 1500.50",
            "max_decimal_places": "Enter the amount in pounds and pence, like 1500.50",
            "max_digits": "Enter an amount of less than £10,000,000,000",
            "min_value": "Enter an amount of £0 or more",
        },
        **kwargs,
    )
    return form_fields.narrow(field, "10")


def whole_number(label: str, required_message: str, *, min_value: int = 1, **kwargs):
    return form_fields.narrow(
        forms.IntegerField(
            label=label,
            min_value=min_value,
            max_value=32767,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            error_messages={
                "required": required_message,
                "invalid": f"Enter the {label.lower()} as a whole number",
                "min_value": f"The {label.lower()} must be {min_value} or more",
            },
            **kwargs,
        ),
        "4",
    )


class FundForm(forms.Form):
    name = form_fields.text("Name", "Enter the fund’s name", max_length=200)
    slug = forms.SlugField(
        label="Web address",
        required=False,
        max_length=50,
        help_text="Lower-case words joined by hyphens. Leave empty to make one from the name.",
    )
    description = form_fields.long_text("What the fund is for", required=False)
    guidance = form_fields.long_text(
        "Guidance for applicants",
        required=False,
        rows=8,
        help_text="Who can apply, workshops, who to ask for help.",
    )
    programme_code = form_fields.text(
        "Programme code",
        required=False,
        max_length=50,
        help_text="Used in the published 360Giving data, like DFC.",
    )
    is_published = forms.BooleanField(label="Show the fund on the public pages", required=False)


class RoundForm(forms.Form):
    title = form_fields.text("Title", "Enter the round’s title", max_length=200)
    slug = forms.SlugField(
        label="Web address",
        required=False,
        max_length=50,
        help_text="Leave empty to make one from the title.",
    )
    description = form_fields.long_text("Description", required=False)
    guidance = form_fields.long_text("Guidance for applicants", required=False, rows=8)
    opens_at = LondonDateTimeField(label="Opens", required_message="Enter when the round opens")
    closes_at = LondonDateTimeField(
        label="Closes",
        required_message="Enter when the round closes",
        help_text="UK time, like 2026-01-30 12:00. Applications must be submitted before this "
        "moment: one submitted at 12:00:00 is late.",
    )
    scoring_closes_at = LondonDateTimeField(
        label="Scoring closes",
        required_message="",
        required=False,
        help_text="Panel members cannot see each other’s scores until then. UK time.",
    )
    budget = money_field("Budget", "Enter the round’s budget")
    recorded_gap_weight = form_fields.narrow(
        forms.DecimalField(
            label="Weight for answering a recorded gap",
            required=False,
            max_digits=5,
            decimal_places=2,
            min_value=Decimal("0"),
            widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            help_text="Like a scoring criterion’s weight, like 1 or 1.5. An application whose "
            "priorities include a gap from the care gap map scores 5 on it automatically, "
            "others 0, in each panel member’s weighted score. Leave empty or enter 0 not to "
            "use it.",
            error_messages={
                "invalid": "Enter the weight as a number, like 1 or 1.5",
                "min_value": "Enter a weight of 0 or more",
                "max_digits": "Enter a weight of less than 1000",
                "max_decimal_places": "Enter the weight with no more than 2 decimal places",
                "max_whole_digits": "Enter a weight of less than 1000",
            },
        ),
        "4",
    )
    published = forms.BooleanField(label="Show the round on the public pages", required=False)

    def clean_recorded_gap_weight(self) -> Decimal:
        # Empty means not used, the same as 0.
        return self.cleaned_data["recorded_gap_weight"] or Decimal("0")


class TaperField(forms.CharField):
    """Whole-number percentages for each year, typed as "100, 66, 33"."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        parts = [part for part in re.split(r"[,\s]+", text.replace("%", "")) if part]
        if not all(part.isdigit() for part in parts):
            raise ValidationError(
                "Enter whole-number percentages separated by commas, like 100, 66, 33"
            )
        return [int(part) for part in parts]

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(share) for share in value)
        return value


class TierForm(forms.Form):
    name = form_fields.text("Name", "Enter the tier’s name", max_length=100)
    description = form_fields.long_text("Description", required=False, rows=3)
    minimum_amount = money_field("Minimum amount", required=False)
    maximum_amount = money_field("Maximum amount", "Enter the most an applicant can ask for")
    maximum_years = whole_number("Longest project, in years", "Enter the number of years")
    taper = TaperField(
        label="Taper",
        help_text="The share of funding in each year as whole-number percentages, one for each "
        "year, like 100, 66, 33. A one-year tier is 100.",
        error_messages={"required": "Enter the taper, like 100 for a one-year tier"},
    )
    position = form_fields.position()

    def clean_minimum_amount(self):
        return self.cleaned_data["minimum_amount"] or Decimal("0")


class PriorityForm(forms.Form):
    title = form_fields.text("Title", "Enter the priority", max_length=200)
    description = form_fields.long_text("Description", required=False, rows=3)
    deal_theme = ThemeChoiceField(
        label="Deal theme",
        required=False,
        queryset=Theme.objects.select_related("deal").order_by("deal__title", "position"),
        empty_label="None",
        help_text="The theme of the Deal this priority serves.",
    )
    position = form_fields.position()


class EligibilityQuestionForm(forms.Form):
    text = form_fields.text("Question", "Enter the question", max_length=300)
    hint = form_fields.text("Hint", required=False, max_length=300)
    eligible_answer = forms.TypedChoiceField(
        label="Which answer means the applicant can go on?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the answer that lets the applicant go on"},
    )
    ineligible_message = form_fields.long_text(
        "What to tell someone who gives the other answer",
        "Enter why they cannot apply",
        rows=3,
    )
    position = form_fields.position()

    def __init__(self, *args, initial=None, **kwargs):
        if initial and isinstance(initial.get("eligible_answer"), bool):
            initial = {**initial, "eligible_answer": "yes" if initial["eligible_answer"] else "no"}
        super().__init__(*args, initial=initial, **kwargs)


class FormQuestionForm(forms.Form):
    text = form_fields.text("Question", "Enter the question", max_length=300)
    hint = form_fields.long_text("Hint", required=False, rows=3)
    required = forms.BooleanField(label="Applicants must answer it", required=False)
    max_words = whole_number(
        "Word limit", "", required=False, help_text="Leave empty for no limit."
    )
    position = form_fields.position()


class CriterionForm(forms.Form):
    name = form_fields.text("Name", "Enter the criterion’s name", max_length=100)
    description = form_fields.long_text("Description", required=False, rows=3)
    weight = form_fields.narrow(
        forms.DecimalField(
            label="Weight",
            max_digits=5,
            decimal_places=2,
            min_value=Decimal("0"),
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            error_messages={
                "required": "Enter the weight",
                "invalid": "Enter the weight as a number, like 1 or 1.5",
            },
        ),
        "4",
    )
    position = form_fields.position()

    def __init__(self, *args, initial=None, **kwargs):
        initial = dict(initial or {})
        for score, text in (initial.pop("descriptors", None) or {}).items():
            initial[f"descriptor_{score}"] = text
        super().__init__(*args, initial=initial, **kwargs)
        for score in range(6):
            self.fields[f"descriptor_{score}"] = form_fields.text(
                f"What a score of {score} means", f"Describe a score of {score}", max_length=300
            )

    def clean(self):
        data = super().clean()
        data["descriptors"] = {
            str(score): data.pop(f"descriptor_{score}", "") for score in range(6)
        }
        return data
