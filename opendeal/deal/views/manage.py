"""Staff pages that edit the Deal and record its progress. Each view checks permission, binds a
form, calls one action from `editing`, `services` or the CSV importer, and redirects with a
success banner, or shows the form again with the GOV.UK error summary."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from opendeal.core.permissions import any_permission_required, staff_permission_required

from .. import editing, services
from ..importers.progress_csv import ImportFailed, ProgressCsvImporter
from ..manage_forms import (
    ChangeStatusForm,
    CommitmentForm,
    CompleteMilestoneForm,
    DealForm,
    ImportProgressForm,
    MeasureForm,
    MilestoneForm,
    PostUpdateForm,
    RecordReadingForm,
    ThemeForm,
)
from ..models import (
    Commitment,
    Deal,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    PledgeStatus,
    Reading,
    Theme,
)

edit_required = staff_permission_required("deal.edit_deal")
progress_required = staff_permission_required("deal.record_progress")
TIMELINE_LENGTH = 10


def _dashboard_url() -> str:
    return reverse("deal:manage")


def _commitment_url(commitment: Commitment) -> str:
    return reverse("deal:manage-commitment", args=[commitment.public_id])


def _posted(request: HttpRequest, with_files: bool = False):
    """The data to bind a form to: None on GET, so the form is unbound and shows no errors."""
    if request.method != "POST":
        return (None, None) if with_files else None
    return (request.POST, request.FILES) if with_files else request.POST


def _initial(instance: Any, form_class: type[Form]) -> dict[str, Any]:
    """The form's fields filled from the instance; decimals without trailing zeros."""
    values = {name: getattr(instance, name) for name in form_class.base_fields}
    return {
        name: f"{value.normalize():f}" if isinstance(value, Decimal) else value
        for name, value in values.items()
    }


def _form_page(
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
    return render(request, "deal/manage/form.html", context)


# Dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeRows:
    theme: Theme
    our_part: list[Commitment]
    your_part: list[Commitment]

    @classmethod
    def of(cls, theme: Theme) -> "ThemeRows":
        commitments = theme.commitments.all()
        return cls(
            theme,
            [commitment for commitment in commitments if commitment.part == Part.OURS],
            [commitment for commitment in commitments if commitment.part == Part.YOURS],
        )


@any_permission_required("deal.edit_deal", "deal.record_progress")
def dashboard(request: HttpRequest) -> HttpResponse:
    commitments = Commitment.objects.annotate(
        active_pledges=Count("pledges", filter=Q(pledges__status=PledgeStatus.ACTIVE))
    )
    deals = Deal.objects.prefetch_related(
        "themes", Prefetch("themes__commitments", queryset=commitments)
    )
    sections = [(deal, [ThemeRows.of(theme) for theme in deal.themes.all()]) for deal in deals]
    return render(request, "deal/manage/dashboard.html", {"sections": sections})


# The Deal and its themes ----------------------------------------------------------------------


@edit_required
def deal_create(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        DealForm(_posted(request)),
        lambda data: editing.create_deal(request.user, **data),
        heading="Create a Deal",
        caption="Manage the Deal",
        back_url=_dashboard_url(),
        done=lambda deal: (f"{deal.title} has been created.", _dashboard_url()),
    )


@edit_required
def deal_edit(request: HttpRequest, deal_id) -> HttpResponse:
    deal = get_object_or_404(Deal, public_id=deal_id)
    return _form_page(
        request,
        DealForm(_posted(request), initial=_initial(deal, DealForm)),
        lambda data: editing.update_deal(request.user, deal, **data),
        heading="Edit the Deal",
        caption=deal.title,
        back_url=_dashboard_url(),
        done=lambda saved: (f"{saved.title} has been updated.", _dashboard_url()),
    )


@edit_required
def theme_create(request: HttpRequest, deal_id) -> HttpResponse:
    deal = get_object_or_404(Deal, public_id=deal_id)
    return _form_page(
        request,
        ThemeForm(_posted(request)),
        lambda data: editing.create_theme(request.user, deal, **data),
        heading="Add a theme",
        caption=deal.title,
        back_url=_dashboard_url(),
        done=lambda theme: (f"The theme {theme.title} has been added.", _dashboard_url()),
    )


@edit_required
def theme_edit(request: HttpRequest, theme_id) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("deal"), public_id=theme_id)
    return _form_page(
        request,
        ThemeForm(_posted(request), initial=_initial(theme, ThemeForm)),
        lambda data: editing.update_theme(request.user, theme, **data),
        heading="Edit the theme",
        caption=theme.deal.title,
        back_url=_dashboard_url(),
        done=lambda saved: (f"The theme {saved.title} has been updated.", _dashboard_url()),
    )


