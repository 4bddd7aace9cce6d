"""Pages every council's instance has: home, health check, brand stylesheet, policies."""

import re

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DEFAULT_BRAND_COLOUR = "#1d70b8"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app can reach its database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@cache_control(max_age=3600, public=True)
def brand_css(request: HttpRequest) -> HttpResponse:
    """The council's colour, as a stylesheet: the CSP allows no inline style."""
    colour = settings.OPENDEAL_COUNCIL["colour"]
    if not _HEX_COLOUR.match(colour):
        colour = _DEFAULT_BRAND_COLOUR
    css = (
        f".opendeal-council-header{{border-bottom-color:{colour}}}"
        f".opendeal-card{{border-top-color:{colour}}}"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def home(request: HttpRequest) -> HttpResponse:
    from opendeal.deal.selectors import deal_summary

    return render(request, "core/home.html", {"summary": deal_summary()})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "core/cookies.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")
