"""The JSON API under /api/, with its OpenAPI document at /api/openapi.json.

Errors are RFC 7807 problem documents (application/problem+json), and bad input is a 4xx,
never a 500.
"""

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from opendeal.core.problems import MEDIA_TYPE, problem_body

api = NinjaAPI(
    title="OpenDeal API",
    version="1.0.0",
    description=(
        "Open data from the Deal between the council and its residents: commitments, "
        "their progress and timeline, and pledge totals. No personal data is published."
    ),
    urls_namespace="api",
)


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", **extra
) -> HttpResponse:
    body = problem_body(status, title, detail, **extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = MEDIA_TYPE
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem(
        request, 422, "Invalid request", "Some of the input is not valid.", errors=exc.errors
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # Text the database cannot hold (a NUL character in a JSON string, say) is bad input.
    return problem(
        request, 400, "Invalid request", "Some of the input cannot be stored or searched."
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not found", str(exc) or "There is nothing at this address.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc.message))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, 401, "Sign in required")


def _register_routers() -> None:
    from opendeal.care.api import router as care_router
    from opendeal.deal.api import router as deal_router
    from opendeal.events.api import router as events_router
    from opendeal.observatory.api import router as observatory_router

    api.add_router("/deal", deal_router, tags=["The Deal"])
    api.add_router("/events", events_router, tags=["Events"])
    api.add_router("/observatory", observatory_router, tags=["Outcomes observatory"])
    api.add_router("/care", care_router, tags=["Adult social care (staff, signed in)"])


_register_routers()
