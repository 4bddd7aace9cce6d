"""The caseload, a person's record, and editing who they are and the people around them."""

import datetime
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core import audit
from opendeal.core.form_pages import form_page, initial_from, posted
from opendeal.core.pagination import pagination
from opendeal.core.permissions import staff_permission_required
from opendeal.deal.charts import line_chart

from .. import access, matching, searches, selectors, services
from ..forms import NewPersonForm, PersonForm, RelationshipForm
from ..models import Relationship
from ..scoring import SWEMWBS_COPYRIGHT
from ..validation import format_nhs_number, format_phone
from .common import audited_item, person_url, sign_in_required, viewed_person

work_required = staff_permission_required(access.WORK_WITH_PEOPLE)


CASELOAD_PAGE_SIZE = 50


@work_required
@sensitive_post_parameters("q")
@require_http_methods(["GET", "POST"])
def caseload(request: HttpRequest) -> HttpResponse:
    """The caseload, a page at a time. A search is posted (names and NHS numbers never go in
    an address) and its results are shown at ?search=<token> (`care.searches`)."""
    if request.method == "POST":
        terms = request.POST.get("q", "").strip()
        if not terms:
            return redirect("care:caseload")
        token = searches.remember(request.session, terms)
        return redirect(reverse("care:caseload") + f"?search={token}")
    token = request.GET.get("search", "")
    search = searches.recall(request.session, token) or ""
    expired = bool(token) and not search
    if not search:
        token = ""
    paginator = Paginator(selectors.caseload(request.user, search), CASELOAD_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    people = list(page.object_list)
    # The list names people: who saw it, and how many, is accountable too (ids and counts only,
    # never the words searched for).
    audit.record(request.user, "care.caseload.viewed", searched=bool(search), count=len(people))
    can_add = access.teams_of(request.user).exists()
    prefix = f"?search={token}&" if token else "?"
    context = {
        "people": people,
        "total": paginator.count,
        "search": search,
        "expired": expired,
        "can_add": can_add,
        "pagination": pagination(page.number, paginator.num_pages, lambda n: f"{prefix}page={n}"),
    }
    return render(request, "care/caseload.html", context)


MATCH_PERIODS = {"30": "the last 30 days", "90": "the last 90 days", "365": "the last year"}


@work_required
@require_GET
def matches(request: HttpRequest) -> HttpResponse:
    """New and updated directory services that match the people the user supports."""
    days = request.GET.get("days", "90")
    if days not in MATCH_PERIODS:
        days = "90"
    since = timezone.now() - datetime.timedelta(days=int(days))
    found = matching.new_service_matches(request.user, since=since)
    audit.record(
        request.user,
        "care.matches.viewed",
        count=len(found),
        people=len({match.person.pk for match in found}),
    )
    # The list names each person with what they said they need: on each one's own trail too.
    access.record_views(request.user, (match.person for match in found), "matches")
    context = {
        "matches": found,
        "days": days,
        "periods": MATCH_PERIODS,
        "period": MATCH_PERIODS[days],
    }
    return render(request, "care/matches.html", context)


@work_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    teams = access.teams_of(request.user)
    return form_page(
        request,
        NewPersonForm(posted(request), teams=teams),
        lambda data: services.create_person(request.user, **data),
        heading="Add a person",
        caption="People we support",
        back_url=reverse("care:caseload"),
        done=lambda person: (f"{person.display_name} has been added.", person_url(person)),
    )


@sign_in_required
@require_GET
def person_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "record")
    change = selectors.swemwbs_change(person)
    context = {
        "person": person,
        "nhs_number": format_nhs_number(person.nhs_number),
        "phone": format_phone(person.phone),
        "relationships": [(item, format_phone(item.phone)) for item in person.relationships.all()],
        "conversations": selectors.conversations_of(person),
        "connections": person.connections.select_related("service"),
        "packages": person.packages.all(),
        "swemwbs_change": change,
        "swemwbs_chart": line_chart(
            selectors.swemwbs_points(person),
            chart_id="swemwbs-chart",
            title="SWEMWBS metric score over time",
        ),
        "swemwbs_copyright": SWEMWBS_COPYRIGHT,
        "is_manager": access.managed_people(request.user).filter(pk=person.pk).exists(),
    }
    return render(request, "care/person.html", context)


@sign_in_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "edit")
    return form_page(
        request,
        PersonForm(posted(request), initial=initial_from(person, PersonForm)),
        lambda data: services.update_person(request.user, person, **data),
        heading="Who they are",
        caption=person.display_name,
        back_url=person_url(person),
        done=lambda saved: (
            f"{saved.display_name}’s details have been updated.",
            person_url(saved),
        ),
    )


@sign_in_required
@require_http_methods(["GET", "POST"])
def relationship_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "relationship-create")
    return form_page(
        request,
        RelationshipForm(posted(request)),
        lambda data: services.add_relationship(request.user, person, **data),
        heading="Add someone in their life",
        caption=person.display_name,
        back_url=person_url(person),
        done=lambda saved: (f"{saved.name} has been added.", person_url(person)),
    )


def _relationship(request: HttpRequest, public_id: uuid.UUID, page: str) -> Relationship:
    return audited_item(
        request,
        Relationship.objects.select_related("person"),
        public_id,
        page,
        lambda item: item.person,
    )


@sign_in_required
@require_http_methods(["GET", "POST"])
def relationship_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    relationship = _relationship(request, public_id, "relationship-edit")
    person = relationship.person
    initial = initial_from(relationship, RelationshipForm)
    return form_page(
        request,
        RelationshipForm(posted(request), initial=initial),
        lambda data: services.update_relationship(request.user, relationship, **data),
        heading="Someone in their life",
        caption=person.display_name,
        back_url=person_url(person),
        done=lambda saved: (f"{saved.name}’s details have been updated.", person_url(person)),
    )


@sign_in_required
@require_http_methods(["GET", "POST"])
def relationship_remove(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    relationship = _relationship(request, public_id, "relationship-remove")
    person = relationship.person
    if request.method == "POST":
        services.remove_relationship(request.user, relationship)
        messages.success(request, f"{relationship.name} has been removed.")
        return redirect(person_url(person))
    context = {"person": person, "relationship": relationship}
    return render(request, "care/relationship_remove.html", context)
