"""Applying for funding: applicant organisations and the people who act for them, and an
application's journey through the GOV.UK task list to submission or withdrawal.

Rules:
- Any signed-in person may register an organisation: they become its main contact and a
  community organisation member (the role that may apply). Its 360Giving org id is computed
  from its kind and numbers (`orgids`); one organisation per org id.
- Only the applying organisation's people change an application, only while it is a draft
  and only while the round is open. Every change locks the application row, so two members
  editing at once cannot interleave, and happens in one transaction: nothing is half-saved.
- Eligibility comes first: a wrong answer stops the applicant, with the round's reason,
  before anything else can be started.
- Amounts are pence-exact Decimals within the tier's minimum and maximum; budget lines fall in
  the project's years and add up exactly to the amount requested.
- The round is open from `opens_at` up to, not including, `closes_at`, by the server's clock
  when the submission arrives; and it must be published.
- When officers ask for more information, the applicant answers here, whether or not the round
  is still open: they may add supporting documents (and remove those added since the request)
  and write a reply, saved as they go; sending it returns the application to the officers as
  eligible and emails the officer who asked. They may also withdraw.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from opendeal.core import audit
from opendeal.core.editing import assign_fields
from opendeal.core.mail import send_email_after_commit
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, holders_of, require
from opendeal.core.roles import Role
from opendeal.geography.geocoding import InvalidPostcode, UnknownPostcode, locate_postcode

from . import orgids, published_files
from .access import is_member
from .models import (
    Application,
    ApplicationPartner,
    ApplicationStatus,
    BudgetLine,
    Decision,
    DecisionOutcome,
    EligibilityAnswer,
    FormAnswer,
    FormQuestion,
    Grant,
    MatchFunding,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
    Priority,
    Round,
    Tier,
)

PENNY = Decimal("0.01")
ORGANISATION_FIELDS = frozenset(
    {
        "name",
        "kind",
        "charity_number",
        "company_number",
        "description",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "website",
    }
)


def money(amount: Decimal) -> str:
    """£2,000.00"""
    return f"£{amount:,.2f}"


def london(moment: datetime.datetime) -> str:
    """ "12:00pm on Friday 30 January 2026", in UK time (GOV.UK style)."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'g:iA').lower()} on {date_format(local, 'l j F Y')}"


def can_apply(actor: User) -> tuple[bool, str]:
    return check_permission(
        actor, "fund.apply_to_fund", to="apply for funding", role_lacks="applying for funding"
    )


def count_words(text: str) -> int:
    return len(re.findall(r"\S+", text or ""))


def _assign_text_fields(instance, fields: dict, allowed: frozenset[str]) -> list[str]:
    # Forms give None for an empty optional field; these text columns hold "".
    blanked = {name: "" if value is None else value for name, value in fields.items()}
    return assign_fields(instance, blanked, allowed)


# Organisations --------------------------------------------------------------------------------


def _locate(postcode: str, field: str = "postcode") -> tuple[str, str, str]:
    """The postcode tidied, with its LSOA and ward; ("", "", "") for none."""
    if not (postcode or "").strip():
        return "", "", ""
    try:
        location = locate_postcode(postcode)
    except InvalidPostcode as error:
        raise ValidationError({field: str(error)}) from None
    except UnknownPostcode as error:
        raise ValidationError(
            {field: f"{error}. Check the postcode, or ask the fund team for help."}
        ) from None
    return location.postcode, location.lsoa21_code, location.ward_code


