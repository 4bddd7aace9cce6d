"""Applying for funding: organisations, and an application's task list with a page for each
section, check answers, submit and withdraw. Applicants sign in with an account (no
two-factor: they are not staff); everything they change goes through `applications`."""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendeal.core import audit
from opendeal.core.form_pages import posted

from .. import applications, documents, recorded_gaps
from ..access import can_edit_application, can_view_application, is_member
from ..apply_forms import (
    BudgetLineForm,
    DocumentForm,
    EligibilityForm,
    MatchFundingForm,
    MemberForm,
    OrganisationForm,
    PartnerForm,
    ProjectForm,
    QuestionsForm,
    ReplyForm,
    StartForm,
    initial_project,
)
from ..models import (
    Application,
    ApplicationPartner,
    BudgetLine,
    MatchFunding,
    Organisation,
    OrganisationRole,
    Round,
    SupportingDocument,
)
from ..templatetags.fund_apply import pounds
from .conflicts import refuse_if_conflicted, refuses_conflicted

APPLICATION_VIEWED = "fund.application.viewed"
# The page for each section of the task list.
TASK_URLS = {
    "eligibility": "fund:eligibility-answers",
    "organisation": "fund:organisation-section",
    "project": "fund:project",
    "questions": "fund:questions",
    "budget": "fund:budget",
    "match_funding": "fund:match-funding",
    "partners": "fund:partners",
    "documents": "fund:documents",
}


def add_errors(form: Form, error: ValidationError) -> None:
    """Show an action's errors beside their fields, or in the summary for any other key."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


def _application_url(application: Application) -> str:
    return reverse("fund:application", args=[application.public_id])


def _application(request: HttpRequest, public_id: uuid.UUID) -> Application:
    """The application if the person may see it; 404 otherwise, so that nobody learns which
    applications exist."""
    application = get_object_or_404(
        Application.objects.select_related("round__fund", "organisation", "tier"),
        public_id=public_id,
    )
    if not can_view_application(request.user, application):
        # A panel member who declared a conflict knows the application exists: tell them why.
        refuse_if_conflicted(request, application)
        raise Http404("No such application.")
    return application


class NotADraft(Exception):
    """A member opened a page that changes an application that is no longer a draft."""

    def __init__(self, application: Application) -> None:
        super().__init__(application.get_status_display())
        self.application = application


def _draft(request: HttpRequest, public_id: uuid.UUID) -> Application:
    return _as_draft(request, _application(request, public_id))


def _as_draft(request: HttpRequest, application: Application) -> Application:
    """The application, if the person may change it as a draft."""
    if not can_edit_application(request.user, application):
        if is_member(request.user, application.organisation_id):
            raise NotADraft(application)
        raise PermissionDenied("Only the applying organisation can change a draft application.")
    return application


def _documents_application(request: HttpRequest, public_id: uuid.UUID) -> Application:
    """The application whose supporting documents the person may change: a draft, or one we
    asked the applicant for more information about."""
    application = _application(request, public_id)
    if applications.is_awaiting_reply(application) and is_member(
        request.user, application.organisation_id
    ):
        return application
    return _as_draft(request, application)


def draft_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that changes a draft: once submitted or withdrawn, it sends the applicant back to
    the application, saying why."""

    @refuses_conflicted
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotADraft as refusal:
            status = refusal.application.get_status_display().lower()
            messages.error(
                request, f"This application is {status}, so it can no longer be changed."
            )
            return redirect(_application_url(refusal.application))

    return wrapped


# Your applications and organisations ----------------------------------------------------------


@login_required
@require_GET
def your_applications(request: HttpRequest) -> HttpResponse:
    context = {
        "applications": applications.applications_of(request.user),
        "organisations": applications.organisations_of(request.user),
        "open_rounds": applications.open_rounds(),
    }
    return render(request, "fund/apply/yours.html", context)


def _page(request, form, *, heading, caption, back_url, template="fund/apply/form.html", **extra):
    context = {
        "form": form,
        "heading": heading,
        "caption": caption,
        "back_url": back_url,
        **extra,
    }
    return render(request, template, context)


