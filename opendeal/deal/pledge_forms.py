"""Forms residents fill in to make, and manage, their pledges."""

import uuid

from django import forms
from localflavor.gb.forms import GBPostcodeField

from opendeal.core.models import User

from .models import Deal
from .pledges import INVALID_POSTCODE, normalise_email, pledgeable_commitments

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Email address must be 254 characters or fewer",
}


class PledgeChoiceField(forms.ModelMultipleChoiceField):
    """Pledges chosen by public id; anything that is not one of the listed ids gets the same
    plain message (rather than Django's "is not a valid UUID")."""

    def _check_values(self, value):
        for item in value:
            try:
                uuid.UUID(str(item))
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                ) from None
        return super()._check_values(value)


class PledgeForm(forms.Form):
    """Which pledges, and (without an account) the email address to confirm them by."""

    commitments = PledgeChoiceField(
        label="Which pledges do you want to make?",
        help_text="Select all that you will do.",
        queryset=pledgeable_commitments(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one pledge",
            "invalid_choice": "Select pledges from the list",
            "invalid_pk_value": "Select pledges from the list",
        },
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will email you a link to confirm your pledges. We never show it to anyone.",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    postcode = GBPostcodeField(
        label="Postcode",
        help_text=(
            "We only keep the first part, for example WN1, to count pledges by area. "
            "We never keep your full postcode."
        ),
        required=False,
        error_messages={"invalid": INVALID_POSTCODE},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args, deal: Deal | None, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        self.fields["commitments"].queryset = (
            pledgeable_commitments(deal) if deal else pledgeable_commitments().none()
        )
        if self.user is not None:
            # Signed in: the pledges are made with the account's address.
            del self.fields["email"]

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class ManageLinkForm(forms.Form):
    """Ask for the "manage your pledges" link to be emailed again."""

    email = forms.EmailField(
        label="Email address",
        help_text="Use the address you made your pledges with.",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])