def _tidy_organisation(organisation: Organisation) -> None:
    errors = {}
    organisation.name = (organisation.name or "").strip()
    if not organisation.name:
        errors["name"] = "Enter the name of the organisation"
    if organisation.kind not in OrganisationKind.values:
        errors["kind"] = "Select what kind of organisation it is"
    else:
        try:
            organisation.charity_number, organisation.company_number = orgids.clean_numbers(
                organisation.kind, organisation.charity_number, organisation.company_number
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        postcode, lsoa, ward = _locate(organisation.postcode)
        organisation.postcode, organisation.lsoa21_code, organisation.ward_code = (
            postcode,
            lsoa,
            ward,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    organisation.org_id = orgids.org_id_for(
        organisation.kind,
        organisation.charity_number,
        organisation.company_number,
        organisation.public_id,
    )
    taken = Organisation.objects.filter(org_id=organisation.org_id).exclude(pk=organisation.pk)
    if taken.exists():
        raise _already_registered(organisation)


def _already_registered(organisation: Organisation) -> ValidationError:
    field = "charity_number" if organisation.charity_number else "company_number"
    return ValidationError(
        {
            field: "An organisation with this number is already registered here. Ask its "
            "main contact to add you as a member."
        }
    )


def _give_applicant_role(user: User) -> None:
    user.groups.add(Group.objects.get(name=Role.COMMUNITY_MEMBER.label))


@transaction.atomic
def register_organisation(actor: User, **fields) -> Organisation:
    """Register an organisation; the actor becomes its main contact.

    An organisation already here under the same org id that has no members (one a lead
    applicant named as a partner, say) is claimed instead: the actor's details replace what
    was recorded, the actor becomes its first member and main contact, and the claim is
    recorded (`claimed_by`, `claimed_at`, audited) for fund officers to see. One that has
    members already is refused: its main contact adds people."""
    if not actor.is_authenticated:
        raise PermissionDenied("Sign in to register an organisation.")
    organisation = Organisation()
    changed = _assign_text_fields(organisation, fields, ORGANISATION_FIELDS)
    try:
        _tidy_organisation(organisation)
    except ValidationError:
        unclaimed = _unclaimed_namesake(organisation)
        if unclaimed is None:
            raise
        return _claim_organisation(actor, unclaimed, fields)
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    organisation.save()
    OrganisationMember.objects.create(
        organisation=organisation, user=actor, role=OrganisationRole.LEAD_CONTACT
    )
    _give_applicant_role(actor)
    audit.record(actor, "fund.organisation.registered", organisation, fields=changed)
    return organisation


def _unclaimed_namesake(organisation: Organisation) -> Organisation | None:
    """The organisation already here with the same (registered) org id, locked, if it has no
    members; None otherwise. Locking it makes two people claiming at once take turns, and the
    second then finds it has a member."""
    if not organisation.org_id or not organisation.is_registered:
        return None
    existing = Organisation.objects.select_for_update().filter(org_id=organisation.org_id).first()
    if existing is None or existing.members.exists():
        return None
    return existing


def _claim_organisation(actor: User, organisation: Organisation, fields: dict) -> Organisation:
    changed = _assign_text_fields(organisation, fields, ORGANISATION_FIELDS)
    _tidy_organisation(organisation)
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    organisation.claimed_by = actor
    organisation.claimed_at = timezone.now()
    organisation.save()
    OrganisationMember.objects.create(
        organisation=organisation, user=actor, role=OrganisationRole.LEAD_CONTACT
    )
    _give_applicant_role(actor)
    audit.record(
        actor,
        "fund.organisation.claimed",
        organisation,
        fields=changed,
        claimed_by=actor.pk,
    )
    _republish_if_funded(organisation)
    return organisation


def _lock_organisation_for(actor: User, organisation: Organisation) -> Organisation:
    if not is_member(actor, organisation.pk):
        raise PermissionDenied("Only the organisation's members can change its details.")
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


@transaction.atomic
def update_organisation(actor: User, organisation: Organisation, **fields) -> Organisation:
    organisation = _lock_organisation_for(actor, organisation)
    changed = _assign_text_fields(organisation, fields, ORGANISATION_FIELDS)
    _tidy_organisation(organisation)
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    organisation.save()
    audit.record(actor, "fund.organisation.updated", organisation, fields=changed)
    _republish_if_funded(organisation)
    return organisation


def _republish_if_funded(organisation: Organisation) -> None:
    """A funded organisation's public details (name, numbers, address, website) are in the
    published 360Giving files: rebuild them."""
    if Grant.objects.filter(application__organisation=organisation).exists():
        published_files.request_rebuild()


@transaction.atomic
def add_member(actor: User, organisation: Organisation, email: str) -> OrganisationMember:
    """The main contact adds someone who already has an account to the organisation."""
    organisation = _lock_organisation_for(actor, organisation)
    leads = organisation.members.filter(user=actor, role=OrganisationRole.LEAD_CONTACT)
    if not leads.exists():
        raise PermissionDenied("Only the organisation's main contact can add members.")
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationError(
            {"email": "Nobody has an account with this email address. Ask them to create one."}
        )
    member, created = OrganisationMember.objects.get_or_create(organisation=organisation, user=user)
    if not created:
        raise ValidationError({"email": "This person is already a member."})
    _give_applicant_role(user)
    audit.record(actor, "fund.organisation.member_added", organisation, member_id=user.pk)
    return member


def organisations_of(user: User) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    return list(Organisation.objects.filter(members__user=user).order_by("name"))


# Starting and editing an application ---------------------------------------------------------


@transaction.atomic
def start_application(actor: User, round_: Round, organisation: Organisation) -> Application:
    """A new draft, or the organisation's draft for this round if it has one already (so
    pressing "Start" twice carries on where they left off rather than starting again)."""
    require(can_apply(actor))
    if not is_member(actor, organisation.pk):
        raise PermissionDenied("You can apply only for an organisation you are a member of.")
    if not round_.is_open():
        raise ValidationError("This round is not open for applications.")
    # Locking the organisation makes two "Start" presses at once find one draft, not make two.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    draft = Application.objects.filter(
        round=round_, organisation=organisation, status=ApplicationStatus.DRAFT
    ).first()
    if draft is not None:
        return draft
    application = Application.objects.create(
        round=round_, organisation=organisation, created_by=actor
    )
    audit.record(actor, "fund.application.started", application)
    return application


def _editable(actor: User, application: Application, now: datetime.datetime | None = None):
    """The application locked for a change by one of its organisation's people, while it is a
    draft in an open round. Call inside a transaction."""
    if not is_member(actor, application.organisation_id):
        raise PermissionDenied("Only the applying organisation's members can change it.")
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}, so it can no "
            "longer be changed."
        )
    round_ = application.round
    if round_.has_closed(now):
        raise ValidationError(
            f"This round closed at {london(round_.closes_at)}, so the application can no "
            "longer be changed."
        )
    return application


