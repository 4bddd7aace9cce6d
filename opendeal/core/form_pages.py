"""The create/edit page every staff form shares: bind, call one action, redirect with a success
banner, or show the action's validation errors in the GOV.UK error summary."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def form_page(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    heading: str,
    caption: str,
    back_url: str,
    done: Callable[[Any], tuple[str, str]],
) -> HttpResponse:
    """Show a create/edit form; on a valid POST call `save`, then redirect to where `done`
    says with its message, or show the action's validation errors beside their fields."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message, url = done(saved)
            messages.success(request, message)
            return redirect(url)
    context = {"form": form, "heading": heading, "caption": caption, "back_url": back_url}
    return render(request, "core/form_page.html", context)


def posted(request: HttpRequest, with_files: bool = False):
    """The data to bind a form to: None on GET, so the form is unbound and shows no errors."""
    if request.method != "POST":
        return (None, None) if with_files else None
    return (request.POST, request.FILES) if with_files else request.POST


def initial_from(instance: Any, form_class: type[Form]) -> dict[str, Any]:
    """The form's fields filled from the instance; decimals without trailing zeros."""
    values = {name: getattr(instance, name) for name in form_class.base_fields}
    return {
        name: f"{value.normalize():f}" if isinstance(value, Decimal) else value
        for name, value in values.items()
    }
