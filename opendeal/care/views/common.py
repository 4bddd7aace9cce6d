"""What every care page shares: signing in first, finding a record the user may see (404 and an
audit event otherwise), auditing each view, and the form page with a template of its own."""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import access
from ..models import Person

VIEWED = access.VIEWED


def sign_in_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous people are sent to sign in; for everyone else, who may see what is decided
    record by record (so that a record someone may not see is a 404, never a 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def viewed_person(
    request: HttpRequest, public_id: uuid.UUID, page: str, *, manager: bool = False
) -> Person:
    """The person, if the user may see them (404 and logged otherwise); the view is audited."""
    person = access.person_for(request.user, public_id, page, manager=manager)
    access.record(request.user, VIEWED, person, page=page)
    return person


def audited_item(request: HttpRequest, queryset, public_id: uuid.UUID, page: str, person_of):
    item = access.item_for(request.user, queryset, public_id, page, person_of)
    access.record(request.user, VIEWED, person_of(item), page=page, item=str(public_id))
    return item


def person_url(person: Person) -> str:
    return reverse("care:person", args=[person.public_id])


def care_form_page(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    template: str,
    context: dict[str, Any],
    done: Callable[[Any], tuple[str, str]],
) -> HttpResponse:
    """`core.form_pages.form_page` with the page's own template, for forms that need more than
    a list of fields (sections, prompts, a copyright line)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message, url = done(saved)
            messages.success(request, message)
            return redirect(url)
    return render(request, template, {**context, "form": form})
