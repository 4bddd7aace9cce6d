"""The create/edit page every staff form shares: bind, call one action, redirect with a success
banner, or show the action's validation errors in the GOV.UK error summary."""

from collections.abc import Callable
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