def _touch(actor: User, application: Application, action: str, **details) -> None:
    application.updated_at = timezone.now()
    application.save(update_fields=["updated_at"])
    audit.record(actor, action, application, **details)


def eligibility_refusals(application: Application) -> list[str]:
    """The round's reasons the applicant cannot apply, from the answers given so far."""
    answers = {a.question_id: a.answer for a in application.eligibility_answers.all()}
    return [
        question.ineligible_message
        for question in application.round.eligibility_questions.all()
        if question.pk in answers and answers[question.pk] != question.eligible_answer
    ]


def eligibility_passed(application: Application) -> bool:
    answers = {a.question_id: a.answer for a in application.eligibility_answers.all()}
    return all(
        answers.get(question.pk) == question.eligible_answer
        for question in application.round.eligibility_questions.all()
    )


@transaction.atomic
def save_eligibility(actor: User, application: Application, answers: dict[int, bool]) -> list[str]:
    """Record yes/no answers (by question id); return the reasons the applicant cannot apply,
    empty when they can go on."""
    application = _editable(actor, application)
    questions = {q.pk: q for q in application.round.eligibility_questions.all()}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError("Those questions are not part of this round.")
    missing = [q for pk, q in questions.items() if answers.get(pk) is None]
    if missing:
        raise ValidationError({f"question_{q.pk}": "Select yes or no" for q in missing})
    for pk, answer in answers.items():
        EligibilityAnswer.objects.update_or_create(
            application=application, question_id=pk, defaults={"answer": answer}
        )
    refusals = eligibility_refusals(application)
    _touch(actor, application, "fund.application.eligibility_saved", eligible=not refusals)
    return refusals


def _require_eligible(application: Application) -> None:
    if not eligibility_passed(application):
        raise ValidationError(
            "Answer the eligibility questions first: they say whether you can apply."
        )


