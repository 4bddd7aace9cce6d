"""Forms for assessment, decisions and grants: they parse what people type; the rules are in
scoring.py, decisions.py and awards.py."""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms

from opendeal.core import form_fields

from .models import Criterion, DecisionOutcome
from .models.assessment import MAXIMUM_SCORE

AMOUNT_HELP = "In pounds and pence, like 1500.50"


class PoundsField(forms.CharField):
    """An amount typed as text ("£1,500.50"), read as a pence-exact Decimal."""

    def __init__(self, *args, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = (super().to_python(value) or "").replace("£", "").replace(",", "").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(
                "Enter an amount in pounds and pence, like 1500.50"
            ) from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError("Enter an amount in pounds and pence, like 1500.50")
        if amount < 0 and not self.allow_negative:
            raise forms.ValidationError("Enter an amount of 0 or more")
        return amount


def _date_field(label: str, **kwargs) -> forms.DateField:
    return form_fields.narrow(
        forms.DateField(
            label=label,
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            error_messages={"invalid": "Enter a date like 2026-04-01 or 01/04/2026"},
            **kwargs,
        ),
        "10",
    )


def _count_field(label: str) -> forms.IntegerField:
    return form_fields.narrow(
        forms.IntegerField(
            label=label,
            min_value=0,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            error_messages={
                "required": f"Enter {label.lower()} (0 if none)",
                "invalid": "Enter a whole number, like 12",
                "min_value": "Enter a number, 0 or more",
            },
        ),
        "5",
    )


class EligibilityForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Is the application eligible?",
        choices=[("eligible", "Eligible"), ("ineligible", "Not eligible")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the application is eligible"},
    )
    reason = form_fields.long_text(
        "Reason",
        required=False,
        help_text="Needed when it is not eligible: the applicant is sent it.",
    )


class ConflictForm(forms.Form):
    reason = form_fields.long_text(
        "What is the conflict of interest?",
        "Say what the conflict of interest is",
        help_text=(
            "For example, you are a trustee, member or employee of the organisation, or close to "
            "someone who is. Once you declare it you will not see or score this application."
        ),
    )


class ScoreForm(forms.Form):
    """One 0-5 choice and a comment per criterion, each choice labelled with its descriptor."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            descriptors = criterion.descriptors or {}
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (weight {criterion.weight.normalize():f})",
                help_text=criterion.description,
                coerce=int,
                choices=[
                    (
                        value,
                        f"{value} – {descriptors[str(value)]}"
                        if descriptors.get(str(value))
                        else str(value),
                    )
                    for value in range(MAXIMUM_SCORE + 1)
                ],
                widget=forms.RadioSelect,
                error_messages={"required": f"Score {criterion.name} from 0 to {MAXIMUM_SCORE}"},
            )
            self.fields[f"comment_{criterion.pk}"] = form_fields.long_text(
                f"Comment on {criterion.name} (optional)", required=False, rows=3
            )

    def scoresheet(self) -> dict[int, tuple[int, str]]:
        return {
            criterion.pk: (
                self.cleaned_data[f"score_{criterion.pk}"],
                self.cleaned_data.get(f"comment_{criterion.pk}", ""),
            )
            for criterion in self.criteria
        }

    def pairs(self):
        """(criterion, score field, comment field), for the template."""
        return [
            (criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"])
            for criterion in self.criteria
        ]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision"},
    )
    reason = form_fields.long_text(
        "Reason",
        "Give the reason for the decision",
        help_text="The applicant is sent this in the letter.",
    )
    amount = form_fields.narrow(
        PoundsField(
            label="Amount to award (£)", required=False, help_text=f"Awards only. {AMOUNT_HELP}."
        ),
        "10",
    )
    planned_start = _date_field(
        "Planned start",
        required=False,
        help_text="Awards only. Leave empty for the first day of next month.",
    )


class PaymentForm(forms.Form):
    paid_on = _date_field("Date paid", initial=datetime.date.today)
    reference = form_fields.narrow(
        form_fields.text("Payment reference", "Enter the payment reference", max_length=100),
        "20",
    )


class ReportForm(forms.Form):
    people_reached = _count_field("People reached")
    volunteers = _count_field("Volunteers")
    activities = _count_field("Activities held")
    narrative = form_fields.long_text(
        "What did the project do, and how did it go?",
        "Say what the project did in this period",
    )


class VariationForm(forms.Form):
    description = form_fields.long_text(
        "What needs to change, and why?", "Describe the change and why it is needed"
    )
    amount_change = form_fields.narrow(
        PoundsField(
            label="Change to the grant (£)",
            required=False,
            allow_negative=True,
            help_text="Leave empty if the money does not change. A minus sign takes money away, like -250.",
        ),
        "10",
    )


class VariationDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Approve"), ("no", "Refuse")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or refuse"},
    )
    reason = form_fields.long_text("Reason", "Give the reason for the decision")


class PublishForm(forms.Form):
    taxonomy_terms = forms.MultipleChoiceField(
        label="Taxonomy terms for the service",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the service offers, so people searching the directory find it.",
    )

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taxonomy_terms"].choices = [(str(term.id), term.name) for term in terms]
