"""Signing in (password, then an authenticator code for staff), signing out, registering and
the account page."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from opendeal.core.models import User

from . import services, two_factor
from .access import default_landing_url, safe_next_url, two_factor_url
from .forms import CodeForm, RegisterForm, SignInForm

# Backup codes wait here between being made and being shown, once.
_NEW_BACKUP_CODES_SESSION_KEY = "opendeal_new_backup_codes"


def _next_step_after_password(user: User, next_url: str) -> str:
    if not user.needs_two_factor:
        return next_url or default_landing_url()
    if two_factor.has_authenticator(user):
        return two_factor_url("core:two-factor", next_url)
    return two_factor_url("core:two-factor-setup", next_url)


@never_cache
@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # A new password sign-in always asks again for the second factor.
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        login(request, form.user)
        return redirect(_next_step_after_password(form.user, next_url))
    context = {"form": form, "timed_out": request.GET.get("timed_out") == "1"}
    return render(request, "core/account/sign_in.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("core:home")


def _signed_in_staff_step(request: HttpRequest) -> HttpResponse | None:
    """Where to send someone who should not be on a two-factor page, or None to stay."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user.needs_two_factor or user.is_verified():
        return redirect(safe_next_url(request) or default_landing_url())
    return None


@never_cache
@sensitive_post_parameters("code")
def two_factor_code(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _signed_in_staff_step(request)) is not None:
        return elsewhere
    next_url = safe_next_url(request)
    if not two_factor.has_authenticator(request.user):
        return redirect(two_factor_url("core:two-factor-setup", next_url))
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        label="Enter the code from your authenticator app",
        help_text="The 6-digit code your app shows now, or one of your backup codes.",
    )
    if request.method == "POST" and form.is_valid():
        check = two_factor.check_code(request.user, form.cleaned_data["code"])
        if check.is_accepted:
            otp_login(request, check.device)
            return redirect(next_url or default_landing_url())
        form.add_error("code", check.reason)
    return render(request, "core/account/two_factor.html", {"form": form})


@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _signed_in_staff_step(request)) is not None:
        return elsewhere
    next_url = safe_next_url(request)
    # A password alone must never add a device beside one already confirmed.
    if two_factor.has_authenticator(request.user):
        return redirect(two_factor_url("core:two-factor", next_url))
    device = two_factor.pending_authenticator(request.user)
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        label="Code from your app",
        numeric=True,
        help_text="The 6-digit code your app shows now.",
    )
    if request.method == "POST" and form.is_valid():
        check = two_factor.confirm_authenticator(request.user, device, form.cleaned_data["code"])
        if check.is_accepted:
            otp_login(request, check.device)
            request.session[_NEW_BACKUP_CODES_SESSION_KEY] = two_factor.create_backup_codes(
                request.user
            )
            return redirect(two_factor_url("core:two-factor-backup-codes", next_url))
        form.add_error("code", check.reason)
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.grouped_secret(device),
    }
    return render(request, "core/account/two_factor_setup.html", context)


@never_cache
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """GET shows newly made backup codes, once; POST replaces them with a new set."""
    if not request.user.needs_two_factor:
        return redirect("core:account")
    if request.method == "POST":
        request.session[_NEW_BACKUP_CODES_SESSION_KEY] = two_factor.create_backup_codes(
            request.user
        )
        return redirect("core:two-factor-backup-codes")
    codes = request.session.pop(_NEW_BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("core:account")
    context = {"codes": codes, "continue_url": safe_next_url(request) or default_landing_url()}
    return render(request, "core/account/backup_codes.html", context)


@never_cache
@sensitive_post_parameters("password1", "password2")
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:account")
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.register_resident(
            form.cleaned_data["full_name"],
            form.cleaned_data["email"],
            form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account has been created")
        return redirect(safe_next_url(request) or default_landing_url())
    return render(request, "core/account/register.html", {"form": form})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "roles": sorted(role.label for role in services.roles_of(user)),
        "two_factor_summary": two_factor.two_factor_summary(user),
        "can_manage_people": user.has_perm(services.MANAGE_ROLES_PERMISSION),
    }
    return render(request, "core/account/account.html", context)