def _handle(
    request: HttpRequest,
    form: Form,
    action: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    message: str = "",
) -> HttpResponse | None:
    """On a valid POST run the action and redirect; None means show the form (with errors)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if message:
                messages.success(request, message)
            return redirect(done(result))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(posted(request))
    next_url = request.GET.get("next", "")
    back = next_url if next_url.startswith("/fund/") else reverse("fund:applications")
    response = _handle(
        request,
        form,
        lambda data: applications.register_organisation(request.user, **data),
        lambda organisation: back,
        "Your organisation has been registered.",
    )
    return response or _page(
        request,
        form,
        heading="Register your organisation",
        caption="Apply for funding",
        back_url=back,
    )


def _member_organisation(request: HttpRequest, public_id: uuid.UUID) -> Organisation:
    organisation = get_object_or_404(Organisation, public_id=public_id)
    if not is_member(request.user, organisation.pk):
        raise Http404("No such organisation.")
    return organisation


def _organisation_fields(organisation: Organisation) -> dict:
    return {name: getattr(organisation, name) for name in OrganisationForm.base_fields}


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    organisation = _member_organisation(request, public_id)
    next_url = request.GET.get("next", "")
    back = next_url if next_url.startswith("/fund/") else reverse("fund:applications")
    form = OrganisationForm(
        posted(request),
        initial=_organisation_fields(organisation),
    )
    response = _handle(
        request,
        form,
        lambda data: applications.update_organisation(request.user, organisation, **data),
        lambda saved: back,
        "Your organisation’s details have been saved.",
    )
    members = organisation.members.select_related("user")
    is_lead = members.filter(user=request.user, role=OrganisationRole.LEAD_CONTACT).exists()
    return response or _page(
        request,
        form,
        heading="Your organisation",
        caption=organisation.name,
        back_url=back,
        template="fund/apply/organisation.html",
        organisation=organisation,
        members=members,
        is_lead=is_lead,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    organisation = _member_organisation(request, public_id)
    back = reverse("fund:organisation", args=[organisation.public_id])
    form = MemberForm(posted(request))
    response = _handle(
        request,
        form,
        lambda data: applications.add_member(request.user, organisation, data["email"]),
        lambda member: back,
        "They have been added. They can now see and work on the organisation’s applications.",
    )
    return response or _page(
        request,
        form,
        heading="Add a member",
        caption=organisation.name,
        back_url=back,
        hint="They need an account already. Members can see and change all of the "
        "organisation’s applications.",
    )


# Starting -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, fund_slug: str, round_slug: str) -> HttpResponse:
    round_ = get_object_or_404(
        Round.objects.select_related("fund"),
        fund__slug=fund_slug,
        slug=round_slug,
        published=True,
        fund__is_published=True,
    )
    round_url = reverse("fund:round", args=[fund_slug, round_slug])
    if not round_.is_open():
        messages.error(request, "This round is not open for applications.")
        return redirect(round_url)
    organisations = Organisation.objects.filter(members__user=request.user).order_by("name")
    if not organisations.exists():
        return redirect(reverse("fund:organisation-create") + f"?next={request.path}")
    form = StartForm(
        posted(request),
        organisations=organisations,
        initial={"organisation": organisations.first().public_id},
    )
    response = _handle(
        request,
        form,
        lambda data: applications.start_application(request.user, round_, data["organisation"]),
        _application_url,
    )
    return response or _page(
        request,
        form,
        heading="Start an application",
        caption=f"{round_.fund.name}: {round_.title}",
        back_url=round_url,
        submit_label="Start",
        hint_html=True,
    )


# The task list and the summary ----------------------------------------------------------------


@login_required
@require_GET
@refuses_conflicted
def application_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application(request, public_id)
    if can_edit_application(request.user, application):
        tasks = applications.task_list(application)
        context = {
            "application": application,
            "tasks": [(task, reverse(TASK_URLS[task.key], args=[public_id])) for task in tasks],
            "refusals": applications.eligibility_refusals(application),
        }
        context["done"] = sum(1 for task in tasks if task.is_done)
        context["total"] = len(tasks)
        context["can_submit"] = not applications.submission_problems(application)
        return render(request, "fund/apply/task_list.html", context)
    if not is_member(request.user, application.organisation_id):
        # Officers and panel members reading an application: personal data, so audited.
        audit.record(request.user, APPLICATION_VIEWED, application)
    return render(request, "fund/apply/summary.html", _summary_context(request, application))


def _project_rows(application: Application) -> list[tuple[str, str]]:
    tier = application.tier
    place = application.postcode
    if application.ward_code:
        place = f"{place} (ward {application.ward_code}, LSOA {application.lsoa21_code})"
    gaps = recorded_gaps.for_application(application)
    # Said wherever the round weights it, so the score is no surprise, or the applicant chose one.
    gap_rows = (
        [("Answers a recorded gap", recorded_gaps.describe(gaps))]
        if gaps or application.round.recorded_gap_weight > 0
        else []
    )
    return [
        ("Name", application.project_title or "Not given"),
        ("Summary", application.summary or "Not given"),
        ("Priorities", "\n".join(p.title for p in application.priorities.all()) or "None"),
        *gap_rows,
        ("Size of grant", tier.name if tier else "Not chosen"),
        ("Amount", pounds(application.amount_requested) or "Not given"),
        ("Years", str(application.years)),
        ("Where", place or "Not given"),
    ]


def _summary_context(request: HttpRequest, application: Application) -> dict:
    answers = {a.question_id: a.text for a in application.answers.all()}
    eligibility = {a.question_id: a.answer for a in application.eligibility_answers.all()}
    return {
        "application": application,
        "is_member": is_member(request.user, application.organisation_id),
        "eligibility": [
            (question, eligibility.get(question.pk))
            for question in application.round.eligibility_questions.all()
        ],
        "questions": [
            (question, answers.get(question.pk, ""))
            for question in application.round.form_questions.all()
        ],
        "project_rows": _project_rows(application),
        "budget_lines": application.budget_lines.all(),
        "budget_total": applications.budget_total(application),
        "match_funding": application.match_funding.all(),
        "partners": application.partners.select_related("organisation"),
        "documents": application.documents.all(),
        "can_withdraw": is_member(request.user, application.organisation_id)
        and application.status in applications.WITHDRAWABLE,
        "information_request": applications.information_request(application),
        "replies": application.decisions.filter(replied_at__isnull=False).select_related(
            "replied_by"
        ),
    }


# Sections -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def eligibility(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    questions = list(application.round.eligibility_questions.all())
    current = {a.question_id: a.answer for a in application.eligibility_answers.all()}
    form = EligibilityForm(
        posted(request),
        questions=questions,
        initial={f"question_{pk}": "yes" if answer else "no" for pk, answer in current.items()},
    )
    refusals: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            refusals = applications.save_eligibility(request.user, application, form.answers())
        except ValidationError as error:
            add_errors(form, error)
        else:
            if not refusals:
                return redirect(_application_url(application))
            return render(
                request,
                "fund/apply/ineligible.html",
                {"application": application, "refusals": refusals},
            )
    return _page(
        request,
        form,
        heading="Check you can apply",
        caption=application.round.title,
        back_url=_application_url(application),
        submit_label="Continue",
    )


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def organisation_section(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    url = reverse("fund:organisation", args=[application.organisation.public_id])
    return redirect(f"{url}?next={_application_url(application)}")


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def project(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    form = ProjectForm(
        posted(request),
        round_=application.round,
        initial=initial_project(application),
    )
    response = _handle(
        request,
        form,
        lambda data: applications.save_project(request.user, application, **data),
        _application_url,
        "Your project details have been saved.",
    )
    return response or _page(
        request,
        form,
        heading="Your project",
        caption=application.round.title,
        back_url=_application_url(application),
    )


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def questions(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    current = {a.question_id: a.text for a in application.answers.all()}
    form = QuestionsForm(
        posted(request),
        questions=application.round.form_questions.all(),
        initial={f"question_{pk}": text for pk, text in current.items()},
    )
    response = _handle(
        request,
        form,
        lambda data: applications.save_answers(request.user, application, form.answers()),
        _application_url,
        "Your answers have been saved.",
    )
    return response or _page(
        request,
        form,
        heading="Questions about your project",
        caption=application.round.title,
        back_url=_application_url(application),
        hint="You can save unfinished answers and come back to them before you submit.",
    )


def _list_section(
    request: HttpRequest,
    application: Application,
    form: Form,
    *,
    add: Callable[[dict[str, Any]], Any],
    section: str,
    heading: str,
    items,
    added: str,
    multipart: bool = False,
    **extra,
) -> HttpResponse:
    """A section that is a list of things (budget lines, match funding, partners, documents):
    the list with a Remove button on each, and a form to add one more."""
    here = reverse(f"fund:{section}", args=[application.public_id])
    response = _handle(request, form, add, lambda item: here, added)
    context = {
        "application": application,
        "form": form,
        "heading": heading,
        "section": section,
        "items": items,
        "multipart": multipart,
        "back_url": _application_url(application),
        **extra,
    }
    return response or render(request, f"fund/apply/{section}.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def budget(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    form = BudgetLineForm(posted(request), years=application.years)
    return _list_section(
        request,
        application,
        form,
        add=lambda data: applications.add_budget_line(request.user, application, **data),
        section="budget",
        heading="Budget",
        items=application.budget_lines.all(),
        added="The budget line has been added.",
        total=applications.budget_total(application),
        problems=applications.budget_problems(application),
    )


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def match_funding(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    form = MatchFundingForm(posted(request))
    return _list_section(
        request,
        application,
        form,
        add=lambda data: applications.add_match_funding(request.user, application, **data),
        section="match-funding",
        heading="Match funding",
        items=application.match_funding.all(),
        added="The match funding has been added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def partners(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    form = PartnerForm(posted(request))
    return _list_section(
        request,
        application,
        form,
        add=lambda data: applications.add_partner(request.user, application, **data),
        section="partners",
        heading="Partner organisations",
        items=application.partners.select_related("organisation"),
        added="The partner has been added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def documents_section(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _documents_application(request, public_id)
    form = DocumentForm(*posted(request, with_files=True))
    items = list(application.documents.all())
    question = applications.information_request(application)
    return _list_section(
        request,
        application,
        form,
        add=lambda data: documents.upload_document(
            request.user, application, kind=data["kind"], uploaded=data["file"]
        ),
        section="documents",
        heading="Supporting documents",
        items=items,
        added="The document has been uploaded.",
        multipart=True,
        removable={
            item.pk
            for item in items
            if applications.can_remove_document(item, application, request=question)
        },
        information_request=question,
        max_megabytes=settings.OPENDEAL_FUND_MAX_UPLOAD_BYTES // (1024 * 1024),
    )


_REMOVABLE = {
    "budget": (BudgetLine, applications.remove_budget_line),
    "match-funding": (MatchFunding, applications.remove_match_funding),
    "partners": (ApplicationPartner, applications.remove_partner),
    "documents": (SupportingDocument, documents.remove_document),
}


@login_required
@require_POST
@draft_page
def remove(request: HttpRequest, public_id: uuid.UUID, section: str, item_id: uuid.UUID):
    if section == "documents":
        application = _documents_application(request, public_id)
    else:
        application = _draft(request, public_id)
    if section not in _REMOVABLE:
        raise Http404("No such section.")
    model, action = _REMOVABLE[section]
    item = get_object_or_404(model, application=application, public_id=item_id)
    try:
        action(request.user, item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "It has been removed.")
    return redirect(reverse(f"fund:{section}", args=[application.public_id]))


# Check answers, submit, withdraw ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@draft_page
def check_answers(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _draft(request, public_id)
    error = ""
    if request.method == "POST":
        try:
            applications.submit(request.user, application)
        except ValidationError as refusal:
            error = refusal
        else:
            return redirect(reverse("fund:submitted", args=[application.public_id]))
    context = _summary_context(request, application)
    context["problems"] = applications.submission_problems(application)
    context["refusal"] = error.messages if error else []
    return render(request, "fund/apply/check.html", context)


@login_required
@require_GET
@refuses_conflicted
def submitted(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application(request, public_id)
    return render(request, "fund/apply/submitted.html", {"application": application})


@login_required
@require_http_methods(["GET", "POST"])
@refuses_conflicted
def withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application(request, public_id)
    if not is_member(request.user, application.organisation_id):
        raise PermissionDenied("Only the applying organisation can withdraw an application.")
    if request.method == "POST":
        try:
            applications.withdraw(request.user, application)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your application has been withdrawn.")
        return redirect(_application_url(application))
    return render(request, "fund/apply/withdraw.html", {"application": application})


# Replying to a request for more information ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@refuses_conflicted
def reply(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Read what the officers asked, write the reply (saving to come back to it) and send it."""
    application = _application(request, public_id)
    if not is_member(request.user, application.organisation_id):
        raise PermissionDenied("Only the applying organisation can reply.")
    question = applications.information_request(application)
    if question is None:
        status = application.get_status_display().lower()
        messages.error(
            request, f"This application is {status}: we are not waiting for more information."
        )
        return redirect(_application_url(application))
    form = ReplyForm(posted(request), initial={"reply": question.reply})
    sending = "send" in request.POST
    response = _handle(
        request,
        form,
        lambda data: (applications.send_reply if sending else applications.save_reply)(
            request.user, application, data["reply"]
        ),
        lambda saved: _application_url(application),
        "Your reply has been sent. We will make our decision and write to you."
        if sending
        else "Your reply has been saved. Come back to finish and send it.",
    )
    return response or render(
        request,
        "fund/apply/reply.html",
        {"application": application, "question": question, "form": form},
    )