def _amount_problem(amount: Decimal | None, tier: Tier | None) -> str:
    if amount is None:
        return "Enter how much you are asking for"
    if amount != amount.quantize(PENNY):
        return "Enter the amount in pounds and pence, like 1500 or 1500.50"
    if amount <= 0:
        return "Enter an amount more than £0"
    if tier is not None and amount > tier.maximum_amount:
        return (
            f"The most you can ask for from the {tier.name} tier is "
            f"{money(tier.maximum_amount)}. Ask for less, or choose another tier."
        )
    if tier is not None and amount < tier.minimum_amount:
        return (
            f"The {tier.name} tier is for amounts of {money(tier.minimum_amount)} or more. "
            "Choose the tier for smaller amounts."
        )
    return ""


def _years_problem(years: int | None, tier: Tier | None) -> str:
    if not years or years < 1:
        return "Enter how many years the project runs for"
    if tier is not None and years > tier.maximum_years:
        plural = "year" if tier.maximum_years == 1 else "years"
        return f"The {tier.name} tier funds projects for up to {tier.maximum_years} {plural}."
    return ""


@transaction.atomic
def save_project(
    actor: User,
    application: Application,
    *,
    project_title: str,
    summary: str,
    priorities: Iterable[Priority],
    tier: Tier | None,
    amount_requested: Decimal | None,
    years: int | None,
    postcode: str,
) -> Application:
    application = _editable(actor, application)
    _require_eligible(application)
    priorities = list(priorities)
    errors: dict[str, str] = {}
    if not (project_title or "").strip():
        errors["project_title"] = "Enter the name of your project"
    if not (summary or "").strip():
        errors["summary"] = "Enter a summary of your project"
    if any(priority.round_id != application.round_id for priority in priorities):
        errors["priorities"] = "Choose from this round's priorities"
    elif not priorities:
        errors["priorities"] = "Select at least one priority your project meets"
    if tier is None or tier.round_id != application.round_id:
        errors["tier"] = "Select the size of grant you are applying for"
        tier = None
    problem = _amount_problem(amount_requested, tier)
    if problem:
        errors["amount_requested"] = problem
    problem = _years_problem(years, tier)
    if problem:
        errors["years"] = problem
    if not (postcode or "").strip():
        errors["postcode"] = "Enter the postcode of where the project happens"
    else:
        try:
            location = _locate(postcode)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    application.project_title = project_title.strip()
    application.summary = summary.strip()
    application.tier = tier
    application.amount_requested = amount_requested
    application.years = years
    application.postcode, application.lsoa21_code, application.ward_code = location
    application.save()
    application.priorities.set(priorities)
    _touch(actor, application, "fund.application.project_saved")
    return application


def word_limit_problem(question: FormQuestion, text: str) -> str:
    if question.max_words and count_words(text) > question.max_words:
        return (
            f"Your answer must be {question.max_words} words or fewer (it has {count_words(text)})"
        )
    return ""


@transaction.atomic
def save_answers(actor: User, application: Application, answers: dict[int, str]) -> Application:
    """Save answers to the round's questions (by question id). Unanswered required questions
    may wait until submission; an answer over its word limit is refused now."""
    application = _editable(actor, application)
    _require_eligible(application)
    questions = {q.pk: q for q in application.round.form_questions.all()}
    if set(answers) - set(questions):
        raise ValidationError("Those questions are not part of this round.")
    errors = {
        f"question_{pk}": problem
        for pk, text in answers.items()
        if (problem := word_limit_problem(questions[pk], text))
    }
    if errors:
        raise ValidationError(errors)
    for pk, text in answers.items():
        FormAnswer.objects.update_or_create(
            application=application, question_id=pk, defaults={"text": (text or "").strip()}
        )
    _touch(actor, application, "fund.application.answers_saved")
    return application


