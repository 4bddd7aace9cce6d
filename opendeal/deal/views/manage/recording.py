"""Staff pages that record progress on a commitment, one form per action, and import it
from CSV (as a background job, followed on its status page)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opendeal.core.form_pages import posted
from opendeal.core.permissions import staff_permission_required

from ... import services
from ...importers.progress_job import start_progress_import
from ...manage_forms import (
    ChangeStatusForm,
    CompleteMilestoneForm,
    ImportProgressForm,
    PostUpdateForm,
    RecordReadingForm,
)
from ...models import (
    Commitment,
    MeasureKind,
    Milestone,
    Part,
    PledgeStatus,
    Reading,
)
from ._shared import (
    TIMELINE_LENGTH,
    commitment_or_404,
    commitment_url,
    progress_required,
)

# Recording progress on a commitment -----------------------------------------------------------


def _progress_forms(commitment: Commitment, data=None, bound: str = "") -> dict[str, Form | None]:
    """The page's four forms; only the one named `bound` gets the posted data."""

    def data_for(name: str):
        return data if name == bound else None

    forms: dict[str, Form | None] = dict.fromkeys(("reading", "milestone", "status"))
    forms["update"] = PostUpdateForm(data_for("update"))
    if commitment.part != Part.OURS:
        return forms  # Residents' commitments have no measures or status, only updates.
    metrics = commitment.measures.filter(kind=MeasureKind.METRIC)
    if metrics.exists():
        forms["reading"] = RecordReadingForm(data_for("reading"), measures=metrics)
    open_milestones = Milestone.objects.filter(
        measure__commitment=commitment, completed_on__isnull=True
    ).select_related("measure")
    if open_milestones.exists():
        forms["milestone"] = CompleteMilestoneForm(
            data_for("milestone"), milestones=open_milestones
        )
    forms["status"] = ChangeStatusForm(data_for("status"), initial={"status": commitment.status})
    return forms


def _progress_page(request: HttpRequest, commitment: Commitment, forms: dict, failed=None):
    measures = commitment.measures.prefetch_related(
        "milestones", Prefetch("readings", queryset=Reading.objects.order_by("-observed_on"))
    )
    context = {
        "commitment": commitment,
        "measures": measures,
        "timeline": commitment.updates.select_related("measure")[:TIMELINE_LENGTH],
        "pledge_count": commitment.pledges.filter(status=PledgeStatus.ACTIVE).count(),
        "forms": forms,
        # base.html and the error summary look for the form with errors under this name.
        "form": failed,
        "can_edit": request.user.has_perm("deal.edit_deal"),
    }
    return render(request, "deal/manage/commitment.html", context)


@progress_required
def commitment_progress(request: HttpRequest, commitment_id) -> HttpResponse:
    commitment = commitment_or_404(commitment_id)
    return _progress_page(request, commitment, _progress_forms(commitment))


def _progress_action(form_name: str, act: Callable[[HttpRequest, Commitment, dict], str]):
    """A POST-only view that records one kind of progress with the form `form_name`."""

    @progress_required
    @require_POST
    def view(request: HttpRequest, commitment_id) -> HttpResponse:
        commitment = commitment_or_404(commitment_id)
        forms = _progress_forms(commitment, request.POST, bound=form_name)
        form = forms[form_name]
        if form is None:
            return redirect(commitment_url(commitment))
        if form.is_valid():
            try:
                message = act(request, commitment, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, message)
                return redirect(commitment_url(commitment))
        return _progress_page(request, commitment, forms, failed=form)

    return view


def _record_reading(request: HttpRequest, commitment: Commitment, data: dict) -> str:
    measure = data["measure"]
    services.record_reading(request.user, measure, data["observed_on"], data["value"], data["note"])
    return (
        f"The figure for {measure.reference} on {data['observed_on']:%-d %B %Y} has been recorded."
    )


def _complete_milestone(request: HttpRequest, commitment: Commitment, data: dict) -> str:
    milestone = data["milestone"]
    services.complete_milestone(request.user, milestone, data["completed_on"], data["note"])
    return f"The milestone “{milestone.title}” has been marked as reached."


def _change_status(request: HttpRequest, commitment: Commitment, data: dict) -> str:
    services.change_status(request.user, commitment, data["status"], data["reason"])
    return f"The status of {commitment.reference} is now {commitment.get_status_display()}."


def _post_update(request: HttpRequest, commitment: Commitment, data: dict) -> str:
    services.post_update(request.user, commitment, data["occurred_on"], data["text"])
    return "Your update has been added to the timeline."


record_reading = _progress_action("reading", _record_reading)
complete_milestone = _progress_action("milestone", _complete_milestone)
change_status = _progress_action("status", _change_status)
post_update = _progress_action("update", _post_update)


# Import ---------------------------------------------------------------------------------------


@staff_permission_required("deal.import_progress")
def import_progress(request: HttpRequest) -> HttpResponse:
    """Check and keep the upload, queue its import, and send the person to the job's page."""
    form = ImportProgressForm(*posted(request, with_files=True))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The selected file must be a CSV file saved as UTF-8")
        else:
            job = start_progress_import(
                request.user, form.cleaned_data["deal"], upload.name, content
            )
            return redirect(reverse("core:job", args=[job.public_id]))
    return render(request, "deal/manage/import.html", {"form": form})
