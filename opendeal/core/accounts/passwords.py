"""Changing and resetting passwords: Django's own views, with GOV.UK forms and templates."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from .forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "core/account/password_change.html"
    success_url = reverse_lazy("core:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Always answers the same way, so nobody can learn whether an address has an account."""

    form_class = PasswordResetForm
    template_name = "core/account/password_reset.html"
    # Named apart from django.contrib.admin's templates, which come first in INSTALLED_APPS.
    subject_template_name = "registration/opendeal_password_reset_subject.txt"
    email_template_name = "registration/opendeal_password_reset_email.txt"
    success_url = reverse_lazy("core:password-reset-done")

    def form_valid(self, form):
        # Links use the configured address, never the request's Host header.
        self.extra_email_context = {
            "base_url": settings.OPENDEAL_BASE_URL.rstrip("/"),
            "council": settings.OPENDEAL_COUNCIL,
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "core/account/password_reset_confirm.html"
    success_url = reverse_lazy("core:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/account/password_reset_complete.html"
