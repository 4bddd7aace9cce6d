"""Forms of the staff pages that edit the Deal and record its progress.

Field names are the names the editing and progress actions take, so a `ValidationError` an
action raises can be shown beside the field it is about (`form.add_error(None, error)`).
"""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet

from opendeal.core import form_fields

from .models import (
    CareSeries,
    Deal,
    Direction,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    Status,
    Theme,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
NOTE_MAX_LENGTH = 1000


class IsoDateField(forms.DateField):
    """A date typed as YYYY-MM-DD: one box, the format shown in the hint."""

    def __init__(self, *, required_message: str = "Enter a date", **kwargs) -> None:
        kwargs.setdefault("help_text", "For example, 2025-03-31")
        super().__init__(
            input_formats=["%Y-%m-%d"],
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            error_messages={
                "required": required_message,
                "invalid": "Enter the date as year-month-day, for example 2025-03-31",
            },
            **kwargs,
        )
        form_fields.narrow(self, "10")


class NumberField(forms.DecimalField):
    """A decimal typed in a text box (GOV.UK advises against type=number)."""

    def __init__(self, *, required_message: str = "Enter a number", **kwargs) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            error_messages={"required": required_message, "invalid": "Enter a number, like 42.5"},
            **kwargs,
        )
        form_fields.narrow(self, "10")


def _weight(what: str) -> NumberField:
    return NumberField(
        label="Weight",
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
        initial=Decimal("1"),
        required_message="Enter a weight, like 1",
        help_text=f"How much this counts in the {what}'s progress. 1 is normal; 0 leaves it out.",
    )


def _short_name(help_text: str) -> forms.Field:
    return form_fields.narrow(
        forms.SlugField(
            label="Short name",
            max_length=50,
            help_text=help_text,
            error_messages={
                "required": "Enter a short name",
                "invalid": "Use only lower-case letters, numbers and hyphens in the short name",
            },
        ),
        "20",
    )


def _reference(max_length: int, example: str, use: str = "") -> forms.Field:
    return form_fields.narrow(
        form_fields.text(
            "Reference",
            "Enter a reference",
            max_length=max_length,
            help_text=f"A short code, unique within the Deal, like {example}.{use}",
        ),
        "10",
    )


class DealForm(forms.Form):
    title = form_fields.text("Title", "Enter the Deal’s title", max_length=200)
    slug = _short_name(
        "Used in web addresses: lower-case letters, numbers and hyphens, like wigan-deal"
    )
    area_code = form_fields.narrow(
        form_fields.text(
            "Area code",
            "Enter the GSS code of the area the Deal covers",
            max_length=9,
            help_text="The ONS GSS code of the area, like E08000010",
        ),
        "10",
    )
    summary = form_fields.long_text("Summary", "Enter a summary of the Deal")
    starts_on = IsoDateField(label="Start date", required_message="Enter the date the Deal starts")
    is_published = forms.BooleanField(
        label="Publish this Deal",
        required=False,
        help_text="Published Deals are shown to the public.",
    )


class ThemeForm(forms.Form):
    title = form_fields.text("Title", "Enter the theme’s title", max_length=200)
    slug = _short_name("Used in web addresses, like health-and-wellbeing")
    summary = form_fields.long_text("Summary", required=False)
    position = form_fields.position()
    weight = _weight("Deal")


