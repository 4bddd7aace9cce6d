"""Staff roles must finish two-factor sign-in before using the service, and time out when idle."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .accounts.access import two_factor_url

# What a signed-in member of staff can reach before giving their second factor: finishing (or
# abandoning) sign-in, and pages that need no account.
_OPEN_PATH_PREFIXES = (
    "/account/sign-in/",
    "/account/sign-out/",
    "/account/two-factor/",
    "/account/password/reset/",
    "/static/",
    "/healthz",
    "/accessibility",
    "/cookies",
    "/privacy",
    "/brand.css",
)


class StaffTwoFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.needs_two_factor:
            now = int(time.time())
            last_seen = request.session.get("staff_last_seen", now)
            if now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
                logout(request)
                return redirect(f"{reverse('core:sign-in')}?timed_out=1")
            request.session["staff_last_seen"] = now
            if not user.is_verified() and not request.path.startswith(_OPEN_PATH_PREFIXES):
                return redirect(two_factor_url("core:two-factor", request.get_full_path()))
        return self.get_response(request)
