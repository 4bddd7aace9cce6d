"""Staff roles must finish two-factor sign-in before using the service, and time out when idle."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse

from .accounts.access import two_factor_url
from .problems import problem

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
            # An API client cannot follow a redirect to a sign-in page: it is told why, in the
            # problem document the APIs answer every refusal with.
            api = _is_json_api(request.path)
            if now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
                logout(request)
                if api:
                    return problem(401, "Signed out", "The session was idle too long: sign in.")
                return redirect(f"{reverse('core:sign-in')}?timed_out=1")
            request.session["staff_last_seen"] = now
            if not user.is_verified() and not request.path.startswith(_OPEN_PATH_PREFIXES):
                if api:
                    return problem(
                        401, "Two-factor sign-in needed", "Finish two-factor sign-in first."
                    )
                return redirect(two_factor_url("core:two-factor", request.get_full_path()))
        return self.get_response(request)


class RejectNulCharactersMiddleware:
    """A NUL character in a query string or form is never meant, and PostgreSQL refuses to
    store or compare text holding one (a database error, so a 500). Refuse such a request at
    the door with a 400, the same on every database."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _holds_nul(request.GET) or _holds_nul_form(request):
            if _is_json_api(request.path):
                # The APIs' clients read errors as RFC 7807 problem documents, as the APIs
                # answer every other bad request.
                response = problem(400, "Bad request", _NUL_MESSAGE)
                if _is_json_api(request.path, ("/oruk/",)):
                    response["Access-Control-Allow-Origin"] = "*"  # as /oruk/ answers anything
                return response
            return HttpResponseBadRequest(_NUL_MESSAGE, content_type="text/plain")
        return self.get_response(request)


_NUL_MESSAGE = "The request holds a NUL character, which no field may contain."
# Paths whose answers are JSON, errors included.
_JSON_API_PREFIXES = ("/oruk/", "/api/")


def _is_json_api(path: str, prefixes: tuple[str, ...] = _JSON_API_PREFIXES) -> bool:
    return path.startswith(prefixes) or f"{path}/" in prefixes


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


def _holds_nul_form(request: HttpRequest) -> bool:
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return False
    return _holds_nul(request.POST)
