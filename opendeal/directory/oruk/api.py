"""The Open Referral UK API (HSDS-UK 3.0) at /oruk/, read-only and open to any origin.

Plain Django views rather than django-ninja: the bodies are the standard's own JSON, built by
`serialise.py` from the one table in `spec.py`, and validated in the tests against the
standard's compiled schemas; ninja would need the standard re-declared as pydantic models and
answers bad parameters with 422, where the standard's consumers expect 400.

Every query parameter is checked before anything is searched: a bad value is a 400 with an
RFC 7807 problem document naming the parameter, never a 500. Parameters are combined with AND.
Unknown parameter names are ignored, as HTTP APIs usually do.
"""

import datetime as dt
import functools
import uuid
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from opendeal.core.problems import problem
from opendeal.directory.models import (
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from opendeal.directory.oruk.serialise import (
    AttributeIndex,
    full_services,
    json_value,
    record_fields,
    serialise_location,
    serialise_organization,
    serialise_service,
    serialise_service_summary,
    serialise_services,
    serialise_taxonomy,
)
from opendeal.directory.oruk.spec import BY_KEY
from opendeal.directory.search import (
    DAY_CODES,
    LONDON,
    MAX_PAGE,
    ServiceQuery,
    search_service_at_locations,
    search_services,
)
from opendeal.geography.geocoding import InvalidPostcode, UnknownPostcode, locate_postcode

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/openapi.json"
DEFAULT_PER_PAGE = 50
# The standard gives page and per_page as integers and no bounds; ours keep a page's offset
# within what the databases can count (search.MAX_PAGE) and a page's size reasonable.
MAX_PER_PAGE = 1000
# Ages are whole years (the database holds them as small integers).
MAX_AGE = 32767
DAY_NAMES = {
    name: code
    for code, name in zip(
        DAY_CODES,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
}


class BadParameter(Exception):
    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


def oruk_endpoint(view: Callable[..., object]) -> Callable[..., HttpResponse]:
    """GET (and HEAD) only; the view's result as JSON; bad input as a problem; CORS open."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method not in ("GET", "HEAD"):
            response = problem(405, "Method not allowed", "This API is read-only: use GET.")
        else:
            try:
                response = JsonResponse(
                    view(request, *args, **kwargs),
                    safe=False,
                    json_dumps_params={"ensure_ascii": False},
                )
            except BadParameter as error:
                response = problem(
                    400,
                    "Bad request",
                    str(error),
                    invalid_params=[{"name": error.name, "reason": error.reason}],
                )
            except Http404 as error:
                response = problem(404, "Not found", str(error))
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response

    # Read-only and cookie-free, so a POST gets the JSON 405 rather than the CSRF page.
    wrapped.csrf_exempt = True
    return wrapped


# --- Parameters -----------------------------------------------------------------------------


class Parameters:
    """The request's query parameters, each read as the type the standard gives it."""

    def __init__(self, request: HttpRequest) -> None:
        self.query = request.GET

    def text(self, name: str) -> str:
        return self.query.get(name, "").strip()

    def integer(
        self, name: str, default: int | None = None, *, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        raw = self.text(name)
        if not raw:
            return default
        try:
            number = float(raw)
        except ValueError:
            raise BadParameter(name, f"“{raw}” is not a number") from None
        if not number.is_integer():
            raise BadParameter(name, f"“{raw}” is not a whole number")
        if number < minimum or (maximum is not None and number > maximum):
            limits = f"from {minimum}" + (f" to {maximum}" if maximum is not None else " upwards")
            raise BadParameter(name, f"must be a whole number {limits}")
        # Exactly, where the float is not (99999999999999999 reads as 1e17): within the bounds.
        try:
            return int(raw)
        except ValueError:
            return int(number)

    def uuids(self, name: str) -> tuple[uuid.UUID, ...]:
        """One id, or several separated by commas."""
        return tuple(parse_uuid(name, part) for part in self.text(name).split(",") if part.strip())

    def uuid(self, name: str) -> uuid.UUID | None:
        raw = self.text(name)
        return parse_uuid(name, raw) if raw else None

    def boolean(self, name: str) -> bool:
        raw = self.text(name).lower()
        if raw in ("", "false", "0", "no"):
            return False
        if raw in ("true", "1", "yes"):
            return True
        raise BadParameter(name, "must be true or false")

    def time(self, name: str) -> dt.time | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            parsed = dt.time.fromisoformat(raw)
        except ValueError:
            raise BadParameter(name, f"“{raw}” is not a time like 09:30") from None
        # Opening times are wall-clock times where the service is; an offset such as +01:00
        # (allowed by the format) says nothing more about them.
        return parsed.replace(tzinfo=None)

    def day(self, name: str) -> str | None:
        raw = self.text(name)
        if not raw:
            return None
        code = raw.upper() if raw.upper() in DAY_CODES else DAY_NAMES.get(raw.lower())
        if code is None:
            raise BadParameter(name, f"must be a day (MO, TU, WE, TH, FR, SA, SU), not “{raw}”")
        return code

    def moment(self, name: str) -> dt.datetime | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            moment = dt.datetime.fromisoformat(raw.replace(" ", "+"))
        except ValueError:
            raise BadParameter(
                name, f"“{raw}” is not a date and time like 2026-01-31T09:30:00Z"
            ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, LONDON)
        # In UTC, as the database compares it: a moment at either end of the calendar with an
        # offset (9999-12-31T23:59:59-14:00) has no UTC time, and is refused here.
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            raise BadParameter(name, f"“{raw}” is outside the years 1 to 9999 in UTC") from None

    def paging(self) -> tuple[int, int]:
        page = self.integer("page", 1, minimum=1, maximum=MAX_PAGE)
        per_page = self.integer("per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
        return page, per_page

    def statuses(self) -> tuple[str, ...]:
        statuses = tuple(part.strip() for part in self.text("status").split(",") if part.strip())
        unknown = [status for status in statuses if status not in Service.Status.values]
        if unknown:
            raise BadParameter("status", f"must be one of {', '.join(Service.Status.values)}")
        return statuses

    def service_query(self) -> ServiceQuery:
        """The standard's service filters as a search. `status` (ours) narrows by status;
        without it every status is listed, so a copy of the feed learns of closures."""
        near, within = None, self.integer("proximity")
        postcode = self.text("postcode")
        if postcode:
            try:
                place = locate_postcode(postcode)
            except (InvalidPostcode, UnknownPostcode) as error:
                raise BadParameter("postcode", str(error)) from None
            near = (float(place.latitude), float(place.longitude))
        elif within is not None:
            raise BadParameter("proximity", "needs a postcode to measure from")
        try:
            return ServiceQuery(
                text=self.text("search"),
                taxonomy_term_ids=self.uuids("taxonomy_term_id"),
                taxonomy_id=self.uuid("taxonomy_id"),
                organization_id=self.uuid("organization_id"),
                near=near,
                within_metres=within,
                minimum_age=self.integer("minimum_age", maximum=MAX_AGE),
                maximum_age=self.integer("maximum_age", maximum=MAX_AGE),
                day=self.day("day"),
                start_time=self.time("start_time"),
                end_time=self.time("end_time"),
                modified_after=self.moment("modified_after"),
                statuses=self.statuses(),
            )
        except ValueError as error:  # a combination ServiceQuery refuses
            raise BadParameter("query", str(error)) from None


def parse_uuid(name: str, raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise BadParameter(name, f"“{raw}” is not a UUID") from None


def page_body(contents: list, total: int, page: int, per_page: int) -> dict:
    """The standard's paging object around one page of `contents`."""
    total_pages = -(-total // per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def paged(queryset, parameters: Parameters, serialise: Callable) -> dict:
    page, per_page = parameters.paging()
    total = queryset.count()
    start = (page - 1) * per_page
    return page_body(
        [serialise(item) for item in queryset[start : start + per_page]], total, page, per_page
    )


def get_or_404(queryset, raw_id: str):
    found = queryset.filter(pk=parse_uuid("id", raw_id)).first()
    if found is None:
        raise Http404(f"There is no {queryset.model._meta.verbose_name} with id {raw_id}.")
    return found


# --- Endpoints ------------------------------------------------------------------------------


@oruk_endpoint
def index(request: HttpRequest) -> dict:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


@oruk_endpoint
def services(request: HttpRequest) -> dict | list:
    parameters = Parameters(request)
    query = parameters.service_query()
    full = parameters.boolean("full")
    # Checked even where minimal ignores them, so a bad page is refused the same either way.
    page, per_page = parameters.paging()
    if parameters.boolean("minimal"):
        # "Aim to return all services within one call": every match, unpaged.
        found = search_services(query, per_page=Service.objects.count() or 1)
        return [
            {"id": str(service.pk), "modified_date": json_value(service.modified)}
            for service in found.services
        ]
    loader = full_services(Service.objects.all()) if full else None
    found = search_services(query, page=page, per_page=per_page, queryset=loader)
    contents = (
        serialise_services(found.services)
        if full
        else [serialise_service_summary(service) for service in found.services]
    )
    return page_body(contents, found.total, page, per_page)


@oruk_endpoint
def service(request: HttpRequest, id: str) -> dict:
    return serialise_service(get_or_404(full_services(Service.objects.all()), id))


@oruk_endpoint
def taxonomies(request: HttpRequest) -> dict:
    return paged(
        Taxonomy.objects.order_by("name", "id"),
        Parameters(request),
        lambda taxonomy: serialise_taxonomy(taxonomy, with_terms=False),
    )


@oruk_endpoint
def taxonomy(request: HttpRequest, id: str) -> dict:
    return serialise_taxonomy(get_or_404(Taxonomy.objects.all(), id))


@oruk_endpoint
def taxonomy_terms(request: HttpRequest) -> dict:
    parameters = Parameters(request)
    terms = TaxonomyTerm.objects.order_by("name", "id")
    taxonomy_id = parameters.uuid("taxonomy_id")
    if taxonomy_id is not None:
        terms = terms.filter(taxonomy_id=taxonomy_id)
    parent_id = parameters.uuid("parent_id")
    if parent_id is not None:
        terms = terms.filter(parent_id=parent_id)
    return paged(terms, parameters, lambda term: record_fields(BY_KEY["taxonomy_term"], term))


@oruk_endpoint
def taxonomy_term(request: HttpRequest, id: str) -> dict:
    return record_fields(BY_KEY["taxonomy_term"], get_or_404(TaxonomyTerm.objects.all(), id))


@oruk_endpoint
def organizations(request: HttpRequest) -> dict:
    parameters = Parameters(request)
    found = Organization.objects.order_by("name", "id")
    search = parameters.text("search")
    if search:
        found = found.filter(name__icontains=search)
    return paged(
        found, parameters, lambda organization: record_fields(BY_KEY["organization"], organization)
    )


@oruk_endpoint
def organization(request: HttpRequest, id: str) -> dict:
    organization = get_or_404(Organization.objects.prefetch_related("organization_identifiers"), id)
    services = list(full_services(organization.services.order_by("name", "id")))
    attributes = AttributeIndex.for_services(services, also=[organization.pk])
    data = serialise_organization(organization, attributes)
    data["services"] = [
        serialise_service(service, attributes, with_organization=False) for service in services
    ]
    return data


@oruk_endpoint
def service_at_locations(request: HttpRequest) -> dict:
    parameters = Parameters(request)
    query = parameters.service_query()
    full = parameters.boolean("full")
    page, per_page = parameters.paging()
    found = search_service_at_locations(query, page=page, per_page=per_page)
    if full:
        contents = full_services_at_locations(found.service_at_locations)
    else:
        contents = [
            {
                "id": str(link.pk),
                "location": record_fields(BY_KEY["location"], link.location),
                "service": serialise_service_summary(link.service),
            }
            for link in found.service_at_locations
        ]
    return page_body(contents, found.total, page, per_page)


@oruk_endpoint
def service_at_location(request: HttpRequest, id: str) -> dict:
    link = get_or_404(ServiceAtLocation.objects.all(), id)
    return full_services_at_locations([link])[0]


def full_services_at_locations(links: list[ServiceAtLocation]) -> list[dict]:
    """Each with its full location and its full service (less the service's other places)."""
    services = full_services(Service.objects.filter(pk__in={link.service_id for link in links}))
    services_by_id = {service.pk: service for service in services}
    attributes = AttributeIndex.for_services(services_by_id.values())
    locations = {
        item.pk: item.location
        for service in services_by_id.values()
        for item in service.service_at_locations.all()
    }
    return [
        {
            "id": str(link.pk),
            "location": serialise_location(locations[link.pk], attributes),
            "service": serialise_service(
                services_by_id[link.service_id], attributes, with_locations=False
            ),
        }
        for link in links
    ]
