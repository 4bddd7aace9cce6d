"""The choices on the demand dashboard and the gap map (both read with GET, so a view of the
figures can be bookmarked and shared), and the form that turns gaps into a round's priorities."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from opendeal.core import form_fields

from .demand import DEFAULT_WEEKS_OF_CARE
from .gaps import DEFAULT_DISTANCE_METRES, DISTANCES_METRES

COUNCIL = "council"
DATE_HINT = "For example, 2026-04-01"


def _date(label: str, required: bool = True, help_text: str = DATE_HINT) -> forms.DateField:
    return form_fields.narrow(
        forms.DateField(
            label=label,
            required=required,
            help_text=help_text,
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            error_messages={
                "required": f"Enter the {label.lower()}",
                "invalid": f"Enter the {label.lower()} as a date, like 2026-04-01",
            },
        ),
        "10",
    )


def default_period() -> tuple[datetime.date, datetime.date]:
    """The last twelve whole months and this month so far."""
    today = timezone.localdate()
    return today.replace(year=today.year - 1, day=1), today


class DemandForm(forms.Form):
    scope = forms.ChoiceField(label="Whose figures")
    first = _date("From")
    last = _date("To")
    split_on = _date(
        "Compare before and after",
        required=False,
        help_text="Optional: a date within the period, such as when a new way of working began. "
        + DATE_HINT,
    )
    baseline_rate = form_fields.narrow(
        forms.DecimalField(
            label="Baseline rate of new long-term packages a year, per 100,000 adults",
            required=False,
            min_value=Decimal(0),
            max_digits=8,
            decimal_places=1,
            help_text="Optional. Leave empty to use the rate before the date you compare at.",
            error_messages={"invalid": "Enter the baseline rate as a number, like 450"},
            widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        ),
        "5",
    )
    weeks = form_fields.narrow(
        forms.IntegerField(
            label="Weeks of care each avoided package would have lasted",
            min_value=1,
            max_value=520,
            initial=DEFAULT_WEEKS_OF_CARE,
            error_messages={
                "required": "Enter the weeks of care",
                "invalid": "Enter the weeks of care as a whole number, like 52",
            },
            widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        ),
        "3",
    )

    def __init__(self, *args, scope_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices
        if COUNCIL not in {value for value, _ in scope_choices}:
            # A rate per 100,000 adults is the whole borough's: teams compare with themselves.
            del self.fields["baseline_rate"]

    def clean(self):
        data = super().clean()
        scope, baseline = data.get("scope"), data.get("baseline_rate")
        if scope and scope != COUNCIL and baseline is not None:
            self.add_error(
                "baseline_rate",
                "A baseline rate per 100,000 adults is for the whole council. For a team, "
                "leave it empty: the team is compared with its own earlier period",
            )
        first, last, split_on = data.get("first"), data.get("last"), data.get("split_on")
        if first and last and last < first:
            self.add_error("last", "The end of the period must be on or after its start")
        if first and last and split_on and not first < split_on <= last:
            self.add_error(
                "split_on",
                "The date to compare at must be after the start and no later than the end",
            )
        if last and last > timezone.localdate():
            self.add_error("last", "The end of the period must be today or in the past")
        return data


class GapForm(forms.Form):
    distance = forms.TypedChoiceField(
        label="A service counts as nearby within",
        coerce=int,
        choices=[(metres, f"{metres / 1000:g} km") for metres in DISTANCES_METRES],
        initial=DEFAULT_DISTANCE_METRES,
    )
    level = forms.ChoiceField(
        label="Neighbourhoods",
        choices=[("lsoa", "Small areas (LSOAs)"), ("ward", "Wards")],
        initial="lsoa",
    )


class GapPrioritiesForm(forms.Form):
    round = forms.ChoiceField(
        label="Fund round", error_messages={"required": "Choose the round to add priorities to"}
    )
    gaps = forms.MultipleChoiceField(
        label="Gaps",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one gap"},
    )
    distance = forms.TypedChoiceField(
        coerce=int,
        choices=[(metres, metres) for metres in DISTANCES_METRES],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, rounds, gap_keys: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", "Choose a round")] + [
            (str(round_.public_id), str(round_)) for round_ in rounds
        ]
        self.fields["gaps"].choices = [(key, key) for key in gap_keys]
