"""What the staff pages that edit the Deal share: permissions, form binding, redirects."""

from decimal import Decimal
from typing import Any

from django.forms import Form
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from opendeal.core.permissions import staff_permission_required

from ...models import (
    Commitment,
)

edit_required = staff_permission_required("deal.edit_deal")
progress_required = staff_permission_required("deal.record_progress")
TIMELINE_LENGTH = 10


def dashboard_url() -> str:
    return reverse("deal:manage")


def commitment_url(commitment: Commitment) -> str:
    return reverse("deal:manage-commitment", args=[commitment.public_id])


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


def commitment_or_404(commitment_id) -> Commitment:
    queryset = Commitment.objects.select_related("theme__deal")
    return get_object_or_404(queryset, public_id=commitment_id)
