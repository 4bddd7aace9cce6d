"""RFC 7807 problem documents: how every JSON endpoint says what was wrong. `problem` answers
from a plain view or middleware (the ORUK API, refusals before a view runs); the django-ninja
API renders the same body through its own renderer (opendeal/api.py)."""

from typing import Any

from django.http import JsonResponse

MEDIA_TYPE = "application/problem+json"


def problem_body(status: int, title: str, detail: str = "", **extra) -> dict[str, Any]:
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    if detail:
        body["detail"] = detail
    return body


def problem(status: int, title: str, detail: str = "", **extra) -> JsonResponse:
    body = problem_body(status, title, detail, **extra)
    return JsonResponse(body, status=status, content_type=MEDIA_TYPE)
