"""Forms of the care pages. Field names are the names the actions in `services` take, so a
`ValidationError` an action raises is shown beside its field. The conversation form asks about
strengths, the people around the person and what matters to them before it asks about needs."""

import datetime

from django import forms

from opendeal.core import form_fields
from opendeal.directory.models import TaxonomyTerm

from .models import (
    ArticleNineCondition,
    ArticleSixBasis,
    ConnectionStatus,
    ConversationKind,
    Outcome,
    PackageKind,
    PackageSetting,
    RelationshipKind,
    Team,
)
from .models.conversations import ConversationMethod
from .scoring import ONS4_QUESTIONS, SWEMWBS_ANSWERS, SWEMWBS_ITEMS


class DayField(forms.DateField):
    """A date typed in one box, as day/month/year or year-month-day."""

    def __init__(self, label: str, required_message: str = "", **kwargs) -> None:
        kwargs.setdefault("help_text", "For example, 27/3/2026")
        super().__init__(
            label=label,
            input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y"],
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            error_messages={
                "required": required_message or f"Enter the {label.lower()}",
                "invalid": f"Enter the {label.lower()} as day/month/year, like 27/3/2026",
            },
            **kwargs,
        )
        form_fields.narrow(self, "10")

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value.day}/{value.month}/{value.year}"
        return value


def _radios(label: str, choices, required_message: str, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
        **kwargs,
    )


