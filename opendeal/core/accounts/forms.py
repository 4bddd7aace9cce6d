"""Account forms, with GOV.UK wording for every error."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from opendeal.core.models import User
from opendeal.core.roles import Role

EMAIL_FORMAT_ERROR = "Enter an email address in the correct format, like name@example.com"
WRONG_CREDENTIALS = "Enter a correct email address and password"


def password_hint() -> str:
    minimum = next(
        (
            validator.min_length
            for validator in get_default_password_validators()
            if isinstance(validator, MinimumLengthValidator)
        ),
        8,
    )
    return (
        f"Use at least {minimum} characters. Do not use a common password, only numbers, "
        "or something like your name or email address."
    )


def _email_field(**attrs: str) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter your email address", "invalid": EMAIL_FORMAT_ERROR},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", **attrs}),
    )


def _password_field(label: str, autocomplete: str, required_message: str, **kwargs):
    return forms.CharField(
        label=label,
        strip=False,
        error_messages={"required": required_message},
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        **kwargs,
    )


class SignInForm(forms.Form):
    # Named "username" because django-axes counts failures by that field.
    username = _email_field(autocomplete="username")
    password = _password_field("Password", "current-password", "Enter your password")

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The request goes to authenticate so django-axes can count and lock out failures.
        self.user = authenticate(
            self.request, username=cleaned["username"], password=cleaned["password"]
        )
        if self.user is None:
            raise ValidationError(WRONG_CREDENTIALS)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(
        self, *args, label: str = "Code", help_text: str = "", numeric: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].help_text = help_text
        if numeric:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class RegisterForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = _email_field()
    password1 = _password_field("Create a password", "new-password", "Create a password")
    password2 = _password_field("Confirm your password", "new-password", "Confirm your password")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_hint()

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                "An account already exists for this email address. Sign in, or reset your password"
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password, confirmation = cleaned.get("password1"), cleaned.get("password2")
        if password and confirmation and password != confirmation:
            self.add_error("password2", "Enter the same password in both fields")
        if password and "password1" not in self.errors:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class _GovukNewPasswordMixin:
    """New-password fields with GOV.UK labels and a plain-text hint instead of Django's list."""

    def _relabel_new_passwords(self) -> None:
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = password_hint()
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
        self.error_messages = {
            **self.error_messages,
            "password_mismatch": "Enter the same password in both fields",
        }


class SetPasswordForm(_GovukNewPasswordMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._relabel_new_passwords()


class PasswordChangeForm(_GovukNewPasswordMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._relabel_new_passwords()
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "Your current password is not correct",
        }


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = _email_field()


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label="Search by email address", required=False, max_length=254)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Staff roles must sign in with an authenticator app.",
    )

    def selected_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}
