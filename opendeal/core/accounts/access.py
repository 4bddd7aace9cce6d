"""Where sign-in goes next: the two-factor pages and a safe `next` address."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def two_factor_url(name: str, next_url: str) -> str:
    """The URL of a two-factor page, carrying where to go afterwards."""
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def safe_next_url(request: HttpRequest) -> str:
    """The `next` address from the form or query, if it stays on this site; otherwise ''."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def default_landing_url() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)
