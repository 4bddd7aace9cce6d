"""Defects an audit of the fund found, each pinned by a test that failed before the fix:
the round's budget against what it has awarded, variations against the tier's maximum,
claiming an organisation first named as a partner, the refusal a conflicted panel member
gets, answering a request for more information, what the directory publishes of an
applicant's address, and the checks `submit` and `record_scores` make."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.directory.models import Address, Location, ServiceAtLocation
from opendeal.fund import (
    applications,
    awards,
    decisions,
    directory_listing,
    documents,
    rounds,
    scoring,
)
from opendeal.fund.models import (
    ApplicationStatus,
    ConflictOfInterest,
    Organisation,
    OrganisationMember,
    OrganisationRole,
    Round,
    Score,
    SupportingDocument,
    VariationStatus,
)
from opendeal.fund.scoring import CriterionScore
from opendeal.geography.models import Postcode

from . import apply_factories
from .apply_factories import PDF_BYTES, complete_application, make_open_round
from .decide_factories import make_application, make_organisation, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER, full_name="Olive Officer", email="olive@council.example")


@pytest.fixture
def member(make_user):
    return make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")


def award(officer, application, amount: str):
    return decisions.decide(
        officer, application, outcome="award", reason="Good.", amount=Decimal(amount)
    )


# 1. The round's budget cannot be cut below what it has awarded ---------------------------------


def test_the_budget_cannot_be_cut_below_what_the_round_has_awarded(officer):
    round_ = make_round(budget="50000.00")
    award(officer, make_application(round_), "10000.00")

    with pytest.raises(ValidationError) as refused:
        rounds.update_round(officer, round_, budget=Decimal("9999.99"))
    assert "£10,000.00" in refused.value.message_dict["budget"][0]
    round_.refresh_from_db()
    assert round_.budget == Decimal("50000.00")
    assert not AuditEvent.objects.filter(action="fund.round.updated").exists()

    # Down to exactly what is committed is allowed.
    rounds.update_round(officer, round_, budget=Decimal("10000.00"))
    round_.refresh_from_db()
    assert round_.budget == Decimal("10000.00")
    assert decisions.budget_remaining(round_) == Decimal("0.00")


def test_a_budget_cut_is_refused_beside_the_budget_field(officer, sign_in):
    round_ = make_round(budget="50000.00")
    award(officer, make_application(round_), "10000.00")
    url = reverse("fund:manage-round-edit", args=[round_.public_id])
    client = sign_in(officer)
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data["budget"] = "5000"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "budget" in response.context["form"].errors
    assert "already awarded £10,000.00" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


# 2. A variation cannot take a grant past its tier's maximum -------------------------------------


def test_a_variation_cannot_take_the_grant_past_the_tiers_maximum(officer, member):
    round_ = make_round(budget="200000.00")
    application = make_application(
        round_, organisation=make_organisation(member=member), amount="49000.00"
    )
    grant = award(officer, application, "49000.00").grant
    too_much = awards.request_variation(
        member, grant, description="More sessions", amount_change=Decimal("1000.01")
    )

    with pytest.raises(ValidationError) as refused:
        awards.decide_variation(officer, too_much, approve=True, reason="Fits the budget.")

    assert refused.value.code == "over_tier_maximum"
    assert "£50,000.00" in refused.value.messages[0]
    grant.refresh_from_db()
    assert grant.amount_awarded == Decimal("49000.00")
    assert sum(grant.payments.values_list("amount", flat=True)) == Decimal("49000.00")
    too_much.refresh_from_db()
    assert too_much.status == VariationStatus.REQUESTED

    up_to = awards.request_variation(
        member, grant, description="Just enough", amount_change=Decimal("1000.00")
    )
    awards.decide_variation(officer, up_to, approve=True, reason="Up to the maximum.")
    grant.refresh_from_db()
    assert grant.amount_awarded == Decimal("50000.00")


# 3. An organisation named as a partner can be claimed by its own people -------------------------


def test_an_organisation_named_as_a_partner_can_be_claimed_once(make_user, officer, sign_in):
    apply_factories.make_postcodes()
    lead = make_user(Role.RESIDENT)
    round_ = make_open_round()
    application = complete_application(lead, round_, apply_factories.make_organisation(lead))
    partner = applications.add_partner(
        lead,
        application,
        name="Wigan Allotment Society",
        kind="registered_charity",
        charity_number="1098765",
        role_in_project="Hosts the tea stop",
    ).organisation
    assert not partner.members.exists()

    treasurer = make_user(Role.RESIDENT, email="treasurer@allotments.example.org")
    claimed = applications.register_organisation(
        treasurer,
        name="Wigan Allotment Society (registered)",
        kind="registered_charity",
        charity_number="1098765",
        address_line_1="2 Plot Lane",
        town="Wigan",
        postcode=apply_factories.PROJECT_POSTCODE,
    )

    assert claimed.pk == partner.pk
    assert Organisation.objects.filter(org_id="GB-CHC-1098765").count() == 1
    assert claimed.name == "Wigan Allotment Society (registered)"
    assert claimed.address_line_1 == "2 Plot Lane"
    assert claimed.claimed_by == treasurer
    assert claimed.claimed_at is not None
    assert OrganisationMember.objects.get(organisation=claimed).user == treasurer
    assert OrganisationMember.objects.get(organisation=claimed).role == (
        OrganisationRole.LEAD_CONTACT
    )
    event = AuditEvent.objects.get(action="fund.organisation.claimed")
    assert event.actor == treasurer
    assert event.object_id == str(claimed.public_id)
    # The partnership still points at it.
    assert application.partners.get().organisation_id == claimed.pk

    # Now it has a member, so nobody else can take it.
    with pytest.raises(ValidationError) as refused:
        applications.register_organisation(
            make_user(Role.RESIDENT),
            name="Someone else",
            kind="registered_charity",
            charity_number="1098765",
        )
    assert "already registered" in refused.value.message_dict["charity_number"][0]
    assert claimed.members.count() == 1

    # Fund officers see who claimed it on its applications.
    own = make_application(make_round(), organisation=claimed)
    page = sign_in(officer).get(reverse("fund:decide", args=[own.public_id])).content.decode()
    assert "claimed" in page
    assert "treasurer@allotments.example.org" in page


# 4. A conflicted panel member is told why ---------------------------------------------------


def test_a_conflicted_panel_member_is_told_why_on_a_document_too(make_user, sign_in):
    application = make_application(make_round())
    document = SupportingDocument.objects.create(
        application=application,
        kind="accounts",
        file="fund/none",
        original_name="accounts.pdf",
        content_type="application/pdf",
        size=10,
    )
    panel_member = make_user(Role.PANEL_MEMBER)
    scoring.declare_conflict(panel_member, application, "I am a trustee.")
    url = reverse("fund:document", args=[document.public_id])

    refused = sign_in(panel_member).get(url)

    assert refused.status_code == 403
    assert "declared a conflict of interest" in refused.content.decode()
    assert sign_in(make_user(Role.RESIDENT)).get(url).status_code == 404


# 5. Answering a request for more information -----------------------------------------------


@pytest.fixture
def asked(officer, member):
    """An application in a round closed to applications, which an officer asked about."""
    application = make_application(make_round(), organisation=make_organisation(member=member))
    decisions.decide(
        officer,
        application,
        outcome="more_information",
        reason="Send your latest accounts and say who leads the sessions.",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.MORE_INFORMATION
    mail.outbox.clear()
    return application


def pdf(name="accounts.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_the_letter_points_to_the_service(asked):
    letter = asked.decisions.get().letter
    assert reverse("fund:application", args=[asked.public_id]) in letter
    assert "Please reply to this letter" not in letter
    assert "reply online" in letter


def test_the_applicant_answers_in_the_service_and_it_goes_back_to_the_officers(
    asked, member, officer, django_capture_on_commit_callbacks
):
    request = asked.decisions.get()
    assert applications.information_request(asked) == request

    # Documents can be added though the round has closed to applications.
    document = documents.upload_document(member, asked, kind="accounts", uploaded=pdf())
    applications.save_reply(member, asked, "  Draft: Sam leads.  ")
    request.refresh_from_db()
    assert request.reply == "Draft: Sam leads."
    assert request.replied_at is None

    with pytest.raises(ValidationError) as empty:
        applications.send_reply(member, asked, "   ")
    assert "reply" in empty.value.message_dict

    with django_capture_on_commit_callbacks(execute=True):
        applications.send_reply(member, asked, "Sam leads the sessions; accounts attached.")

    asked.refresh_from_db()
    request.refresh_from_db()
    assert asked.status == ApplicationStatus.ELIGIBLE
    assert asked.status in decisions.DECIDABLE_STATUSES
    assert request.reply == "Sam leads the sessions; accounts attached."
    assert request.replied_by == member
    assert request.replied_at is not None
    assert document in asked.documents.all()
    assert AuditEvent.objects.filter(action="fund.application.reply_sent", actor=member).exists()
    [email] = mail.outbox
    assert email.to == ["olive@council.example"]
    assert "Sam leads the sessions" in email.body
    assert reverse("fund:decide", args=[asked.public_id]) in email.body

    # Sent once: nothing more can be changed, and officers can decide again.
    with pytest.raises(ValidationError):
        applications.send_reply(member, asked, "Again")
    with pytest.raises(ValidationError):
        documents.upload_document(member, asked, kind="accounts", uploaded=pdf())
    award(officer, asked, "10000.00")


def test_only_documents_added_since_the_request_can_be_removed(asked, member, make_user):
    sent_before = SupportingDocument.objects.create(
        application=asked,
        kind="accounts",
        file="fund/none",
        original_name="old.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_at=timezone.now() - datetime.timedelta(days=40),
    )
    added = documents.upload_document(member, asked, kind="quote", uploaded=pdf("quote.pdf"))
    with pytest.raises(ValidationError, match="sent with your application"):
        documents.remove_document(member, sent_before)
    documents.remove_document(member, added)
    assert list(asked.documents.all()) == [sent_before]
    with pytest.raises(Exception, match="members"):
        applications.send_reply(make_user(Role.RESIDENT), asked, "Not mine")


def test_an_application_asked_for_more_information_can_be_withdrawn(asked, member):
    applications.withdraw(member, asked)
    asked.refresh_from_db()
    assert asked.status == ApplicationStatus.WITHDRAWN


def test_the_reply_pages(asked, member, officer, sign_in):
    client = sign_in(member)
    page = client.get(reverse("fund:application", args=[asked.public_id])).content.decode()
    assert "Send your latest accounts and say who leads the sessions." in page
    assert reverse("fund:reply", args=[asked.public_id]) in page
    assert reverse("fund:withdraw", args=[asked.public_id]) in page

    url = reverse("fund:reply", args=[asked.public_id])
    assert "Send your latest accounts" in client.get(url).content.decode()
    refused = client.post(url, {"reply": "", "send": "1"})
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    assert "Enter your reply" in refused.content.decode()

    documents_page = client.get(reverse("fund:documents", args=[asked.public_id]))
    assert documents_page.status_code == 200
    assert "Send your latest accounts" in documents_page.content.decode()

    saved = client.post(url, {"reply": "Half written", "save": "1"})
    assert saved.status_code == 302
    assert asked.decisions.get().reply == "Half written"
    sent = client.post(url, {"reply": "Sam leads. Accounts attached.", "send": "1"})
    assert sent.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ApplicationStatus.ELIGIBLE

    decide_page = sign_in(officer).get(reverse("fund:decide", args=[asked.public_id]))
    assert "Sam leads. Accounts attached." in decide_page.content.decode()


# 6. What the directory publishes of where a project is --------------------------------------


@pytest.fixture
def postcodes():
    for postcode, latitude in (("WN1 1AA", "53.545000"), ("WN7 1AA", "53.497000")):
        Postcode.objects.get_or_create(
            postcode=postcode,
            defaults={
                "latitude": Decimal(latitude),
                "longitude": Decimal("-2.519000"),
                "lsoa21_code": "E01006237",
                "ward_code": "E05000849",
                "local_authority_code": "E08000010",
            },
        )


def publish(officer, organisation, project_postcode):
    application = make_application(
        make_round(), organisation=organisation, amount="1500.00", tier="Small", years=1
    )
    application.postcode = project_postcode
    application.save()
    grant = award(officer, application, "1500.00").grant
    service = directory_listing.publish_to_directory(officer, grant)
    return ServiceAtLocation.objects.get(service=service).location


def test_an_unregistered_groups_address_is_never_published(officer, postcodes):
    group = make_organisation(address_line_1="14 Volunteer Close", town="Wigan", postcode="WN1 1AA")
    location = publish(officer, group, "WN7 1AA")

    assert not Address.objects.exists()
    assert location.latitude == Decimal("53.497000")  # the project's postcode, not the group's
    assert "WN7" in location.description
    assert "Volunteer Close" not in str(Location.objects.values())


def test_an_unregistered_group_at_its_own_postcode_still_gets_no_address(officer, postcodes):
    group = make_organisation(address_line_1="14 Volunteer Close", postcode="WN1 1AA")
    location = publish(officer, group, "WN1 1AA")
    assert not Address.objects.exists()
    assert "1AA" not in location.description  # the area only


def test_a_street_is_never_paired_with_another_postcode(officer, postcodes):
    charity = make_organisation(
        kind="registered_charity",
        charity_number="1100002",
        org_id="GB-CHC-1100002",
        address_line_1="1 Market Street",
        postcode="WN1 1AA",
    )
    location = publish(officer, charity, "WN7 1AA")
    assert not Address.objects.exists()
    assert location.latitude == Decimal("53.497000")
    assert "WN7 1AA" in location.description


# 7. Submitting re-checks the round; scoring checks under lock --------------------------------


def test_an_application_to_an_unpublished_round_cannot_be_submitted(make_user):
    apply_factories.make_postcodes()
    user = make_user(Role.RESIDENT)
    round_ = make_open_round()
    application = complete_application(user, round_, apply_factories.make_organisation(user))
    Round.objects.filter(pk=round_.pk).update(published=False)

    with pytest.raises(ValidationError, match="not published"):
        applications.submit(user, application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def sheet(round_, value=4):
    return {criterion.pk: CriterionScore(value) for criterion in round_.criteria.all()}


def test_scores_are_refused_when_scoring_closed_after_the_page_loaded(make_user):
    application = make_application(make_round())
    member = make_user(Role.PANEL_MEMBER)
    loaded_round = application.round  # as the page read it: scoring open
    Round.objects.filter(pk=loaded_round.pk).update(
        scoring_closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    with pytest.raises(ValidationError, match="closed"):
        scoring.record_scores(member, application, sheet(loaded_round))
    assert not Score.objects.exists()


def test_a_conflict_declared_meanwhile_refuses_the_scores_and_is_audited(make_user):
    application = make_application(make_round())
    member = make_user(Role.PANEL_MEMBER)
    ConflictOfInterest.objects.create(
        round=application.round, panel_member=member, application=application, reason="Trustee"
    )
    with pytest.raises(scoring.ConflictedAccess):
        scoring.record_scores(member, application, sheet(application.round))
    assert not Score.objects.exists()
    assert AuditEvent.objects.filter(action=scoring.CONFLICTED_ACCESS, actor=member).exists()


def test_scoring_and_declaring_lock_the_rows_they_contend_for(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: its transactions take the one write lock")
    application = make_application(make_round())
    member = make_user(Role.PANEL_MEMBER)

    with CaptureQueriesContext(connection) as scored:
        scoring.record_scores(member, application, sheet(application.round))
    statements = [query["sql"] for query in scored.captured_queries]
    first_conflict_check = next(
        i for i, sql in enumerate(statements) if "fund_conflictofinterest" in sql
    )
    locked = [sql for sql in statements[:first_conflict_check] if "FOR UPDATE" in sql]
    assert any('FROM "fund_round"' in sql for sql in locked)
    assert any('FROM "fund_application"' in sql for sql in locked)

    with CaptureQueriesContext(connection) as declared:
        scoring.declare_conflict(member, application, "Trustee.")
    assert any(
        'FROM "fund_application"' in query["sql"] and "FOR UPDATE" in query["sql"]
        for query in declared.captured_queries
    )
    assert not Score.objects.exists()