@transaction.atomic
def add_budget_line(
    actor: User, application: Application, *, year: int, description: str, amount: Decimal
) -> BudgetLine:
    application = _editable(actor, application)
    _require_eligible(application)
    errors = {}
    if not year or year < 1 or year > application.years:
        plural = "year" if application.years == 1 else "years"
        errors["year"] = f"Your project runs for {application.years} {plural}: choose one of them"
    if not (description or "").strip():
        errors["description"] = "Enter what the money pays for"
    if amount is None or amount <= 0:
        errors["amount"] = "Enter an amount more than £0"
    elif amount != amount.quantize(PENNY):
        errors["amount"] = "Enter the amount in pounds and pence, like 250 or 250.50"
    if errors:
        raise ValidationError(errors)
    line = BudgetLine.objects.create(
        application=application, year=year, description=description.strip(), amount=amount
    )
    _touch(actor, application, "fund.application.budget_line_added", line_id=line.pk)
    return line


@transaction.atomic
def remove_budget_line(actor: User, line: BudgetLine) -> None:
    application = _editable(actor, line.application)
    line.delete()
    _touch(actor, application, "fund.application.budget_line_removed")


def budget_total(application: Application) -> Decimal:
    return sum((line.amount for line in application.budget_lines.all()), Decimal("0.00"))


def budget_problems(application: Application) -> list[str]:
    lines = list(application.budget_lines.all())
    if not lines:
        return ["Add the budget: what the money pays for in each year"]
    problems = []
    late = [line for line in lines if line.year > application.years]
    if late:
        problems.append(
            f"Move or remove the budget lines for years after year {application.years}, "
            "when your project ends"
        )
    total = sum((line.amount for line in lines), Decimal("0.00"))
    if application.amount_requested is not None and total != application.amount_requested:
        problems.append(
            f"Your budget adds up to {money(total)} but you are asking for "
            f"{money(application.amount_requested)}: the two must be the same"
        )
    return problems


@transaction.atomic
def add_match_funding(
    actor: User, application: Application, *, source: str, amount: Decimal, secured: bool
) -> MatchFunding:
    application = _editable(actor, application)
    _require_eligible(application)
    errors = {}
    if not (source or "").strip():
        errors["source"] = "Enter where the money or support comes from"
    if amount is None or amount <= 0:
        errors["amount"] = "Enter an amount more than £0"
    elif amount != amount.quantize(PENNY):
        errors["amount"] = "Enter the amount in pounds and pence, like 250 or 250.50"
    if errors:
        raise ValidationError(errors)
    match = MatchFunding.objects.create(
        application=application, source=source.strip(), amount=amount, secured=secured
    )
    _touch(actor, application, "fund.application.match_funding_added", match_id=match.pk)
    return match


@transaction.atomic
def remove_match_funding(actor: User, match: MatchFunding) -> None:
    application = _editable(actor, match.application)
    match.delete()
    _touch(actor, application, "fund.application.match_funding_removed")


@transaction.atomic
def add_partner(
    actor: User,
    application: Application,
    *,
    name: str,
    kind: str,
    charity_number: str = "",
    company_number: str = "",
    role_in_project: str,
) -> ApplicationPartner:
    """Name a partner organisation in a joint bid. A registered organisation already known
    here (by its org id) is reused; otherwise it is recorded, without members."""
    application = _editable(actor, application)
    _require_eligible(application)
    if not (role_in_project or "").strip():
        raise ValidationError({"role_in_project": "Say what the partner does in the project"})
    candidate = Organisation(
        name=name, kind=kind, charity_number=charity_number, company_number=company_number
    )
    try:
        _tidy_organisation(candidate)
        partner = candidate
    except ValidationError as error:
        # Already registered: that is the partner (a number is what identifies it).
        numbers = orgids.clean_numbers(kind, charity_number, company_number)
        org_id = orgids.org_id_for(kind, *numbers, candidate.public_id)
        partner = Organisation.objects.filter(org_id=org_id).first()
        if partner is None:
            raise error from None
    if partner.pk == application.organisation_id:
        raise ValidationError(
            {"name": "Your own organisation is the lead applicant, not a partner"}
        )
    if partner.pk is None:
        partner.full_clean(validate_unique=False, validate_constraints=False)
        partner.save()
    elif application.partners.filter(organisation=partner).exists():
        raise ValidationError({"name": f"{partner.name} is already a partner in this bid"})
    link = ApplicationPartner.objects.create(
        application=application, organisation=partner, role_in_project=role_in_project.strip()
    )
    _touch(actor, application, "fund.application.partner_added", organisation_id=partner.pk)
    return link


