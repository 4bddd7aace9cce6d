"""The public directory: searching services, a service's page, and reporting a problem with a
listing. Every page works without JavaScript: the map only adds to the list beside it."""

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.pagination import pagination as page_links
from opendeal.geography.geocoding import (
    InvalidPostcode,
    UnknownPostcode,
    distance_metres,
    locate_postcode,
)

from .. import problem_reports, search, service_pages
from ..models import Location, Service, ServiceAtLocation
from ..public_forms import METRES_PER_MILE, ProblemReportForm, SearchForm

RESULTS_PER_PAGE = 20
# The search form's fields, which the pages' links carry from page to page.
SEARCH_PARAMETERS = tuple(SearchForm.base_fields)


@dataclass
class Result:
    service: Service
    distance_metres: float | None
    place: service_pages.LocationDetails | None
    is_stale: bool

    @property
    def distance_in_miles(self) -> str:
        if self.distance_metres is None:
            return ""
        miles = self.distance_metres / METRES_PER_MILE
        return "less than 0.1 miles" if miles < 0.1 else f"{miles:.1f} miles"


def map_settings() -> dict:
    return {
        "tile_url": settings.OPENDEAL_MAP_TILE_URL,
        "attribution": settings.OPENDEAL_MAP_ATTRIBUTION,
    }


# Searching -------------------------------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    """The page asked for, within 1 to search.MAX_PAGE: a page past the results shows that
    there is no such page, with a link to the first."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(1, number), search.MAX_PAGE)


def _postcode_centre(form: SearchForm) -> tuple[float, float] | None:
    """Where the postcode is, or None; a postcode we cannot place becomes the field's error."""
    text = form.cleaned_data.get("postcode", "").strip()
    if not text:
        return None
    try:
        located = locate_postcode(text)
    except InvalidPostcode as error:
        form.add_error("postcode", str(error))
        return None
    except UnknownPostcode as error:
        form.add_error(
            "postcode",
            f"We do not have {error.postcode} in our postcode data. Check the postcode, or "
            "search without one",
        )
        return None
    form.cleaned_data["postcode"] = located.postcode
    return float(located.latitude), float(located.longitude)


def build_query(form: SearchForm, near: tuple[float, float] | None) -> search.ServiceQuery:
    """The search the form asks for, in the terms of `opendeal.directory.search`."""
    data = form.cleaned_data
    category = data.get("category") or ""
    query = search.ServiceQuery(
        text=data.get("q", "").strip(),
        taxonomy_term_ids=(uuid.UUID(category),) if category else (),
        near=near,
        within_metres=form.radius_metres if near is not None else None,
        age=data.get("age"),
        day=data.get("day") or None,
        open_at=data.get("time"),
        free_only=bool(data.get("free_only")),
        accessibility=data.get("accessibility", "").strip(),
        statuses=service_pages.PUBLIC_STATUSES,
    )
    return search.open_now_query(query) if data.get("open_now") else query


def _places(services: list[Service]) -> dict[uuid.UUID, list[service_pages.LocationDetails]]:
    """Each service's locations with their addresses, in one query per relation."""
    links = ServiceAtLocation.objects.filter(service__in=services).prefetch_related(
        Prefetch(
            "location",
            queryset=Location.objects.prefetch_related("addresses", "accessibility"),
        )
    )
    places: dict[uuid.UUID, list[service_pages.LocationDetails]] = {}
    for link in links:
        location = link.location
        address = service_pages.first_address(location)
        places.setdefault(link.service_id, []).append(
            service_pages.LocationDetails(
                location=location,
                address=address,
                address_lines=service_pages.address_lines(address),
                accessibility=[],
                opening_times=[],
            )
        )
    return places


def _nearest(
    places: list[service_pages.LocationDetails], near: tuple[float, float] | None
) -> service_pages.LocationDetails | None:
    located = [place for place in places if place.has_coordinates]
    if near is None or not located:
        return (located or places or [None])[0]
    return min(
        located,
        key=lambda place: distance_metres(
            near[0], near[1], place.location.latitude, place.location.longitude
        ),
    )


def _results(services: list[Service], near: tuple[float, float] | None) -> list[Result]:
    places = _places(services)
    today = timezone.localdate()
    return [
        Result(
            service=service,
            distance_metres=getattr(service, "distance_metres", None),
            place=_nearest(places.get(service.id, []), near),
            is_stale=service.is_stale(today),
        )
        for service in services
    ]


def _markers(results: list[Result]) -> list[dict]:
    return [
        service_pages.PlaceOnMap(
            name=result.service.name,
            latitude=float(result.place.location.latitude),
            longitude=float(result.place.location.longitude),
            url=reverse("directory:service", args=[result.service.id]),
            address=", ".join(result.place.address_lines),
        ).as_json()
        for result in results
        if result.place is not None and result.place.has_coordinates
    ]


def _page_url(parameters: QueryDict, number: int) -> str:
    kept = [
        (name, value)
        for name in SEARCH_PARAMETERS
        for value in parameters.getlist(name)
        if value != ""
    ]
    return "?" + urlencode([*kept, ("page", number)]) + "#results"


def pagination(parameters: QueryDict, current: int, total_pages: int) -> dict:
    return page_links(current, total_pages, lambda number: _page_url(parameters, number))


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict = {"form": form, "map": map_settings(), "searched": bool(request.GET)}
    near = _postcode_centre(form) if form.is_valid() else None
    if form.is_valid():  # again: a postcode we cannot place is now the form's error
        page_number = _page_number(request)
        found = search.search_services(
            build_query(form, near), page=page_number, per_page=RESULTS_PER_PAGE
        )
        results = _results(list(found.services), near)
        context.update(
            found=found,
            results=results,
            markers=_markers(results),
            near=near,
            first_number=(found.page - 1) * found.per_page + 1,
            last_number=(found.page - 1) * found.per_page + len(results),
            first_page_url=_page_url(request.GET, 1),
            pagination=pagination(request.GET, found.page, found.total_pages),
        )
    return render(request, "directory/search.html", context)


# A service ------------------------------------------------------------------------------------


def _service_or_404(service_id: uuid.UUID) -> service_pages.ServiceDetails:
    details = service_pages.public_service(service_id)
    if details is None:
        raise Http404("There is no such service in the directory.")
    return details


@require_GET
def service_page(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    details = _service_or_404(service_id)
    url = reverse("directory:service", args=[service_id])
    context = {
        "details": details,
        "service": details.service,
        "is_stale": details.service.is_stale(),
        "markers": [place.as_json() for place in service_pages.places_on_map(details, url)],
        "map": map_settings(),
    }
    return render(request, "directory/service.html", context)


# Reporting a problem ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_problem(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    details = _service_or_404(service_id)
    service = details.service
    form = ProblemReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            problem_reports.report_problem(
                service,
                problem=form.cleaned_data["problem"],
                details=form.cleaned_data["details"],
                email=form.cleaned_data["email"],
                client_address=request.META.get("REMOTE_ADDR", ""),
            )
        except problem_reports.TooManyReports as refusal:
            form.add_error(None, str(refusal))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("directory:problem-reported", service_id=service.id)
    return render(request, "directory/report_problem.html", {"form": form, "service": service})


@require_GET
def problem_reported(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    details = _service_or_404(service_id)
    return render(request, "directory/problem_reported.html", {"service": details.service})


urlpatterns = [
    path("", search_page, name="search"),
    path("services/<uuid:service_id>/", service_page, name="service"),
    path("services/<uuid:service_id>/report/", report_problem, name="report-problem"),
    path("services/<uuid:service_id>/report/sent/", problem_reported, name="problem-reported"),
]
