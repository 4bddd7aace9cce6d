"""Staff pages that edit the Deal's structure: the Deal, themes, commitments, measures,
milestones, and the dashboard over them all."""

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from opendeal.core.form_pages import form_page, initial_from, posted
from opendeal.core.permissions import any_permission_required

from ... import editing
from ...manage_forms import (
    CommitmentForm,
    DealForm,
    MeasureForm,
    MilestoneForm,
    ThemeForm,
)
from ...models import (
    Commitment,
    Deal,
    Measure,
    Milestone,
    Part,
    PledgeStatus,
    Theme,
)
from ._shared import (
    commitment_or_404,
    commitment_url,
    dashboard_url,
    edit_required,
)

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
    return form_page(
        request,
        DealForm(posted(request)),
        lambda data: editing.create_deal(request.user, **data),
        heading="Create a Deal",
        caption="Manage the Deal",
        back_url=dashboard_url(),
        done=lambda deal: (f"{deal.title} has been created.", dashboard_url()),
    )


@edit_required
def deal_edit(request: HttpRequest, deal_id) -> HttpResponse:
    deal = get_object_or_404(Deal, public_id=deal_id)
    return form_page(
        request,
        DealForm(posted(request), initial=initial_from(deal, DealForm)),
        lambda data: editing.update_deal(request.user, deal, **data),
        heading="Edit the Deal",
        caption=deal.title,
        back_url=dashboard_url(),
        done=lambda saved: (f"{saved.title} has been updated.", dashboard_url()),
    )


@edit_required
def theme_create(request: HttpRequest, deal_id) -> HttpResponse:
    deal = get_object_or_404(Deal, public_id=deal_id)
    return form_page(
        request,
        ThemeForm(posted(request)),
        lambda data: editing.create_theme(request.user, deal, **data),
        heading="Add a theme",
        caption=deal.title,
        back_url=dashboard_url(),
        done=lambda theme: (f"The theme {theme.title} has been added.", dashboard_url()),
    )


@edit_required
def theme_edit(request: HttpRequest, theme_id) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("deal"), public_id=theme_id)
    return form_page(
        request,
        ThemeForm(posted(request), initial=initial_from(theme, ThemeForm)),
        lambda data: editing.update_theme(request.user, theme, **data),
        heading="Edit the theme",
        caption=theme.deal.title,
        back_url=dashboard_url(),
        done=lambda saved: (f"The theme {saved.title} has been updated.", dashboard_url()),
    )


# Commitments ----------------------------------------------------------------------------------


@edit_required
def commitment_create(request: HttpRequest, theme_id) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("deal"), public_id=theme_id)
    form = CommitmentForm(posted(request), deal=theme.deal, initial={"theme": theme})
    return form_page(
        request,
        form,
        lambda data: editing.create_commitment(request.user, **data),
        heading="Add a commitment",
        caption=theme.title,
        back_url=dashboard_url(),
        done=lambda saved: (f"{saved.reference} has been added.", commitment_url(saved)),
    )


@edit_required
def commitment_edit(request: HttpRequest, commitment_id) -> HttpResponse:
    commitment = commitment_or_404(commitment_id)
    initial = initial_from(commitment, CommitmentForm)
    form = CommitmentForm(posted(request), deal=commitment.theme.deal, initial=initial)
    return form_page(
        request,
        form,
        lambda data: editing.update_commitment(request.user, commitment, **data),
        heading=f"Edit {commitment.reference}",
        caption=commitment.theme.title,
        back_url=commitment_url(commitment),
        done=lambda saved: (f"{saved.reference} has been updated.", commitment_url(saved)),
    )


@edit_required
def commitment_delete(request: HttpRequest, commitment_id) -> HttpResponse:
    commitment = commitment_or_404(commitment_id)
    blocker = editing.deletion_blocker(commitment)
    if request.method == "POST" and not blocker:
        editing.delete_commitment(request.user, commitment)
        messages.success(request, f"{commitment.reference} has been deleted.")
        return redirect(dashboard_url())
    context = {"commitment": commitment, "blocker": blocker}
    return render(request, "deal/manage/commitment_delete.html", context)


# Measures and milestones ----------------------------------------------------------------------


@edit_required
def measure_create(request: HttpRequest, commitment_id) -> HttpResponse:
    commitment = commitment_or_404(commitment_id)
    return form_page(
        request,
        MeasureForm(posted(request)),
        lambda data: editing.create_measure(request.user, commitment, **data),
        heading="Add a measure",
        caption=f"{commitment.reference} {commitment.title}",
        back_url=commitment_url(commitment),
        done=lambda saved: (
            f"The measure {saved.reference} has been added.",
            commitment_url(commitment),
        ),
    )


@edit_required
def measure_edit(request: HttpRequest, measure_id) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("commitment"), public_id=measure_id)
    commitment = measure.commitment
    return form_page(
        request,
        MeasureForm(posted(request), initial=initial_from(measure, MeasureForm)),
        lambda data: editing.update_measure(request.user, measure, **data),
        heading=f"Edit the measure {measure.reference}",
        caption=f"{commitment.reference} {commitment.title}",
        back_url=commitment_url(commitment),
        done=lambda saved: (
            f"The measure {saved.reference} has been updated.",
            commitment_url(commitment),
        ),
    )


@edit_required
def milestone_create(request: HttpRequest, measure_id) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("commitment"), public_id=measure_id)
    return form_page(
        request,
        MilestoneForm(posted(request)),
        lambda data: editing.create_milestone(request.user, measure, **data),
        heading="Add a milestone",
        caption=f"{measure.reference} {measure.title}",
        back_url=commitment_url(measure.commitment),
        done=lambda saved: (
            f"The milestone “{saved.title}” has been added.",
            commitment_url(measure.commitment),
        ),
    )


@edit_required
def milestone_edit(request: HttpRequest, milestone_id) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.select_related("measure__commitment"), public_id=milestone_id
    )
    commitment = milestone.measure.commitment
    return form_page(
        request,
        MilestoneForm(posted(request), initial=initial_from(milestone, MilestoneForm)),
        lambda data: editing.update_milestone(request.user, milestone, **data),
        heading="Edit the milestone",
        caption=f"{milestone.measure.reference} {milestone.measure.title}",
        back_url=commitment_url(commitment),
        done=lambda saved: (
            f"The milestone “{saved.title}” has been updated.",
            commitment_url(commitment),
        ),
    )