@transaction.atomic
def remove_partner(actor: User, link: ApplicationPartner) -> None:
    application = _editable(actor, link.application)
    link.delete()
    _touch(actor, application, "fund.application.partner_removed")


# The task list, checking and submitting -------------------------------------------------------


class TaskStatus:
    COMPLETED = "Completed"
    INCOMPLETE = "Incomplete"
    NOT_STARTED = "Not yet started"
    CANNOT_START = "Cannot start yet"
    OPTIONAL = "Optional"
    STOPPED = "Not eligible"


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    status: str
    hint: str = ""

    @property
    def can_open(self) -> bool:
        return self.status != TaskStatus.CANNOT_START

    @property
    def is_done(self) -> bool:
        return self.status in (TaskStatus.COMPLETED, TaskStatus.OPTIONAL)


def organisation_problems(organisation: Organisation) -> list[str]:
    problems = []
    if not organisation.address_line_1 or not organisation.postcode:
        problems.append("Add your organisation's address and postcode")
    return problems


def project_problems(application: Application) -> list[str]:
    problems = []
    if not application.project_title or not application.summary:
        problems.append("Give your project a name and summary")
    if not application.priorities.exists():
        problems.append("Select at least one priority your project meets")
    if application.tier_id is None:
        problems.append("Select the size of grant you are applying for")
    problem = _amount_problem(application.amount_requested, application.tier)
    if problem:
        problems.append(problem)
    problem = _years_problem(application.years, application.tier)
    if problem and application.tier_id is not None:
        problems.append(problem)
    if not application.postcode:
        problems.append("Enter the postcode of where the project happens")
    return problems


def question_problems(application: Application) -> list[str]:
    answers = {a.question_id: a.text for a in application.answers.all()}
    problems = []
    for question in application.round.form_questions.all():
        text = answers.get(question.pk, "")
        if question.required and not text.strip():
            problems.append(f"Answer “{question.text}”")
        elif problem := word_limit_problem(question, text):
            problems.append(f"“{question.text}”: {problem}")
    return problems


def _status(problems: list[str], started: bool) -> str:
    if not problems:
        return TaskStatus.COMPLETED
    return TaskStatus.INCOMPLETE if started else TaskStatus.NOT_STARTED


def task_list(application: Application) -> list[Task]:
    """The sections of the application with their status, in order."""
    answered = application.eligibility_answers.exists()
    if eligibility_refusals(application):
        eligibility = TaskStatus.STOPPED
    elif eligibility_passed(application):
        eligibility = TaskStatus.COMPLETED
    else:
        eligibility = TaskStatus.INCOMPLETE if answered else TaskStatus.NOT_STARTED
    tasks = [Task("eligibility", "Check you can apply", eligibility)]
    open_ = eligibility == TaskStatus.COMPLETED

    def later(key: str, title: str, status: str) -> Task:
        return Task(key, title, status if open_ else TaskStatus.CANNOT_START)

    tasks += [
        later(
            "organisation",
            "Your organisation",
            _status(organisation_problems(application.organisation), True),
        ),
        later(
            "project",
            "Your project",
            _status(project_problems(application), bool(application.project_title)),
        ),
    ]
    if application.round.form_questions.exists():
        tasks.append(
            later(
                "questions",
                "Questions about your project",
                _status(question_problems(application), application.answers.exists()),
            )
        )
    tasks += [
        later(
            "budget",
            "Budget",
            _status(budget_problems(application), application.budget_lines.exists()),
        ),
        later(
            "match_funding",
            "Match funding",
            TaskStatus.COMPLETED if application.match_funding.exists() else TaskStatus.OPTIONAL,
        ),
        later(
            "partners",
            "Partner organisations",
            TaskStatus.COMPLETED if application.partners.exists() else TaskStatus.OPTIONAL,
        ),
        later(
            "documents",
            "Supporting documents",
            TaskStatus.COMPLETED if application.documents.exists() else TaskStatus.OPTIONAL,
        ),
    ]
    return tasks


