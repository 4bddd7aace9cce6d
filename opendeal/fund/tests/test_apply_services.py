"""fund-apply's rules, called without HTTP: org ids, eligibility, amounts, budgets, the
deadline, withdrawal, documents and who may see them."""

import datetime
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.fund import applications, documents, orgids, rounds
from opendeal.fund.access import can_view_application
from opendeal.fund.models import (
    ApplicationStatus,
    BudgetLine,
    ConflictOfInterest,
    Organisation,
    SupportingDocument,
    Tier,
    split_by_taper,
)

from .apply_factories import (
    EXE_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    PROJECT_POSTCODE,
    complete_application,
    eligible_answers,
    make_open_round,
    make_organisation,
    make_postcodes,
    office_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postcodes(db):
    make_postcodes()


@pytest.fixture
def applicant(make_user):
    return make_user(Role.RESIDENT, full_name="Fictional Applicant")


@pytest.fixture
def round_():
    return make_open_round()


@pytest.fixture
def organisation(applicant):
    return make_organisation(applicant)


# Organisation ids -----------------------------------------------------------------------------


def test_charity_gets_gb_chc_and_company_gets_gb_coh():
    public_id = uuid.uuid4()
    assert orgids.org_id_for("registered_charity", "1123456", "", public_id) == "GB-CHC-1123456"
    assert orgids.org_id_for("company", "", "SC123456", public_id) == "GB-COH-SC123456"
    # A charitable company is identified by its charity number, as 360Giving asks.
    assert (
        orgids.org_id_for("charitable_company", "1123456", "01234567", public_id)
        == "GB-CHC-1123456"
    )
    assert orgids.org_id_for("cio", "SC012345", "", public_id) == "GB-SC-SC012345"


@override_settings(OPENDEAL_360G_PREFIX="360G-wigan")
def test_unregistered_group_gets_an_id_under_the_councils_prefix():
    public_id = uuid.uuid4()
    assert orgids.org_id_for("unregistered_group", "", "", public_id) == f"360G-wigan-{public_id}"


def test_numbers_are_checked_and_tidied():
    assert orgids.clean_numbers("company", "", "1234567") == ("", "01234567")
    assert orgids.clean_numbers("company", "", "sc 123456") == ("", "SC123456")
    assert orgids.clean_numbers("registered_charity", " 1123456 ", "") == ("1123456", "")
    with pytest.raises(ValidationError) as caught:
        orgids.clean_numbers("registered_charity", "12AB34", "")
    assert "charity_number" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        orgids.clean_numbers("company", "", "SC12345X")
    assert "8 characters" in caught.value.message_dict["company_number"][0]
    with pytest.raises(ValidationError) as caught:
        orgids.clean_numbers("charitable_company", "1123456", "")
    assert caught.value.message_dict["company_number"] == ["Enter the company number"]
    # An unregistered group has no numbers, whatever was typed.
    assert orgids.clean_numbers("unregistered_group", "999", "x") == ("", "")


def test_registering_makes_the_person_a_member_and_an_applicant(applicant):
    organisation = applications.register_organisation(
        applicant,
        name=" Hindley Knitters ",
        kind="unregistered_group",
        postcode="wn11aa",
        address_line_1="Library",
    )
    assert organisation.name == "Hindley Knitters"
    assert organisation.org_id.endswith(str(organisation.public_id))
    assert organisation.postcode == PROJECT_POSTCODE
    assert organisation.lsoa21_code == "E01006234"
    assert organisation.members.get().user == applicant
    applicant = type(applicant).objects.get(pk=applicant.pk)
    assert applicant.has_perm("fund.apply_to_fund")


def test_the_same_charity_cannot_be_registered_twice(applicant, organisation, make_user):
    with pytest.raises(ValidationError) as caught:
        applications.register_organisation(
            make_user(), name="Copy", kind="registered_charity", charity_number="1123456"
        )
    assert "already registered" in caught.value.message_dict["charity_number"][0]
    assert Organisation.objects.count() == 1


# Set-up ---------------------------------------------------------------------------------------


def test_taper_must_have_a_share_for_each_year_and_never_rise(make_user, round_):
    officer = make_user(Role.FUND_OFFICER)
    with pytest.raises(ValidationError) as caught:
        rounds.add_to_round(
            officer,
            round_,
            Tier,
            name="Odd",
            maximum_amount=Decimal("10"),
            maximum_years=3,
            taper=[100, 66],
        )
    assert "each of the 3 years" in caught.value.message_dict["taper"][0]
    with pytest.raises(ValidationError):
        rounds.add_to_round(
            officer,
            round_,
            Tier,
            name="Rising",
            maximum_amount=Decimal("10"),
            maximum_years=2,
            taper=[50, 100],
        )
    tier = rounds.add_to_round(
        officer,
        round_,
        Tier,
        name="Medium",
        maximum_amount=Decimal("9000"),
        maximum_years=2,
        taper=[100, 50],
    )
    assert tier.position == 2


def test_split_by_taper_is_pence_exact():
    parts = split_by_taper(Decimal("10000.01"), [100, 66, 33])
    assert sum(parts) == Decimal("10000.01")
    assert parts == [Decimal("5025.14"), Decimal("3316.58"), Decimal("1658.29")]


def test_only_fund_officers_set_up_rounds(applicant, round_):
    with pytest.raises(PermissionDenied):
        rounds.update_round(applicant, round_, title="Mine now")


def test_a_round_must_close_after_it_opens(make_user, round_):
    officer = make_user(Role.FUND_OFFICER)
    with pytest.raises(ValidationError) as caught:
        rounds.update_round(officer, round_, closes_at=round_.opens_at)
    assert "closes_at" in caught.value.message_dict


# Eligibility ---------------------------------------------------------------------------------


def test_a_wrong_eligibility_answer_stops_the_applicant_with_the_reason(
    applicant, round_, organisation
):
    application = applications.start_application(applicant, round_, organisation)
    answers = eligible_answers(round_)
    outside = round_.eligibility_questions.get(position=1)
    answers[outside.pk] = True
    refusals = applications.save_eligibility(applicant, application, answers)
    assert refusals == ["Projects must benefit people who live in the borough."]
    tasks = applications.task_list(application)
    assert tasks[0].status == applications.TaskStatus.STOPPED
    assert all(task.status == applications.TaskStatus.CANNOT_START for task in tasks[1:])
    with pytest.raises(ValidationError, match="eligibility"):
        applications.add_budget_line(
            applicant, application, year=1, description="x", amount=Decimal("1")
        )


# Amounts and budgets -------------------------------------------------------------------------


def _project(application, round_, **changes):
    values = {
        "project_title": "Park walks",
        "summary": "Walks.",
        "priorities": list(round_.priorities.all()[:1]),
        "tier": round_.tiers.get(name="Small"),
        "amount_requested": Decimal("2000.00"),
        "years": 1,
        "postcode": PROJECT_POSTCODE,
    }
    return {**values, **changes}


def test_an_amount_over_the_tier_maximum_is_refused_clearly(applicant, round_, organisation):
    application = applications.start_application(applicant, round_, organisation)
    applications.save_eligibility(applicant, application, eligible_answers(round_))
    with pytest.raises(ValidationError) as caught:
        applications.save_project(
            applicant,
            application,
            **_project(application, round_, amount_requested=Decimal("2000.01")),
        )
    assert caught.value.message_dict["amount_requested"] == [
        "The most you can ask for from the Small tier is £2,000.00. Ask for less, or choose "
        "another tier."
    ]
    application.refresh_from_db()
    assert application.amount_requested is None
    # Exactly the maximum is fine.
    applications.save_project(applicant, application, **_project(application, round_))
    application.refresh_from_db()
    assert application.amount_requested == Decimal("2000.00")
    assert application.lsoa21_code == "E01006234"
    assert application.ward_code == "E05000849"


def test_amounts_must_be_pence_exact_and_years_within_the_tier(applicant, round_, organisation):
    application = applications.start_application(applicant, round_, organisation)
    applications.save_eligibility(applicant, application, eligible_answers(round_))
    with pytest.raises(ValidationError) as caught:
        applications.save_project(
            applicant,
            application,
            **_project(application, round_, amount_requested=Decimal("100.005"), years=2),
        )
    errors = caught.value.message_dict
    assert "pounds and pence" in errors["amount_requested"][0]
    assert errors["years"] == ["The Small tier funds projects for up to 1 year."]


def test_budget_lines_must_add_up_to_the_amount_requested(applicant, round_, organisation):
    application = complete_application(applicant, round_, organisation)
    assert applications.budget_problems(application) == []
    line = application.budget_lines.last()
    applications.remove_budget_line(applicant, line)
    problems = applications.budget_problems(application)
    assert problems == [
        "Your budget adds up to £1,000.00 but you are asking for £1,500.50: the two must be "
        "the same"
    ]
    with pytest.raises(ValidationError) as caught:
        applications.submit(applicant, application)
    assert problems[0] in caught.value.messages
    with pytest.raises(ValidationError) as caught:
        applications.add_budget_line(
            applicant, application, year=2, description="Later", amount=Decimal("500.50")
        )
    assert "runs for 1 year" in caught.value.message_dict["year"][0]


def test_word_limits_are_enforced(applicant, round_, organisation):
    application = complete_application(applicant, round_, organisation)
    question = round_.form_questions.get(max_words=50)
    with pytest.raises(ValidationError) as caught:
        applications.save_answers(applicant, application, {question.pk: "word " * 51})
    assert caught.value.message_dict[f"question_{question.pk}"] == [
        "Your answer must be 50 words or fewer (it has 51)"
    ]
    assert application.answers.get(question=question).text == "Older people are lonely."


# The deadline --------------------------------------------------------------------------------


def test_submission_at_the_last_second_is_accepted(applicant, round_, organisation):
    application = complete_application(applicant, round_, organisation)
    last_second = round_.closes_at - datetime.timedelta(seconds=1)
    applications.submit(applicant, application, now=last_second)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at == last_second


@pytest.mark.parametrize("late", [datetime.timedelta(0), datetime.timedelta(seconds=1)])
def test_submission_at_or_after_closing_is_refused(applicant, round_, organisation, late):
    application = complete_application(applicant, round_, organisation)
    with pytest.raises(ValidationError, match="This round closed at"):
        applications.submit(applicant, application, now=round_.closes_at + late)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.submitted_at is None
    assert len(mail.outbox) == 0


def test_submitting_emails_the_organisation_and_is_audited(
    applicant, round_, organisation, django_capture_on_commit_callbacks
):
    application = complete_application(applicant, round_, organisation)
    with django_capture_on_commit_callbacks(execute=True):
        applications.submit(applicant, application)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert "Park walks" in message.subject
    assert application.reference in message.body
    assert AuditEvent.objects.filter(
        action="fund.application.submitted", object_id=str(application.public_id)
    ).exists()
    # Submitted: no more changes.
    with pytest.raises(ValidationError, match="submitted"):
        applications.add_budget_line(
            applicant, application, year=1, description="More", amount=Decimal("1")
        )


def test_withdrawing_a_submitted_application(
    applicant, round_, organisation, django_capture_on_commit_callbacks, make_user
):
    application = complete_application(applicant, round_, organisation)
    applications.submit(applicant, application)
    with pytest.raises(PermissionDenied):
        applications.withdraw(make_user(Role.COMMUNITY_MEMBER), application)
    with django_capture_on_commit_callbacks(execute=True):
        applications.withdraw(applicant, application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert mail.outbox[-1].subject.startswith("Application withdrawn")
    with pytest.raises(ValidationError, match="withdrawn"):
        applications.withdraw(applicant, application)


def test_only_members_change_an_application(make_user, applicant, round_, organisation):
    application = complete_application(applicant, round_, organisation)
    stranger = make_user(Role.COMMUNITY_MEMBER)
    with pytest.raises(PermissionDenied):
        applications.add_budget_line(
            stranger, application, year=1, description="Mine", amount=Decimal("1")
        )
    assert BudgetLine.objects.filter(application=application).count() == 2


def test_partners_name_other_organisations_not_the_lead(applicant, round_, organisation):
    application = complete_application(applicant, round_, organisation)
    link = applications.add_partner(
        applicant,
        application,
        name="Pemberton Allotments",
        kind="unregistered_group",
        role_in_project="Hosts the walks' tea stop",
    )
    assert link.organisation.org_id.startswith("360G-")
    with pytest.raises(ValidationError, match="lead applicant"):
        applications.add_partner(
            applicant,
            application,
            name="Us again",
            kind="registered_charity",
            charity_number="1123456",
            role_in_project="Everything",
        )


# Documents -----------------------------------------------------------------------------------


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("accounts.pdf", PDF_BYTES, "application/pdf"),
        ("photo.png", PNG_BYTES, "image/png"),
        (
            "plan.docx",
            office_bytes("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "budget.xlsx",
            office_bytes("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("plan.odt", office_bytes("odt"), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_documents_are_typed_by_their_content(
    applicant, round_, organisation, name, content, expected
):
    application = complete_application(applicant, round_, organisation)
    document = documents.upload_document(
        applicant, application, kind="accounts", uploaded=_upload(name, content)
    )
    assert document.content_type == expected
    assert document.original_name == name
    # Stored under a random name in the private storage, outside the web root.
    assert name not in document.file.name
    assert document.file.storage.exists(document.file.name)
    with document.file.storage.open(document.file.name) as stored:
        assert stored.read() == content


def test_a_program_named_like_a_pdf_is_refused_and_nothing_is_kept(applicant, round_, organisation):
    application = complete_application(applicant, round_, organisation)
    with pytest.raises(ValidationError) as caught:
        documents.upload_document(
            applicant, application, kind="accounts", uploaded=_upload("accounts.pdf", EXE_BYTES)
        )
    assert caught.value.message_dict["file"] == [documents.WRONG_TYPE]
    assert not SupportingDocument.objects.exists()


@override_settings(OPENDEAL_FUND_MAX_UPLOAD_BYTES=1024)
def test_a_document_over_the_size_limit_is_refused(applicant, round_, organisation):
    application = complete_application(applicant, round_, organisation)
    with pytest.raises(ValidationError) as caught:
        documents.upload_document(
            applicant,
            application,
            kind="accounts",
            uploaded=_upload("big.pdf", PDF_BYTES + b"0" * 1024),
        )
    assert caught.value.message_dict["file"] == [
        "The selected file must be smaller than 0.000976562 MB"
    ]


def test_a_failed_upload_leaves_no_file_behind(applicant, round_, organisation, make_user):
    application = complete_application(applicant, round_, organisation)
    stranger = make_user(Role.COMMUNITY_MEMBER)
    storage = SupportingDocument._meta.get_field("file").storage
    folder = f"fund/applications/{application.public_id}"
    with pytest.raises(PermissionDenied):
        documents.upload_document(
            stranger, application, kind="accounts", uploaded=_upload("a.pdf", PDF_BYTES)
        )
    assert not storage.exists(folder) or storage.listdir(folder) == ([], [])


def test_who_may_see_an_application_and_its_documents(applicant, round_, organisation, make_user):
    application = complete_application(applicant, round_, organisation)
    document = documents.upload_document(
        applicant, application, kind="accounts", uploaded=_upload("a.pdf", PDF_BYTES)
    )
    officer = make_user(Role.FUND_OFFICER)
    panel_member = make_user(Role.PANEL_MEMBER)
    conflicted = make_user(Role.PANEL_MEMBER)
    stranger = make_user(Role.COMMUNITY_MEMBER)
    assert can_view_application(applicant, application)
    assert can_view_application(officer, application)
    assert not can_view_application(stranger, application)
    # Panel members see applications once found eligible, unless conflicted.
    assert not can_view_application(panel_member, application)
    application.status = ApplicationStatus.ELIGIBLE
    application.save()
    ConflictOfInterest.objects.create(
        round=round_, panel_member=conflicted, application=application, reason="My sister's group"
    )
    assert can_view_application(panel_member, application)
    assert not can_view_application(conflicted, application)
    with pytest.raises(PermissionDenied):
        documents.open_document(conflicted, document)
    sent = documents.open_document(officer, document)
    assert sent.file.read() == PDF_BYTES
    sent.file.close()
    assert AuditEvent.objects.filter(
        action=documents.DOCUMENT_VIEWED, actor=officer, object_id=str(document.public_id)
    ).exists()


def test_documents_live_in_the_private_root_and_go_when_removed(
    applicant, round_, organisation, settings, django_capture_on_commit_callbacks
):
    application = complete_application(applicant, round_, organisation)
    document = documents.upload_document(
        applicant, application, kind="quote", uploaded=_upload("quote.pdf", PDF_BYTES)
    )
    path = Path(document.file.path).resolve()
    assert path.is_relative_to(Path(settings.OPENDEAL_PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    with django_capture_on_commit_callbacks(execute=True):
        documents.remove_document(applicant, document)
    assert not path.exists()
    assert not SupportingDocument.objects.exists()


def test_starting_again_carries_on_with_the_organisations_draft(applicant, round_, organisation):
    first = applications.start_application(applicant, round_, organisation)
    assert applications.start_application(applicant, round_, organisation) == first
    applications.withdraw(applicant, first)
    assert applications.start_application(applicant, round_, organisation) != first