# Commitments ----------------------------------------------------------------------------------


@edit_required
def commitment_create(request: HttpRequest, theme_id) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("deal"), public_id=theme_id)
    form = CommitmentForm(_posted(request), deal=theme.deal, initial={"theme": theme})
    return _form_page(
        request,
        form,
        lambda data: editing.create_commitment(request.user, **data),
        heading="Add a commitment",
        caption=theme.title,
        back_url=_dashboard_url(),
        done=lambda saved: (f"{saved.reference} has been added.", _commitment_url(saved)),
    )


def _commitment(commitment_id) -> Commitment:
    queryset = Commitment.objects.select_related("theme__deal")
    return get_object_or_404(queryset, public_id=commitment_id)


@edit_required
def commitment_edit(request: HttpRequest, commitment_id) -> HttpResponse:
    commitment = _commitment(commitment_id)
    initial = _initial(commitment, CommitmentForm)
    form = CommitmentForm(_posted(request), deal=commitment.theme.deal, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: editing.update_commitment(request.user, commitment, **data),
        heading=f"Edit {commitment.reference}",
        caption=commitment.theme.title,
        back_url=_commitment_url(commitment),
        done=lambda saved: (f"{saved.reference} has been updated.", _commitment_url(saved)),
    )


@edit_required
def commitment_delete(request: HttpRequest, commitment_id) -> HttpResponse:
    commitment = _commitment(commitment_id)
    blocker = editing.deletion_blocker(commitment)
    if request.method == "POST" and not blocker:
        editing.delete_commitment(request.user, commitment)
        messages.success(request, f"{commitment.reference} has been deleted.")
        return redirect(_dashboard_url())
    context = {"commitment": commitment, "blocker": blocker}
    return render(request, "deal/manage/commitment_delete.html", context)


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
    commitment = _commitment(commitment_id)
    return _progress_page(request, commitment, _progress_forms(commitment))


def _progress_action(form_name: str, act: Callable[[HttpRequest, Commitment, dict], str]):
    """A POST-only view that records one kind of progress with the form `form_name`."""

    @progress_required
    @require_POST
    def view(request: HttpRequest, commitment_id) -> HttpResponse:
        commitment = _commitment(commitment_id)
        forms = _progress_forms(commitment, request.POST, bound=form_name)
        form = forms[form_name]
        if form is None:
            return redirect(_commitment_url(commitment))
        if form.is_valid():
            try:
                message = act(request, commitment, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, message)
                return redirect(_commitment_url(commitment))
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


# Measures and milestones ----------------------------------------------------------------------


@edit_required
def measure_create(request: HttpRequest, commitment_id) -> HttpResponse:
    commitment = _commitment(commitment_id)
    return _form_page(
        request,
        MeasureForm(_posted(request)),
        lambda data: editing.create_measure(request.user, commitment, **data),
        heading="Add a measure",
        caption=f"{commitment.reference} {commitment.title}",
        back_url=_commitment_url(commitment),
        done=lambda saved: (
            f"The measure {saved.reference} has been added.",
            _commitment_url(commitment),
        ),
    )


@edit_required
def measure_edit(request: HttpRequest, measure_id) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("commitment"), public_id=measure_id)
    commitment = measure.commitment
    return _form_page(
        request,
        MeasureForm(_posted(request), initial=_initial(measure, MeasureForm)),
        lambda data: editing.update_measure(request.user, measure, **data),
        heading=f"Edit the measure {measure.reference}",
        caption=f"{commitment.reference} {commitment.title}",
        back_url=_commitment_url(commitment),
        done=lambda saved: (
            f"The measure {saved.reference} has been updated.",
            _commitment_url(commitment),
        ),
    )


