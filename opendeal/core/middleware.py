"""Staff roles must finish two-factor sign-in before using the service, and time out when idle."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in member of staff can reach before giving their second factor.
_OPEN_PATH_PREFIXES = ("/account/", "/static/", "/healthz", "/accessibility", "/cookies", "/brand.css")


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
                return redirect(reverse("core:two-factor"))
        return self.get_response(request)
