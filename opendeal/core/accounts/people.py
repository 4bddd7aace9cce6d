"""Administrators' pages: the people with accounts, and changing someone's roles."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opendeal.core.models import User
from opendeal.core.pagination import pagination as page_links
from opendeal.core.permissions import staff_permission_required
from opendeal.core.roles import Role

from .forms import PeopleSearchForm, RolesForm
from .services import (
    MANAGE_ROLES_PERMISSION,
    RoleChangeRefused,
    reset_two_factor,
    roles_of,
    set_roles,
)
from .two_factor import has_authenticator

PEOPLE_PER_PAGE = 25


def _page_url(query: str, number: int) -> str:
    return "?" + urlencode({**({"q": query} if query else {}), "page": number})


def pagination(page: Page, query: str) -> dict:
    return page_links(
        page.number, page.paginator.num_pages, lambda number: _page_url(query, number)
    )


@staff_permission_required(MANAGE_ROLES_PERMISSION)
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    everyone = User.objects.prefetch_related("groups").order_by("email")
    if query:
        everyone = everyone.filter(email__icontains=query)
    page = Paginator(everyone, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    labels = {role.label: role for role in Role}
    rows = [
        (person, sorted(group.name for group in person.groups.all() if group.name in labels))
        for person in page.object_list
    ]
    context = {
        "search_form": form,
        "query": query,
        "page": page,
        "rows": rows,
        "pagination": pagination(page, query),
    }
    return render(request, "core/account/people.html", context)


@staff_permission_required(MANAGE_ROLES_PERMISSION)
def person_roles(request: HttpRequest, public_id) -> HttpResponse:
    person = get_object_or_404(User, public_id=public_id)
    initial = {"roles": [role.value for role in roles_of(person)]}
    form = RolesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_roles(request.user, person, form.selected_roles())
        except RoleChangeRefused as refusal:
            form.add_error("roles", str(refusal))
        else:
            messages.success(request, f"Roles saved for {person}")
            return redirect("core:people")
    if has_authenticator(person):
        two_factor_status = "Set up, with an authenticator app."
    elif person.needs_two_factor:
        two_factor_status = "Not set up yet: they will set it up when they next sign in."
    else:
        two_factor_status = "Not needed for their roles."
    context = {"form": form, "person": person, "two_factor_status": two_factor_status}
    return render(request, "core/account/person_roles.html", context)


@staff_permission_required(MANAGE_ROLES_PERMISSION)
@require_POST
def reset_person_two_factor(request: HttpRequest, public_id) -> HttpResponse:
    person = get_object_or_404(User, public_id=public_id)
    try:
        reset_two_factor(request.user, person)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"Two-factor sign-in reset for {person}: they set it up again at next sign-in"
        )
    return redirect("core:person-roles", public_id=person.public_id)