def submission_problems(application: Application) -> list[tuple[str, str]]:
    """(section, problem) for everything that stops the application being submitted."""
    refusals = eligibility_refusals(application)
    if refusals:
        return [("eligibility", refusal) for refusal in refusals]
    if not eligibility_passed(application):
        return [("eligibility", "Answer the eligibility questions")]
    problems = [("organisation", p) for p in organisation_problems(application.organisation)]
    problems += [("project", p) for p in project_problems(application)]
    problems += [("questions", p) for p in question_problems(application)]
    problems += [("budget", p) for p in budget_problems(application)]
    return problems


def _members_emails(organisation: Organisation) -> list[str]:
    return sorted({member.user.email for member in organisation.members.select_related("user")})


def _email_context(application: Application) -> dict:
    return {
        "project_title": application.project_title,
        "organisation": application.organisation.name,
        "fund": application.round.fund.name,
        "round": application.round.title,
        "reference": application.reference,
        "amount": money(application.amount_requested) if application.amount_requested else "",
        "closes_at": london(application.round.closes_at),
        "url": settings.OPENDEAL_BASE_URL
        + reverse("fund:application", args=[application.public_id]),
    }


@transaction.atomic
def submit(
    actor: User, application: Application, *, now: datetime.datetime | None = None
) -> Application:
    """Submit the application, if it is complete and the round is still open by the server's
    clock (`now` is for tests of the boundary; pages never pass it)."""
    now = now or timezone.now()
    application = _editable(actor, application, now)
    round_ = application.round
    if not round_.published:
        raise ValidationError(
            "This round is not published, so applications to it cannot be submitted. "
            "Contact the fund team."
        )
    if now < round_.opens_at:
        raise ValidationError("This round has not opened yet.")
    problems = submission_problems(application)
    if problems:
        raise ValidationError([problem for _section, problem in problems])
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.updated_at = now
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(actor, "fund.application.submitted", application)
    context = _email_context(application)
    for address in _members_emails(application.organisation):
        send_email_after_commit(
            address,
            f"Application received: {application.project_title}",
            "fund/email/application_submitted",
            context,
        )
    return application


WITHDRAWABLE = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.MORE_INFORMATION,
)


@transaction.atomic
def withdraw(actor: User, application: Application) -> Application:
    """Withdraw a draft or an application not yet decided."""
    if not is_member(actor, application.organisation_id):
        raise PermissionDenied("Only the applying organisation's members can withdraw it.")
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in WITHDRAWABLE:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}, so it can no "
            "longer be withdrawn."
        )
    was_submitted = application.status != ApplicationStatus.DRAFT
    now = timezone.now()
    if application.status == ApplicationStatus.MORE_INFORMATION:
        # The officers' question needs no answer now: leave no half-written reply behind.
        Decision.objects.filter(
            application=application,
            outcome=DecisionOutcome.MORE_INFORMATION,
            replied_at__isnull=True,
        ).update(reply="")
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = now
    application.updated_at = now
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit.record(actor, "fund.application.withdrawn", application)
    if was_submitted:
        context = _email_context(application)
        for address in _members_emails(application.organisation):
            send_email_after_commit(
                address,
                f"Application withdrawn: {application.project_title}",
                "fund/email/application_withdrawn",
                context,
            )
    return application


# Answering a request for more information ---------------------------------------------------

# An officer asks for more information only about an application found eligible
# (`decisions.DECIDABLE_STATUSES`: eligible, or already asked), so a reply returns it to
# eligible: decidable again, and still in the panel's list.
STATUS_AFTER_REPLY = ApplicationStatus.ELIGIBLE


def information_request(application: Application) -> Decision | None:
    """The officers' open request for more information, while the application awaits the
    applicant's reply; None otherwise."""
    if application.status != ApplicationStatus.MORE_INFORMATION:
        return None
    return (
        application.decisions.filter(outcome=DecisionOutcome.MORE_INFORMATION)
        .select_related("decided_by")
        .first()
    )