def _terms(label: str, help_text: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=TaxonomyTerm.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class PersonForm(forms.Form):
    given_name = form_fields.text("First name", required=False, max_length=100)
    family_name = form_fields.text("Last name", required=False, max_length=100)
    preferred_name = form_fields.text("What they like to be called", required=False, max_length=100)
    date_of_birth = DayField("Date of birth", required=False)
    address = form_fields.long_text("Address", required=False, rows=3)
    postcode = form_fields.narrow(
        form_fields.text(
            "Postcode",
            required=False,
            # Long enough for any way of typing a postcode; the action says when it is not one.
            max_length=20,
            help_text="Places them in their neighbourhood (LSOA and ward).",
        ),
        "10",
    )
    phone = form_fields.narrow(
        form_fields.text("Phone number", required=False, max_length=30), "20"
    )
    email = form_fields.text("Email address", required=False, max_length=254)
    nhs_number = form_fields.narrow(
        form_fields.text(
            "NHS number",
            required=False,
            max_length=14,
            help_text="Optional. 10 digits, like 943 476 5919",
        ),
        "10",
    )
    what_matters = form_fields.long_text(
        "What matters to them", required=False, help_text="In their own words."
    )
    strengths = form_fields.long_text(
        "Their strengths",
        required=False,
        help_text="What are they good at? What gets them through?",
    )
    gifts = form_fields.long_text(
        "Their gifts", required=False, help_text="What do they give to others, or could they?"
    )
    interests = form_fields.long_text(
        "Their interests", required=False, help_text="What do they enjoy, or used to enjoy?"
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis (UK GDPR Article 6)", choices=ArticleSixBasis.choices
    )
    special_category_condition = forms.ChoiceField(
        label="Condition for health and care data (UK GDPR Article 9)",
        choices=ArticleNineCondition.choices,
    )
    consent_recorded_on = DayField(
        "Date they agreed to this record", required=False, help_text="Leave empty if not yet"
    )
    consents_to_sharing = forms.BooleanField(
        label="They agree to details being shared with services they are connected to",
        required=False,
    )
    consent_notes = form_fields.long_text("Notes about consent", required=False, rows=3)


class NewPersonForm(PersonForm):
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the team the person is allocated to"},
    )

    field_order = ["team"]

    def __init__(self, *args, teams=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


class RelationshipForm(forms.Form):
    name = form_fields.text("Their name", "Enter their name", max_length=200)
    kind = _radios("Who they are", RelationshipKind.choices, "Choose who they are")
    relationship = form_fields.text(
        "Relationship, in words",
        required=False,
        max_length=200,
        help_text="For example, daughter, neighbour at number 12, friend from the allotment",
    )
    phone = form_fields.narrow(
        form_fields.text("Phone number", required=False, max_length=30), "20"
    )
    email = form_fields.text("Email address", required=False, max_length=254)
    notes = form_fields.long_text("Notes", required=False, rows=3)
    is_main_contact = forms.BooleanField(label="They are the main contact", required=False)


class ConversationForm(forms.Form):
    """Strengths, people and what matters first; then what the person wants help with."""

    kind = _radios(
        "Which conversation is this?",
        ConversationKind.choices,
        "Choose which conversation this is",
    )
    held_on = DayField("Date of the conversation")
    method = _radios("How you talked", ConversationMethod.choices, "Choose how you talked")
    strengths_heard = form_fields.long_text(
        "What are they good at, and what is going well?",
        required=False,
        help_text="Start here: strengths, skills, what gets them through.",
    )
    people_heard = form_fields.long_text(
        "Who is around them?",
        required=False,
        help_text="Family, friends, neighbours, groups: who could help, and whom do they help?",
    )
    what_matters_heard = form_fields.long_text(
        "What matters to them?", required=False, help_text="In their own words."
    )
    interests = _terms(
        "What are they interested in?",
        "Interests heard, so we can connect them with others who share them.",
    )
    needs_heard = form_fields.long_text(
        "What would they like help with?",
        required=False,
        help_text="Only now: what they want to change, in their words.",
    )
    needs = _terms("Needs heard", "Tag the needs so the council can see what people ask for.")
    outcome = _radios(
        "How did the conversation end?", Outcome.choices, "Choose how the conversation ended"
    )
    follow_up_on = DayField("Follow up on", required=False, help_text="Leave empty for none")
    notes = form_fields.long_text("Other notes", required=False, rows=4)


class ActionForm(forms.Form):
    description = form_fields.long_text("What was agreed", "Enter what was agreed", rows=3)
    owner = form_fields.text(
        "Who will do it",
        "Enter who will do it",
        max_length=200,
        help_text="For example, Margaret, her daughter Karen, or your name",
    )
    due_on = DayField("By when")


class ConnectionStatusForm(forms.Form):
    status = _radios("Status", ConnectionStatus.choices, "Choose the status")
    on = DayField("Date of the change")


class PackageForm(forms.Form):
    kind = _radios("Kind of support", PackageKind.choices, "Choose the kind of support")
    setting = _radios("Setting", PackageSetting.choices, "Choose the setting")
    weekly_cost = form_fields.narrow(
        forms.DecimalField(
            label="Weekly cost, £",
            max_digits=10,
            decimal_places=2,
            min_value=0,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            error_messages={
                "required": "Enter the weekly cost",
                "invalid": "Enter the weekly cost in pounds, like 245.50",
                "max_decimal_places": "Enter the weekly cost in pounds and pence, like 245.50",
                "min_value": "The weekly cost cannot be less than nothing",
            },
        ),
        "10",
    )
    starts_on = DayField("Start date")
    ends_on = DayField("End date", required=False, help_text="Leave empty while it goes on")
    provider = form_fields.text("Provider", required=False, max_length=200)
    description = form_fields.long_text("Description", required=False, rows=3)


def _swemwbs_item(statement: str) -> forms.TypedChoiceField:
    # Not required here: the scoring refuses an incomplete response with its own words.
    return forms.TypedChoiceField(
        label=statement,
        choices=SWEMWBS_ANSWERS,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class SwemwbsForm(forms.Form):
    recorded_on = DayField("Date they answered")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, statement in SWEMWBS_ITEMS:
            self.fields[name] = _swemwbs_item(statement)


class Ons4Form(forms.Form):
    recorded_on = DayField("Date they answered")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, question in ONS4_QUESTIONS:
            self.fields[name] = form_fields.narrow(
                forms.IntegerField(
                    label=question,
                    min_value=0,
                    max_value=10,
                    help_text="0 is “not at all”, 10 is “completely”",
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                    error_messages={
                        "required": "Answer from 0 to 10",
                        "invalid": "Answer with a whole number from 0 to 10",
                        "min_value": "Answer from 0 to 10",
                        "max_value": "Answer from 0 to 10",
                    },
                ),
                "2",
            )


class ShareForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="A practitioner or team manager outside the person's team",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class CloseForm(forms.Form):
    closed_on = DayField("Date the record was closed")


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that this cannot be undone",
        error_messages={"required": "Confirm that you understand this cannot be undone"},
    )


DISTANCES = [
    ("", "Anywhere"),
    ("1000", "Within 1 km"),
    ("2000", "Within 2 km"),
    ("5000", "Within 5 km"),
    ("10000", "Within 10 km"),
]


class ServiceSearchForm(forms.Form):
    text = form_fields.text("Words to search for", required=False, max_length=200)
    term = forms.ModelChoiceField(
        label="Category",
        queryset=TaxonomyTerm.objects.order_by("name"),
        required=False,
        empty_label="Any category",
    )
    within = forms.ChoiceField(label="Distance from their home", choices=DISTANCES, required=False)


class _AccountChoice(forms.ModelMultipleChoiceField):
    """Accounts ticked by name and sent as public ids; the form sets the choices."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=None, required=False, to_field_name="public_id", **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class TeamForm(forms.Form):
    """A care team's name, practitioners and managers; the choices come from `care.teams`."""

    name = form_fields.text("Name of the team", "Enter the team’s name", max_length=200)
    members = _AccountChoice(
        label="Practitioners in the team",
        error_messages={"invalid_choice": "Choose practitioners from the list"},
        help_text="They see and keep the records of the people allocated to the team.",
    )
    managers = _AccountChoice(
        label="Managers of the team",
        error_messages={"invalid_choice": "Choose managers from the list"},
        help_text="They see the team’s people and their audit trails, and share, close and "
        "erase records.",
    )

    def __init__(self, *args, members, managers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["managers"].queryset = managers
