"""Forms of the events pages: registering for an event, and the staff forms that edit events.

Field names of the staff forms are the names the editing actions take, so a `ValidationError`
an action raises can be shown beside the field it is about (`form.add_error(None, error)`).
"""

import datetime

from django import forms
from django.utils import timezone

from opendeal.core import form_fields
from opendeal.core.models import User
from opendeal.deal.models import Theme
from opendeal.directory.models import Location
from opendeal.fund.models import Round

from .models import Event, EventKind, Question, Venue

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Email address must be 254 characters or fewer",
}
ANSWER_MAX_LENGTH = 1000
DATE_TIME_FORMAT = "%Y-%m-%d %H:%M"


def _whole_number(label: str, *, min_value: int, required_message: str, **kwargs) -> forms.Field:
    return form_fields.narrow(
        forms.IntegerField(
            label=label,
            min_value=min_value,
            max_value=2_147_483_647,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
            error_messages={
                "required": required_message,
                "invalid": f"Enter the {label.lower()} as a whole number",
                "min_value": f"The {label.lower()} must be {min_value} or more",
            },
            **kwargs,
        ),
        "5",
    )


class LondonDateTimeField(forms.DateTimeField):
    """A date and time typed in one box as YYYY-MM-DD HH:MM, read as UK time (Europe/London,
    the site's time zone) and shown back the same way."""

    def __init__(self, *, label: str, required_message: str, **kwargs) -> None:
        kwargs.setdefault(
            "help_text", "UK time, as year-month-day hour:minute, like 2025-06-14 18:30"
        )
        super().__init__(
            label=label,
            input_formats=[DATE_TIME_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H.%M"],
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            error_messages={
                "required": required_message,
                "invalid": f"Enter the {label.lower()} as year-month-day hour:minute, "
                "like 2025-06-14 18:30",
            },
            **kwargs,
        )
        form_fields.narrow(self, "20")

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime(DATE_TIME_FORMAT)
        return value


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return f"{obj.deal.title}: {obj.title}"


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Round) -> str:
        return f"{obj.fund.name}: {obj.title}"


class LocationChoiceField(forms.ModelChoiceField):
    """A place in the community directory, named with its first address."""

    def label_from_instance(self, obj: Location) -> str:
        venue = Venue.of_location(obj)
        return ", ".join(
            part for part in (venue.name, *venue.address_lines[:1], venue.postcode) if part
        )


def directory_locations():
    return (
        Location.objects.filter(location_type=Location.LocationType.PHYSICAL)
        .prefetch_related("addresses")
        .order_by("name", "id")
    )


class EventForm(forms.Form):
    title = form_fields.text("Title", "Enter the event’s title", max_length=200)
    kind = forms.ChoiceField(
        label="Kind of event",
        choices=EventKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of event"},
    )
    summary = form_fields.long_text(
        "Summary",
        "Enter a summary of the event",
        rows=2,
        max_length=300,
        help_text="One or two sentences for the list of events.",
    )
    description = form_fields.long_text("Description", required=False, rows=8)
    starts_at = LondonDateTimeField(label="Start", required_message="Enter when the event starts")
    ends_at = LondonDateTimeField(label="End", required_message="Enter when the event ends")
    location = LocationChoiceField(
        label="Venue in the community directory",
        required=False,
        queryset=directory_locations(),
        to_field_name="id",
        empty_label="Not in the directory",
        help_text="Choose the place if it is in the directory: the event page then shows its "
        "address and links to its listing. Otherwise enter the venue below.",
    )
    venue_name = form_fields.text(
        "Venue",
        required=False,
        max_length=200,
        help_text="Where people go, like Wigan Life Centre, or a room in the directory’s place "
        "chosen above. Leave empty for an online-only event.",
    )
    venue_address = form_fields.long_text("Venue address", required=False, rows=3)
    venue_postcode = form_fields.narrow(
        form_fields.text("Venue postcode", required=False, max_length=10), "10"
    )
    online_url = forms.URLField(
        label="Online joining link",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Sent only to people with a confirmed place.",
        error_messages={"invalid": "Enter the joining link as a web address, like https://…"},
    )
    capacity = _whole_number(
        "Capacity",
        min_value=1,
        required_message="Enter how many places there are",
        help_text="How many people can come. Nobody is booked beyond this.",
    )
    registration_opens_at = LondonDateTimeField(
        label="Registration opens", required_message="Enter when registration opens"
    )
    registration_closes_at = LondonDateTimeField(
        label="Registration closes", required_message="Enter when registration closes"
    )
    confirmation_hours = _whole_number(
        "Hours to confirm",
        min_value=1,
        initial=48,
        required_message="Enter how many hours people have to confirm by email",
        help_text="Someone who registers with only an email address and does not confirm "
        "within this many hours gives their place to the waiting list.",
    )
    reminder_hours = _whole_number(
        "Reminder hours",
        min_value=0,
        initial=24,
        required_message="Enter how many hours before the start to send reminders",
        help_text="Reminders are emailed this many hours before the event starts.",
    )
    retention_days = _whole_number(
        "Days to keep personal details",
        min_value=0,
        initial=30,
        required_message="Enter how many days to keep attendees’ details",
        help_text="Names, email addresses and answers are deleted this many days after the "
        "event ends. The counts remain.",
    )
    deal_theme = ThemeChoiceField(
        label="Deal theme",
        required=False,
        queryset=Theme.objects.select_related("deal").order_by("deal__title", "position"),
        to_field_name="public_id",
        empty_label="None",
        help_text="Link the event to a theme of the Deal.",
    )
    fund_round = RoundChoiceField(
        label="Funding round",
        required=False,
        queryset=Round.objects.select_related("fund").order_by("fund__name", "-opens_at"),
        to_field_name="public_id",
        empty_label="None",
        help_text="For a pre-application workshop or network meeting of a funding round.",
    )
    is_published = forms.BooleanField(
        label="Publish this event",
        required=False,
        help_text="Published events are listed and open for registration in their window.",
    )