def is_awaiting_reply(application: Application) -> bool:
    return application.status == ApplicationStatus.MORE_INFORMATION


def _answering(actor: User, application: Application) -> tuple[Application, Decision]:
    """The application and the request it answers, both locked, for one of the applying
    organisation's people while the officers wait for more information. Call inside a
    transaction."""
    if not is_member(actor, application.organisation_id):
        raise PermissionDenied("Only the applying organisation's members can reply.")
    application = Application.objects.select_for_update().get(pk=application.pk)
    request = information_request(application)
    if request is None:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: we are not "
            "waiting for more information about it."
        )
    request = Decision.objects.select_for_update().get(pk=request.pk)
    return application, request


def documents_editable(actor: User, application: Application) -> Application:
    """The application locked for adding or removing a supporting document: a draft in an
    open round, or one the officers asked for more information about. Call inside a
    transaction."""
    if is_awaiting_reply(application):
        application, _request = _answering(actor, application)
        return application
    return _editable(actor, application)


def can_remove_document(
    document, application: Application | None = None, *, request: Decision | None = None
) -> bool:
    """A draft's documents can all be removed; while answering a request for more information
    only those added since the request (what was submitted stays as it was). A page listing
    many documents passes the `request` it has read."""
    application = application or document.application
    if not is_awaiting_reply(application):
        return application.is_draft
    request = request or information_request(application)
    return request is not None and document.uploaded_at >= request.decided_at


def save_reply(actor: User, application: Application, reply: str) -> Decision:
    """Keep the reply as written so far, to come back to."""
    with transaction.atomic():
        application, request = _answering(actor, application)
        request.reply = (reply or "").strip()
        request.save(update_fields=["reply"])
        _touch(actor, application, "fund.application.reply_saved", decision=str(request.public_id))
    return request


def send_reply(actor: User, application: Application, reply: str) -> Decision:
    """Send the reply: the application goes back to the officers to decide, and the officer
    who asked is emailed (or, if they no longer can be, everyone who decides)."""
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": "Enter your reply to our request for more information"})
    with transaction.atomic():
        application, request = _answering(actor, application)
        now = timezone.now()
        request.reply = reply
        request.replied_by = actor
        request.replied_at = now
        request.save(update_fields=["reply", "replied_by", "replied_at"])
        application.status = STATUS_AFTER_REPLY
        application.updated_at = now
        application.save(update_fields=["status", "updated_at"])
        audit.record(
            actor, "fund.application.reply_sent", application, decision=str(request.public_id)
        )
        context = {
            **_email_context(application),
            "question": request.reason,
            "reply": reply,
            "decide_url": settings.OPENDEAL_BASE_URL
            + reverse("fund:decide", args=[application.public_id]),
        }
        for address in _officer_addresses(request):
            send_email_after_commit(
                address,
                f"Reply to your request for more information: {application.project_title}",
                "fund/email/more_information_reply",
                context,
            )
    return request


def _officer_addresses(request: Decision) -> list[str]:
    officer = request.decided_by
    if (
        officer is not None
        and officer.is_active
        and officer.email
        and officer.has_perm("fund.decide_applications")
    ):
        return [officer.email]
    deciders = holders_of("fund.decide_applications", include_superusers=True).exclude(email="")
    return sorted(set(deciders.values_list("email", flat=True)))


def applications_of(user: User) -> list[Application]:
    if not user.is_authenticated:
        return []
    return list(
        Application.objects.filter(organisation__members__user=user)
        .select_related("round__fund", "organisation")
        .order_by("-updated_at")
    )


def open_rounds(fund_id: int | None = None, now: datetime.datetime | None = None):
    now = now or timezone.now()
    rounds = Round.objects.filter(
        published=True, fund__is_published=True, opens_at__lte=now, closes_at__gt=now
    ).select_related("fund")
    if fund_id is not None:
        rounds = rounds.filter(fund_id=fund_id)
    return rounds.order_by("closes_at")
