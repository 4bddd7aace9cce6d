"""Forms of the public directory pages: searching, and reporting a problem with a listing."""

import datetime
import re

from django import forms

from opendeal.core import form_fields

from .models import ListingProblemReport, TaxonomyTerm
from .problem_reports import DETAILS_MAX_LENGTH

METRES_PER_MILE = 1609.344
# (miles, label): the choices of distance from a postcode.
RADIUS_MILES = [(1, "1 mile"), (2, "2 miles"), (5, "5 miles"), (10, "10 miles"), (20, "20 miles")]
DEFAULT_RADIUS_MILES = 5
DAYS = [
    ("", "Any day"),
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]
# 14:30, 14.30, 2:30pm, 2pm, 9 am
TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
TIME_ERROR = "Enter a time like 9:30am or 14:30"


class TimeOfDayField(forms.Field):
    """A time as people type it: 9:30am, 2pm, 14:30 or 14.30."""

    widget = forms.TextInput

    def to_python(self, value) -> datetime.time | None:
        text = str(value or "").strip().lower().replace(" ", "")
        if not text:
            return None
        if text in {"midday", "noon"}:
            return datetime.time(12, 0)
        match = TIME_PATTERN.match(text)
        if match is None:
            raise forms.ValidationError(TIME_ERROR)
        hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if suffix:
            if not 1 <= hour <= 12:
                raise forms.ValidationError(TIME_ERROR)
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if hour > 23 or minute > 59:
            raise forms.ValidationError(TIME_ERROR)
        return datetime.time(hour, minute)


def category_choices() -> list[tuple[str, str]]:
    """Terms attached to at least one service, by name: the categories worth offering."""
    terms = (
        TaxonomyTerm.objects.filter(attributes__link_type="service")
        .exclude(taxonomy__icontains="language")
        .distinct()
        .order_by("name")
        .values_list("id", "name")
    )
    return [("", "All categories"), *((str(term_id), name) for term_id, name in terms)]


class SearchForm(forms.Form):
    q = form_fields.text(
        "Keywords",
        required=False,
        max_length=200,
        help_text="For example, walking group, food bank or carers",
        widget=forms.TextInput(attrs={"spellcheck": "true", "enterkeyhint": "search"}),
    )
    category = forms.ChoiceField(label="Category", required=False)
    postcode = form_fields.narrow(
        form_fields.text(
            "Postcode",
            required=False,
            max_length=10,
            help_text="To see the nearest first",
            widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
        ),
        "10",
    )
    radius = forms.TypedChoiceField(
        label="Distance from the postcode",
        required=False,
        choices=[(str(miles), label) for miles, label in RADIUS_MILES],
        coerce=int,
        empty_value=DEFAULT_RADIUS_MILES,
        initial=str(DEFAULT_RADIUS_MILES),
    )
    open_now = forms.BooleanField(label="Open now", required=False)
    day = forms.ChoiceField(label="Open on", required=False, choices=DAYS)
    time = form_fields.narrow(
        TimeOfDayField(
            label="At",
            required=False,
            help_text="For example, 9:30am or 14:30",
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        ),
        "5",
    )
    free_only = forms.BooleanField(label="Free services only", required=False)
    age = form_fields.narrow(
        forms.IntegerField(
            label="Age of the person the service is for",
            required=False,
            min_value=0,
            max_value=120,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
            error_messages={
                "invalid": "Enter the age as a whole number, like 16",
                "min_value": "Enter an age of 0 or more",
                "max_value": "Enter an age of 120 or less",
            },
        ),
        "3",
    )
    accessibility = form_fields.text(
        "Accessibility",
        required=False,
        max_length=100,
        help_text="Words to look for in a place’s access details, like wheelchair or hearing loop",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("open_now") and data.get("day"):
            self.add_error("day", "Choose either open now or a day, not both")
        if data.get("time") and not data.get("day"):
            self.add_error("day", "Select a day as well as a time")
        return data

    @property
    def radius_metres(self) -> int:
        miles = self.cleaned_data.get("radius") or DEFAULT_RADIUS_MILES
        return round(miles * METRES_PER_MILE)


class ProblemReportForm(forms.Form):
    problem = forms.ChoiceField(
        label="What is wrong with this listing?",
        choices=ListingProblemReport.Problem.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what is wrong with the listing"},
    )
    details = form_fields.long_text(
        "Tell us more",
        required=False,
        rows=5,
        max_length=DETAILS_MAX_LENGTH,
        help_text="What should it say instead? Do not include personal information about "
        "yourself or anyone else.",
    )
    email = forms.EmailField(
        label="Your email address",
        required=False,
        max_length=254,
        help_text="If you would like to hear what we did. We delete it once we have told you.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class CloseReportForm(forms.Form):
    note = form_fields.long_text(
        "What was done",
        "Enter a note saying what was done",
        rows=4,
        max_length=2000,
        help_text="If the reporter left an email address, we send them this note.",
    )