class RegistrationTypeForm(forms.Form):
    name = form_fields.text(
        "Name",
        "Enter the registration type’s name",
        max_length=100,
        help_text="Who is coming, like Resident, Community organisation or Professional.",
    )
    position = form_fields.position()


class QuestionForm(forms.Form):
    text = form_fields.text("Question", "Enter the question", max_length=300)
    hint = form_fields.text(
        "Hint", required=False, max_length=300, help_text="Shown under the question, to help."
    )
    is_required = forms.BooleanField(label="Everyone must answer this question", required=False)
    position = form_fields.position()


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of event", required=False, choices=[("", "All events"), *EventKind.choices]
    )


def question_field_name(question: Question) -> str:
    return f"question-{question.public_id}"


class RegistrationForm(forms.Form):
    """Who is coming, as what, and their answers to the event's questions. Signed in, the
    registration is made with the account's email address, so there is no email field."""

    name = form_fields.text(
        "Full name",
        "Enter your full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will email you a link to confirm your place. We never show it to anyone.",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args, event: Event, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            del self.fields["email"]
            self.fields["name"].initial = self.user.full_name
        types = event.registration_types.all()
        if types:
            self.fields["registration_type"] = forms.ModelChoiceField(
                label="How are you coming?",
                queryset=types,
                to_field_name="public_id",
                widget=forms.RadioSelect,
                empty_label=None,
                error_messages={
                    "required": "Select how you are coming",
                    "invalid_choice": "Select one of the options",
                },
            )
        self.questions = list(event.questions.all())
        for question in self.questions:
            self.fields[question_field_name(question)] = forms.CharField(
                label=question.text,
                required=question.is_required,
                max_length=ANSWER_MAX_LENGTH,
                help_text=question.hint,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "required": f"Answer the question “{question.text}”",
                    "max_length": f"Your answer must be {ANSWER_MAX_LENGTH} characters or fewer",
                },
            )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def question_fields(self) -> list:
        """The questions' bound fields, in the event's order."""
        return [self[question_field_name(question)] for question in self.questions]

    def answers(self) -> dict[str, str]:
        """The non-empty answers, keyed by the question's public id."""
        answers = {}
        for question in self.questions:
            answer = self.cleaned_data.get(question_field_name(question), "").strip()
            if answer:
                answers[str(question.public_id)] = answer
        return answers


class AttendanceForm(forms.Form):
    """One row of the check-in list: did this person come?"""

    registration = forms.UUIDField(widget=forms.HiddenInput)
    attended = forms.TypedChoiceField(
        choices=[("yes", "Attended"), ("no", "Did not attend")],
        coerce=lambda value: value == "yes",
    )