class CommitmentForm(forms.Form):
    theme = forms.ModelChoiceField(
        label="Theme",
        queryset=Theme.objects.none(),
        to_field_name="public_id",
        empty_label=None,
        error_messages={"required": "Select a theme"},
    )
    part = forms.ChoiceField(
        label="Whose part is it?",
        choices=Part.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whose part the commitment is"},
    )
    reference = _reference(20, "HW1")
    title = form_fields.text("Commitment", "Enter the commitment", max_length=300)
    description = form_fields.long_text("Description", required=False)
    position = form_fields.position()
    weight = _weight("theme")

    def __init__(self, *args, deal: Deal, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = deal.themes.all()


class MeasureForm(forms.Form):
    reference = _reference(30, "HW1.1", " Progress files name measures by it.")
    title = form_fields.text("What is measured", "Enter what is measured", max_length=300)
    kind = forms.ChoiceField(
        label="Kind of measure",
        choices=MeasureKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of measure"},
    )
    weight = _weight("commitment")
    unit = form_fields.text(
        "Unit", required=False, max_length=50, help_text="For a metric. For example: %, people"
    )
    direction = forms.ChoiceField(
        label="Which way is better?",
        choices=Direction.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed for a metric.",
    )
    baseline_value = NumberField(
        label="Baseline",
        required=False,
        help_text="Needed for a metric: the figure progress is measured from.",
    )
    baseline_on = IsoDateField(label="Baseline date", required=False)
    target_value = NumberField(label="Target", required=False, help_text="Needed for a metric.")
    target_on = IsoDateField(label="Target date", required=False)
    source = form_fields.text(
        "Source", required=False, max_length=300, help_text="Where the figures come from."
    )
    care_series = forms.ChoiceField(
        label="Figures from the care records",
        choices=[("", "None: figures are recorded by hand or imported"), *CareSeries.choices],
        widget=forms.RadioSelect,
        required=False,
        help_text=(
            "For a metric. Each complete quarter's borough-wide figure from adult social care "
            "is recorded every day by the housekeeping, dated the quarter's last day. Quarters "
            "with fewer than 5 people are left out. Leave the baseline empty to start from the "
            "first quarter."
        ),
    )
    observatory_indicator = forms.ModelChoiceField(
        label="Figures from the observatory",
        queryset=None,  # set in __init__: the observatory's indicators
        to_field_name="slug",
        required=False,
        empty_label="None: figures are recorded by hand, imported or from the care records",
        help_text=(
            "For a metric. The Deal's area's figures from the indicator's latest release are "
            "put on the timeline every day by the housekeeping; the first becomes the baseline "
            "when there is none."
        ),
    )
    observatory_sex = forms.ChoiceField(
        label="Whose figures, from the observatory",
        choices=[("", "Persons"), ("Male", "Male"), ("Female", "Female")],
        required=False,
    )
    position = form_fields.position()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from opendeal.observatory.models import Indicator

        self.fields["observatory_indicator"].queryset = Indicator.objects.order_by("name")


class MilestoneForm(forms.Form):
    title = form_fields.text("Milestone", "Enter the milestone", max_length=300)
    due_on = IsoDateField(label="Due date", required=False)
    position = form_fields.position()


class _MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Measure) -> str:
        return f"{obj.reference}: {obj.title}"


class _MilestoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Milestone) -> str:
        return f"{obj.measure.reference}: {obj.title}"


class RecordReadingForm(forms.Form):
    measure = _MeasureChoiceField(
        label="Measure",
        queryset=Measure.objects.none(),
        to_field_name="public_id",
        empty_label=None,
        error_messages={"required": "Select the measure"},
    )
    observed_on = IsoDateField(
        label="Date of the figure", required_message="Enter the date of the figure"
    )
    value = NumberField(label="Figure", required_message="Enter the figure")
    note = form_fields.long_text(
        "Note",
        required=False,
        rows=3,
        max_length=NOTE_MAX_LENGTH,
        help_text="Shown on the public timeline after the figure.",
    )

    def __init__(self, *args, measures: QuerySet[Measure], **kwargs) -> None:
        super().__init__(*args, prefix="reading", **kwargs)
        self.fields["measure"].queryset = measures


class CompleteMilestoneForm(forms.Form):
    milestone = _MilestoneChoiceField(
        label="Milestone",
        queryset=Milestone.objects.none(),
        to_field_name="public_id",
        empty_label=None,
        error_messages={"required": "Select the milestone reached"},
    )
    completed_on = IsoDateField(
        label="Date reached", required_message="Enter the date it was reached"
    )
    note = form_fields.long_text("Note", required=False, rows=3, max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args, milestones: QuerySet[Milestone], **kwargs) -> None:
        super().__init__(*args, prefix="milestone", **kwargs)
        self.fields["milestone"].queryset = milestones


class ChangeStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new status"},
    )
    reason = form_fields.long_text(
        "Why has it changed?", "Say why the status changed", rows=3, max_length=NOTE_MAX_LENGTH
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="status", **kwargs)


class PostUpdateForm(forms.Form):
    occurred_on = IsoDateField(label="Date of the update", required_message="Enter the date")
    text = form_fields.long_text(
        "Update", "Enter the update", max_length=4000, help_text="Shown on the public timeline."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="update", **kwargs)


class ImportProgressForm(forms.Form):
    deal = forms.ModelChoiceField(
        label="Deal",
        queryset=Deal.objects.all(),
        to_field_name="public_id",
        empty_label=None,
        error_messages={"required": "Select the Deal"},
    )
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Columns: measure, date, value, milestone, note. Saved as UTF-8.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5MB")
        return upload