@edit_required
def milestone_create(request: HttpRequest, measure_id) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("commitment"), public_id=measure_id)
    return _form_page(
        request,
        MilestoneForm(_posted(request)),
        lambda data: editing.create_milestone(request.user, measure, **data),
        heading="Add a milestone",
        caption=f"{measure.reference} {measure.title}",
        back_url=_commitment_url(measure.commitment),
        done=lambda saved: (
            f"The milestone “{saved.title}” has been added.",
            _commitment_url(measure.commitment),
        ),
    )


@edit_required
def milestone_edit(request: HttpRequest, milestone_id) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.select_related("measure__commitment"), public_id=milestone_id
    )
    commitment = milestone.measure.commitment
    return _form_page(
        request,
        MilestoneForm(_posted(request), initial=_initial(milestone, MilestoneForm)),
        lambda data: editing.update_milestone(request.user, milestone, **data),
        heading="Edit the milestone",
        caption=f"{milestone.measure.reference} {milestone.measure.title}",
        back_url=_commitment_url(commitment),
        done=lambda saved: (
            f"The milestone “{saved.title}” has been updated.",
            _commitment_url(commitment),
        ),
    )


# Import ---------------------------------------------------------------------------------------


@staff_permission_required("deal.import_progress")
def import_progress(request: HttpRequest) -> HttpResponse:
    form = ImportProgressForm(*_posted(request, with_files=True))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        importer = ProgressCsvImporter(form.cleaned_data["deal"], request.user)
        try:
            text = io.StringIO(upload.read().decode("utf-8-sig"), newline="")
            report = importer.run(text, upload.name)
        except UnicodeDecodeError:
            form.add_error("file", "The selected file must be a CSV file saved as UTF-8")
        except ImportFailed as failure:
            # Every problem in the summary, each leading to the file input.
            target = f"#{form['file'].auto_id}"
            problems = [{"href": target, "message": error.describe()} for error in failure.errors]
            form.add_error("file", _problems_message(len(problems)))
        else:
            messages.success(request, str(report))
            return redirect(reverse("deal:manage-import"))
    return render(request, "deal/manage/import.html", {"form": form, "problems": problems})


def _problems_message(count: int) -> str:
    counted = "1 problem" if count == 1 else f"{count} problems"
    return f"The file has {counted}, listed above. Nothing has been imported. Fix the file and upload it again"


urlpatterns = [
    path("manage/", dashboard, name="manage"),
    path("manage/import/", import_progress, name="manage-import"),
    path("manage/deals/new/", deal_create, name="manage-deal-create"),
    path("manage/deals/<uuid:deal_id>/edit/", deal_edit, name="manage-deal-edit"),
    path("manage/deals/<uuid:deal_id>/themes/new/", theme_create, name="manage-theme-create"),
    path("manage/themes/<uuid:theme_id>/edit/", theme_edit, name="manage-theme-edit"),
    path(
        "manage/themes/<uuid:theme_id>/commitments/new/",
        commitment_create,
        name="manage-commitment-create",
    ),
    path("manage/commitments/<uuid:commitment_id>/", commitment_progress, name="manage-commitment"),
    path(
        "manage/commitments/<uuid:commitment_id>/edit/",
        commitment_edit,
        name="manage-commitment-edit",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/delete/",
        commitment_delete,
        name="manage-commitment-delete",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/readings/",
        record_reading,
        name="manage-record-reading",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/milestones/",
        complete_milestone,
        name="manage-complete-milestone",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/status/",
        change_status,
        name="manage-change-status",
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/updates/", post_update, name="manage-post-update"
    ),
    path(
        "manage/commitments/<uuid:commitment_id>/measures/new/",
        measure_create,
        name="manage-measure-create",
    ),
    path("manage/measures/<uuid:measure_id>/edit/", measure_edit, name="manage-measure-edit"),
    path(
        "manage/measures/<uuid:measure_id>/milestones/new/",
        milestone_create,
        name="manage-milestone-create",
    ),
    path(
        "manage/milestones/<uuid:milestone_id>/edit/", milestone_edit, name="manage-milestone-edit"
    ),
]
