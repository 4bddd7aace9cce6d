"""Applicants' forms: the organisation profile and each section of the application. Field
names are the names the `applications` actions take, so their errors show beside the field."""

from django import forms

from opendeal.core import form_fields

from . import recorded_gaps
from .models import Application, DocumentKind, OrganisationKind, Priority, Tier
from .round_forms import money_field, whole_number

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message},
    )


def _postcode(label: str, required: bool = True) -> forms.CharField:
    return form_fields.narrow(
        form_fields.text(
            label,
            "Enter a postcode, like WN1 1AA",
            required=required,
            max_length=10,
            widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        ),
        "10",
    )


class OrganisationForm(forms.Form):
    name = form_fields.text(
        "Name of the organisation", "Enter the name of the organisation", max_length=200
    )
    kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of organisation it is"},
    )
    charity_number = form_fields.narrow(
        form_fields.text(
            "Charity number",
            required=False,
            max_length=20,
            help_text="For registered charities and CIOs, like 1123456 (or SC012345 in Scotland).",
        ),
        "10",
    )
    company_number = form_fields.narrow(
        form_fields.text(
            "Company number",
            required=False,
            max_length=10,
            help_text="8 characters, like 01234567 or SC123456.",
        ),
        "10",
    )
    description = form_fields.long_text("What the organisation does", required=False, rows=3)
    address_line_1 = form_fields.text(
        "Address line 1",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line_2 = form_fields.text(
        "Address line 2",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = form_fields.narrow(
        form_fields.text(
            "Town or city",
            required=False,
            max_length=100,
            widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        ),
        "20",
    )
    postcode = _postcode("Postcode", required=False)
    website = forms.URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": "Enter the website as a web address, like https://…"},
    )


class MemberForm(forms.Form):
    email = forms.EmailField(
        label="Email address of their account",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class StartForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Which organisation is applying?",
        queryset=None,
        widget=forms.RadioSelect,
        to_field_name="public_id",
        empty_label=None,
        error_messages={"required": "Select the organisation that is applying"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class EligibilityForm(forms.Form):
    """A yes/no question for each of the round's eligibility questions."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"question_{question.pk}"] = _yes_no(
                question.text, "Select yes or no", question.hint
            )

    def answers(self) -> dict[int, bool]:
        return {
            int(name.removeprefix("question_")): value for name, value in self.cleaned_data.items()
        }


class CheckboxesWithHints(forms.CheckboxSelectMultiple):
    """Checkboxes where an option may carry a GOV.UK item hint: `hints` maps an option's value
    (as text) to its hint, shown under its label."""

    def __init__(self, *args, hints: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = hints or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["hint"] = self.hints.get(str(value), "")
        return option


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Tier) -> str:
        years = "1 year" if obj.maximum_years == 1 else f"up to {obj.maximum_years} years"
        low = f"£{obj.minimum_amount:,.2f} to " if obj.minimum_amount else "up to "
        return f"{obj.name}: {low}£{obj.maximum_amount:,.2f}, {years}"


class ProjectForm(forms.Form):
    project_title = form_fields.text(
        "Name of your project", "Enter the name of your project", max_length=200
    )
    summary = form_fields.long_text(
        "Summary", "Enter a summary of your project", help_text="What you will do, and for whom."
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Which of the round’s priorities does your project meet?",
        queryset=Priority.objects.none(),
        widget=CheckboxesWithHints,
        to_field_name="public_id",
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one priority your project meets"},
    )
    tier = TierChoiceField(
        label="Size of grant",
        queryset=Tier.objects.none(),
        widget=forms.RadioSelect,
        to_field_name="public_id",
        empty_label=None,
        error_messages={"required": "Select the size of grant you are applying for"},
    )
    amount_requested = money_field(
        "Amount you are asking for, in pounds",
        "Enter how much you are asking for",
        help_text="In pounds and pence, like 1500 or 1500.50.",
    )
    years = whole_number("How many years will the project run?", "Enter the number of years")
    postcode = _postcode("Postcode of where the project happens")

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        priorities = round_.priorities.select_related("gap_taxonomy_term")
        self.fields["priorities"].queryset = priorities
        self.fields["tier"].queryset = round_.tiers.all()
        # Which priorities answer a recorded gap, in words, so applicants can say which they
        # answer (issue 9).
        hints = {}
        for priority in priorities:
            gap = recorded_gaps.of_priority(priority)
            if gap is not None:
                hints[str(priority.public_id)] = f"Answers a recorded gap: {gap}"
        self.fields["priorities"].widget.hints = hints
        if hints:
            weighted = (
                " Answering one counts towards the panel’s score."
                if round_.recorded_gap_weight
                else ""
            )
            self.fields["priorities"].help_text = (
                "Select all that apply. A priority that answers a recorded gap is something "
                "people in that neighbourhood asked for and no service nearby offers." + weighted
            )


def initial_project(application: Application) -> dict:
    amount = application.amount_requested
    return {
        "project_title": application.project_title,
        "summary": application.summary,
        "priorities": [p.public_id for p in application.priorities.all()],
        "tier": application.tier.public_id if application.tier_id else None,
        "amount_requested": f"{amount:f}" if amount is not None else None,
        "years": application.years,
        "postcode": application.postcode,
    }


class AnswerField(forms.CharField):
    """An answer to one of the round's questions. A required one is labelled as such but may
    be left empty for now: required answers are checked when the application is submitted,
    so a half-written form can be saved and finished later."""

    def validate(self, value) -> None:
        if value in self.empty_values:
            return
        super().validate(value)


class QuestionsForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            hint = question.hint
            if question.max_words:
                limit = f"Up to {question.max_words} words."
                hint = f"{hint} {limit}" if hint else limit
            self.fields[f"question_{question.pk}"] = AnswerField(
                label=question.text,
                required=question.required,
                help_text=hint,
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    def answers(self) -> dict[int, str]:
        return {
            int(name.removeprefix("question_")): value for name, value in self.cleaned_data.items()
        }


class BudgetLineForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Year of the project",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the year"},
    )
    description = form_fields.text(
        "What it pays for", "Enter what the money pays for", max_length=200
    )
    amount = money_field("Amount, in pounds", "Enter the amount")

    def __init__(self, *args, years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"Year {year}") for year in range(1, years + 1)]


class MatchFundingForm(forms.Form):
    source = form_fields.text(
        "Where does it come from?",
        "Enter where the money or support comes from",
        max_length=200,
        help_text="Another funder, your own reserves, or donated goods or time valued in pounds.",
    )
    amount = money_field("Amount, in pounds", "Enter the amount")
    secured = _yes_no("Is it secured?", "Select yes if the money is promised to you")


class PartnerForm(forms.Form):
    name = form_fields.text(
        "Name of the partner organisation", "Enter the partner’s name", max_length=200
    )
    kind = OrganisationForm.base_fields["kind"]
    charity_number = OrganisationForm.base_fields["charity_number"]
    company_number = OrganisationForm.base_fields["company_number"]
    role_in_project = form_fields.long_text(
        "What will they do in the project?", "Say what the partner does in the project", rows=3
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is the document?",
        choices=DocumentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of document it is"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG or JPEG.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.odt,.png,.jpg,.jpeg"}),
    )


class ReplyForm(forms.Form):
    """The applicant's reply to a request for more information. Empty is allowed when saving
    to come back later; sending needs a reply (`applications.send_reply` says so)."""

    reply = form_fields.long_text(
        "Your reply",
        required=False,
        rows=10,
        help_text="Answer what we asked. You can add supporting documents as well.",
    )