# Documents ------------------------------------------------------------------------------------


@login_required
@require_GET
@refuses_conflicted
def document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A supporting document, for people who may see its application; always downloaded (never
    shown in the page), and audited."""
    item = get_object_or_404(
        SupportingDocument.objects.select_related("application"), public_id=public_id
    )
    try:
        sent = documents.open_document(request.user, item)
    except PermissionDenied:
        refuse_if_conflicted(request, item.application)
        raise Http404("No such document.") from None
    response = FileResponse(
        sent.file, as_attachment=True, filename=sent.filename, content_type=sent.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("apply/", your_applications, name="applications"),
    path("apply/organisations/new/", organisation_create, name="organisation-create"),
    path("apply/organisations/<uuid:public_id>/", organisation_edit, name="organisation"),
    path("apply/organisations/<uuid:public_id>/members/new/", member_add, name="member-add"),
    path("funds/<slug:fund_slug>/<slug:round_slug>/apply/", start, name="start"),
    path("applications/<uuid:public_id>/", application_page, name="application"),
    path("applications/<uuid:public_id>/eligibility/", eligibility, name="eligibility-answers"),
    path(
        "applications/<uuid:public_id>/organisation/",
        organisation_section,
        name="organisation-section",
    ),
    path("applications/<uuid:public_id>/project/", project, name="project"),
    path("applications/<uuid:public_id>/questions/", questions, name="questions"),
    path("applications/<uuid:public_id>/budget/", budget, name="budget"),
    path("applications/<uuid:public_id>/match-funding/", match_funding, name="match-funding"),
    path("applications/<uuid:public_id>/partners/", partners, name="partners"),
    path("applications/<uuid:public_id>/documents/", documents_section, name="documents"),
    path(
        "applications/<uuid:public_id>/<slug:section>/<uuid:item_id>/remove/",
        remove,
        name="remove",
    ),
    path("applications/<uuid:public_id>/check/", check_answers, name="check"),
    path("applications/<uuid:public_id>/submitted/", submitted, name="submitted"),
    path("applications/<uuid:public_id>/withdraw/", withdraw, name="withdraw"),
    path("applications/<uuid:public_id>/reply/", reply, name="reply"),
    path("documents/<uuid:public_id>/", document, name="document"),
]
