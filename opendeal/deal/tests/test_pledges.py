"""The pledge rules, called directly: signing, confirming, withdrawing and the public totals."""

import datetime
import json
import re
import threading
import time
from dataclasses import dataclass
from unittest.mock import patch

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from opendeal.core.mail import EmailNotSent, send_email
from opendeal.core.models import AuditEvent
from opendeal.deal import pledges
from opendeal.deal.models import Commitment, Deal, Part, Pledge, PledgeStatus, Theme
from opendeal.deal.pledges import InvalidPledgeLink, PledgeTotals


@dataclass
class PledgeDeal:
    deal: Deal
    walking: Commitment
    volunteering: Commitment
    recycling: Commitment
    council_promise: Commitment
    unpublished: Commitment


def make_pledge_deal() -> PledgeDeal:
    """A published Deal with three "your part" pledges in two themes and one of the council's
    commitments, and a draft Deal with a pledge nobody may sign yet."""
    deal = Deal.objects.create(
        title="The Deal for Testborough",
        slug="testborough",
        area_code="E08000010",
        summary="A test Deal.",
        starts_on=datetime.date(2024, 4, 1),
        is_published=True,
    )
    health = Theme.objects.create(deal=deal, title="Health and wellbeing", slug="health")
    places = Theme.objects.create(deal=deal, title="Communities", slug="places", position=1)

    def yours(theme: Theme, reference: str, title: str, position: int) -> Commitment:
        return Commitment.objects.create(
            theme=theme, part=Part.YOURS, reference=reference, title=title, position=position
        )

    draft = Deal.objects.create(
        title="Next Deal",
        slug="next",
        area_code="E08000010",
        summary="Not yet published.",
        starts_on=datetime.date(2030, 4, 1),
        is_published=False,
    )
    draft_theme = Theme.objects.create(deal=draft, title="Health", slug="health")
    return PledgeDeal(
        deal=deal,
        walking=yours(health, "HW-Y1", "Walk for 30 minutes a day", 1),
        volunteering=yours(places, "C-Y1", "Volunteer in your neighbourhood", 1),
        recycling=yours(places, "C-Y2", "Recycle more at home", 2),
        council_promise=Commitment.objects.create(
            theme=health, part=Part.OURS, reference="HW1", title="Open more leisure centres"
        ),
        unpublished=yours(draft_theme, "N-Y1", "A pledge still in draft", 1),
    )


@pytest.fixture
def pledge_deal(db) -> PledgeDeal:
    return make_pledge_deal()


def confirm_url_in(message) -> str:
    return re.search(r"http://testserver/deal/pledge/confirm/[^/\s]+/", message.body).group(0)


def token_in(url: str) -> str:
    return url.rstrip("/").split("/")[-1]


def sign_and_confirm(commitments, email, postcode=None) -> list[Pledge]:
    signed = pledges.sign_pledges(commitments, email, postcode=postcode)
    return pledges.confirm_pledges(pledges.make_confirmation_token(signed))


def statuses() -> dict[str, str]:
    return {pledge.commitment.reference: pledge.status for pledge in Pledge.objects.all()}


# Signing with an email address


@override_settings(OPENDEAL_BASE_URL="http://testserver")
def test_email_signing_makes_pending_pledges_and_emails_a_confirmation_link(
    pledge_deal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed = pledges.sign_pledges(
            [pledge_deal.walking, pledge_deal.recycling], "  Sam.Jones@Example.ORG ", "wn1 1aa"
        )

    assert [pledge.commitment for pledge in signed] == [pledge_deal.walking, pledge_deal.recycling]
    assert Pledge.objects.count() == 2
    for pledge in Pledge.objects.all():
        assert pledge.email == "sam.jones@example.org"
        assert pledge.status == PledgeStatus.PENDING
        assert pledge.postcode_district == "WN1"
        assert pledge.user is None
        assert pledge.confirmed_at is None
    assert pledges.pledge_totals(pledge_deal.deal).total_pledges == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam.jones@example.org"]
    assert message.subject == "Confirm your pledges"
    assert "- Walk for 30 minutes a day\n- Recycle more at home" in message.body
    request = pledges.read_confirmation_token(token_in(confirm_url_in(message)))
    assert request.email == "sam.jones@example.org"
    assert set(request.pledge_ids) == {pledge.public_id for pledge in signed}
    manage_url = re.search(r"http://testserver/deal/pledge/manage/[^/\s]+/", message.body)
    assert pledges.read_manage_token(token_in(manage_url.group(0))) == "sam.jones@example.org"


def test_no_email_is_sent_when_the_transaction_rolls_back(
    pledge_deal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    # Queued for after the commit, not sent inside the transaction.
    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("WN1 1AA", "WN1"), ("m297ab", "M29"), ("ec1a 1bb", "EC1A"), ("", ""), (None, "")],
)
def test_only_the_postcode_district_is_kept(pledge_deal, postcode, district):
    pledges.sign_pledges([pledge_deal.walking], "sam@example.org", postcode)

    pledge = Pledge.objects.get()
    assert pledge.postcode_district == district
    if postcode:
        inward = postcode.replace(" ", "")[-3:].upper()
        stored = [str(value) for value in Pledge.objects.values().get().values()]
        stored += [str(event.details) for event in AuditEvent.objects.all()]
        # Random ids and tokens are hex, and "1BB" is hex too: look for the inward code only
        # where it is not inside a run of hex digits.
        inside_text = re.compile(rf"(?<![0-9A-F]){inward}(?![0-9A-F])")
        assert not any(inside_text.search(value.upper()) for value in stored)
        whole = postcode.replace(" ", "").upper()
        assert not any(whole in value.upper().replace(" ", "") for value in stored)


@pytest.mark.parametrize("postcode", ["WN1", "not a postcode", "12345", "WN1 1AAA"])
def test_an_invalid_postcode_is_refused_and_nothing_is_made(
    pledge_deal, postcode, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as error,
    ):
        pledges.sign_pledges([pledge_deal.walking], "sam@example.org", postcode)

    assert error.value.message_dict == {"postcode": ["Enter a real postcode, like WN1 1AA"]}
    assert Pledge.objects.count() == 0
    assert mail.outbox == []


def test_an_email_address_is_required_without_an_account(pledge_deal):
    with pytest.raises(ValidationError) as error:
        pledges.sign_pledges([pledge_deal.walking], "   ")
    assert error.value.message_dict == {"email": ["Enter your email address"]}
    assert Pledge.objects.count() == 0


@pytest.mark.parametrize("which", ["council_promise", "unpublished"])
def test_only_published_your_part_commitments_can_be_pledged(pledge_deal, which):
    with pytest.raises(ValidationError) as error:
        pledges.sign_pledges([pledge_deal.walking, getattr(pledge_deal, which)], "sam@example.org")

    assert error.value.message_dict == {
        "commitments": ["You can only pledge to your part of the Deal"]
    }
    assert Pledge.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_at_least_one_pledge_is_required(pledge_deal):
    with pytest.raises(ValidationError) as error:
        pledges.sign_pledges([], "sam@example.org")
    assert error.value.message_dict == {"commitments": ["Select at least one pledge"]}


# Signing with an account


def test_account_signing_is_active_at_once_with_the_account_address(
    pledge_deal, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed = pledges.sign_pledges(
            [pledge_deal.walking], "someone.else@example.org", "M29 7AB", user=resident
        )

    pledge = Pledge.objects.get()
    assert signed == [pledge]
    assert pledge.status == PledgeStatus.ACTIVE
    assert pledge.email == resident.email
    assert pledge.user == resident
    assert pledge.postcode_district == "M29"
    assert pledge.confirmed_at is not None
    assert mail.outbox == []
    assert pledges.pledge_totals(pledge_deal.deal).total_pledges == 1


# Signing twice


def test_signing_twice_by_email_counts_once(pledge_deal):
    first = sign_and_confirm([pledge_deal.walking], "sam@example.org", "WN1 1AA")
    confirmed_at = Pledge.objects.get().confirmed_at

    again = pledges.sign_pledges([pledge_deal.walking], "SAM@example.org ", "M29 7AB")

    assert again[0].pk == first[0].pk
    pledge = Pledge.objects.get()
    # Typing an address cannot change a signed pledge: it stays active, district unchanged.
    assert pledge.status == PledgeStatus.ACTIVE
    assert pledge.postcode_district == "WN1"
    assert pledge.confirmed_at == confirmed_at
    totals = pledges.pledge_totals(pledge_deal.deal)
    assert (totals.total_pledges, totals.total_people) == (1, 1)


def test_signing_twice_with_an_account_counts_once(pledge_deal, resident):
    pledges.sign_pledges([pledge_deal.walking], None, user=resident)
    pledges.sign_pledges([pledge_deal.walking, pledge_deal.recycling], None, "WN2 1AA", resident)

    assert Pledge.objects.count() == 2
    assert statuses() == {"HW-Y1": PledgeStatus.ACTIVE, "C-Y2": PledgeStatus.ACTIVE}
    assert set(Pledge.objects.values_list("postcode_district", flat=True)) == {"WN2"}
    assert pledges.pledge_totals(pledge_deal.deal).total_pledges == 2


def test_an_account_takes_over_a_pledge_first_made_by_email(pledge_deal, make_user):
    user = make_user(email="sam@example.org")
    pledges.sign_pledges([pledge_deal.walking], "sam@example.org")

    pledges.sign_pledges([pledge_deal.walking], None, user=user)

    pledge = Pledge.objects.get()
    assert (pledge.status, pledge.user) == (PledgeStatus.ACTIVE, user)


def test_re_signing_a_withdrawn_pledge_by_email_makes_it_pending(pledge_deal):
    [pledge] = sign_and_confirm([pledge_deal.walking], "sam@example.org")
    pledges.withdraw_pledge(pledge, by_email="sam@example.org")

    [again] = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")

    pledge.refresh_from_db()
    assert again.pk == pledge.pk
    assert (pledge.status, pledge.withdrawn_at, pledge.confirmed_at) == (
        PledgeStatus.PENDING,
        None,
        None,
    )
    assert pledges.pledge_totals(pledge_deal.deal).total_pledges == 0
    pledges.confirm_pledges(pledges.make_confirmation_token([again]))
    assert pledges.pledge_totals(pledge_deal.deal).total_pledges == 1


def test_re_signing_a_withdrawn_pledge_with_an_account_makes_it_active(pledge_deal, resident):
    [pledge] = pledges.sign_pledges([pledge_deal.walking], None, user=resident)
    pledges.withdraw_pledge(pledge, by_user=resident)

    pledges.sign_pledges([pledge_deal.walking], None, user=resident)

    pledge.refresh_from_db()
    assert (pledge.status, pledge.withdrawn_at) == (PledgeStatus.ACTIVE, None)
    assert Pledge.objects.count() == 1


def sign_at_once(commitment: Commitment, email: str, callers: int) -> list[BaseException]:
    """Several threads sign the same pledge at the same moment, as a double click does."""
    barrier = threading.Barrier(callers)
    errors: list[BaseException] = []

    def sign() -> None:
        try:
            barrier.wait()
            pledges.sign_pledges([commitment], email)
        except BaseException as error:  # collected and reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_make_one_row():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("SQLite's in-memory test database is shared between threads by table locks")
    deal = make_pledge_deal()

    errors = sign_at_once(deal.walking, "sam@example.org", callers=4)

    assert errors == []
    assert Pledge.objects.filter(commitment=deal.walking, email="sam@example.org").count() == 1


# Confirming


def test_confirming_makes_pending_pledges_active_once(pledge_deal):
    signed = pledges.sign_pledges([pledge_deal.walking, pledge_deal.recycling], "sam@example.org")
    token = pledges.make_confirmation_token(signed)

    confirmed = pledges.confirm_pledges(token)

    assert {pledge.pk for pledge in confirmed} == {pledge.pk for pledge in signed}
    assert set(statuses().values()) == {PledgeStatus.ACTIVE}
    first_times = set(Pledge.objects.values_list("confirmed_at", flat=True))
    assert None not in first_times
    # Using the link again changes nothing and counts nothing twice.
    assert len(pledges.confirm_pledges(token)) == 2
    assert set(Pledge.objects.values_list("confirmed_at", flat=True)) == first_times
    assert pledges.pledge_totals(pledge_deal.deal).total_pledges == 2
    assert AuditEvent.objects.filter(action="deal.pledge.confirmed").count() == 2


def test_an_old_link_does_not_bring_back_a_withdrawn_pledge(pledge_deal):
    signed = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    pledges.withdraw_pledge(signed[0], by_email="sam@example.org")

    assert pledges.confirm_pledges(pledges.make_confirmation_token(signed)) == []
    assert statuses() == {"HW-Y1": PledgeStatus.WITHDRAWN}


def test_a_link_only_confirms_pledges_made_with_its_address(pledge_deal):
    [sams] = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    [alexs] = pledges.sign_pledges([pledge_deal.recycling], "alex@example.org")
    for payload in (
        # Signed by us, naming Sam's pledge, but for another address.
        {"e": pledges._email_digest("alex@example.org"), "p": [str(sams.public_id)]},
        # Signed by us, naming pledges of two addresses.
        {
            "e": pledges._email_digest("sam@example.org"),
            "p": [str(sams.public_id), str(alexs.public_id)],
        },
    ):
        with pytest.raises(InvalidPledgeLink):
            pledges.confirm_pledges(signing.dumps(payload, salt=pledges.CONFIRMATION_SALT))

    assert statuses() == {"HW-Y1": PledgeStatus.PENDING, "C-Y2": PledgeStatus.PENDING}


def test_links_carry_no_email_address(pledge_deal):
    signed = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    confirmation = pledges.make_confirmation_token(signed)
    manage = pledges.make_manage_token(signed[0])

    for token, salt in ((confirmation, pledges.CONFIRMATION_SALT), (manage, pledges.MANAGE_SALT)):
        assert "sam" not in json.dumps(signing.loads(token, salt=salt))
    assert pledges.read_confirmation_token(confirmation).email == "sam@example.org"
    assert pledges.read_manage_token(manage) == "sam@example.org"


def tampered(token: str) -> str:
    position = len(token) // 2
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


@pytest.mark.parametrize(
    "make_bad_token",
    [
        tampered,
        lambda token: token[:-3],
        lambda token: "not-a-token",
        lambda token: "",
        # Signed by us, but for managing pledges, not confirming them.
        lambda token: pledges.make_manage_token(Pledge.objects.get()),
        # Signed by us with the right salt, but not a payload we make.
        lambda token: signing.dumps({"e": 1, "p": "x"}, salt=pledges.CONFIRMATION_SALT),
        lambda token: signing.dumps({"e": "a", "p": ["x"]}, salt=pledges.CONFIRMATION_SALT),
        lambda token: signing.dumps({"e": "a", "p": []}, salt=pledges.CONFIRMATION_SALT),
        lambda token: signing.dumps(["a"], salt=pledges.CONFIRMATION_SALT),
    ],
)
def test_a_bad_confirmation_link_is_refused_and_changes_nothing(pledge_deal, make_bad_token):
    signed = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    events = AuditEvent.objects.count()
    token = make_bad_token(pledges.make_confirmation_token(signed))

    with pytest.raises(InvalidPledgeLink) as error:
        pledges.confirm_pledges(token)

    assert error.value.reason == "invalid"
    assert str(error.value) == (
        "This link does not work. Check you copied the whole link from the email."
    )
    assert statuses() == {"HW-Y1": PledgeStatus.PENDING}
    assert AuditEvent.objects.count() == events


def signed_days_ago(days: float, make_token):
    with patch("time.time", return_value=time.time() - days * 24 * 60 * 60):
        return make_token()


def test_an_expired_confirmation_link_is_refused_and_changes_nothing(pledge_deal, settings):
    settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS = 7
    signed = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    old = signed_days_ago(7.1, lambda: pledges.make_confirmation_token(signed))
    recent = signed_days_ago(6.9, lambda: pledges.make_confirmation_token(signed))

    with pytest.raises(InvalidPledgeLink) as error:
        pledges.confirm_pledges(old)

    assert error.value.reason == "expired"
    assert str(error.value) == "This link has expired. Links in our emails work for 7 days."
    assert statuses() == {"HW-Y1": PledgeStatus.PENDING}
    assert len(pledges.confirm_pledges(recent)) == 1


def test_an_expired_manage_link_is_refused(pledge_deal, settings):
    settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS = 3
    [pledge] = pledges.sign_pledges([pledge_deal.walking], " Sam@Example.org")
    old = signed_days_ago(3.5, lambda: pledges.make_manage_token(pledge))
    with pytest.raises(InvalidPledgeLink) as error:
        pledges.read_manage_token(old)
    assert error.value.reason == "expired"
    recent = signed_days_ago(2.5, lambda: pledges.make_manage_token(pledge))
    assert pledges.read_manage_token(recent) == "sam@example.org"


# Withdrawing


def test_the_owner_can_withdraw_by_account_or_by_address(pledge_deal, resident):
    [by_account] = pledges.sign_pledges([pledge_deal.walking], None, user=resident)
    [by_email] = sign_and_confirm([pledge_deal.recycling], "sam@example.org")

    pledges.withdraw_pledge(by_account, by_user=resident)
    pledges.withdraw_pledge(by_email, by_email=" SAM@example.org")

    assert statuses() == {"HW-Y1": PledgeStatus.WITHDRAWN, "C-Y2": PledgeStatus.WITHDRAWN}
    assert Pledge.objects.filter(withdrawn_at__isnull=True).count() == 0
    assert pledges.pledge_totals(pledge_deal.deal).total_pledges == 0
    # Withdrawing again is harmless and not audited twice.
    pledges.withdraw_pledge(by_account, by_user=resident)
    assert AuditEvent.objects.filter(action="deal.pledge.withdrawn").count() == 2


def test_nobody_else_can_withdraw_a_pledge(pledge_deal, resident, make_user):
    [pledge] = pledges.sign_pledges([pledge_deal.walking], None, user=resident)
    someone_else = make_user()

    for attempt in (
        {"by_user": someone_else},
        {"by_email": "sam@example.org"},
        {"by_user": None, "by_email": None},
    ):
        with pytest.raises(PermissionDenied, match=r"^You can only withdraw your own pledges\.$"):
            pledges.withdraw_pledge(pledge, **attempt)

    pledge.refresh_from_db()
    assert (pledge.status, pledge.withdrawn_at) == (PledgeStatus.ACTIVE, None)
    assert not AuditEvent.objects.filter(action="deal.pledge.withdrawn").exists()


# Totals


def make_pledge(commitment, email, status=PledgeStatus.ACTIVE, district="") -> Pledge:
    return Pledge.objects.create(
        commitment=commitment, email=email, status=status, postcode_district=district
    )


def test_totals_count_active_pledges_only_and_people_once(pledge_deal):
    deal = pledge_deal
    make_pledge(deal.walking, "a@example.org", district="WN1")
    make_pledge(deal.volunteering, "a@example.org", district="WN1")
    make_pledge(deal.recycling, "a@example.org", district="WN1")
    make_pledge(deal.walking, "b@example.org", district="M29")
    make_pledge(deal.volunteering, "b@example.org", district="M29")
    make_pledge(deal.walking, "c@example.org")
    make_pledge(deal.walking, "d@example.org", district="WN2")
    make_pledge(deal.recycling, "e@example.org", PledgeStatus.PENDING, "WN1")
    make_pledge(deal.recycling, "f@example.org", PledgeStatus.WITHDRAWN, "WN3")
    make_pledge(deal.volunteering, "c@example.org", PledgeStatus.WITHDRAWN)
    # Another Deal's pledges are not this Deal's.
    make_pledge(deal.unpublished, "a@example.org", district="WN1")

    assert pledges.pledge_totals(deal.deal) == PledgeTotals(
        total_pledges=7,
        total_people=4,
        by_commitment={deal.walking.pk: 4, deal.volunteering.pk: 2, deal.recycling.pk: 1},
        by_district=[("WN1", 3), ("M29", 2), ("Not given", 1), ("WN2", 1)],
    )


def test_totals_of_a_deal_without_pledges_are_zero(pledge_deal):
    assert pledges.pledge_totals(pledge_deal.deal) == PledgeTotals(
        total_pledges=0,
        total_people=0,
        by_commitment={
            pledge_deal.walking.pk: 0,
            pledge_deal.volunteering.pk: 0,
            pledge_deal.recycling.pk: 0,
        },
        by_district=[],
    )


def test_totals_over_many_commitments_and_pledges_are_exact(pledge_deal):
    """Speed is measured by bench/scorecard.py; this checks the sums at a realistic size."""
    commitments = [pledge_deal.walking, pledge_deal.volunteering, pledge_deal.recycling]
    commitments += [
        Commitment.objects.create(
            theme=pledge_deal.walking.theme, part=Part.YOURS, reference=f"X{n}", title=f"X{n}"
        )
        for n in range(97)
    ]
    districts = ["WN1", "WN2", "WN3", "WN4", "WN5", "WN6", "WN7", "M29", "M46", "BL5", ""]
    statuses_cycle = [PledgeStatus.ACTIVE] * 8 + [PledgeStatus.PENDING, PledgeStatus.WITHDRAWN]
    now = timezone.now()
    Pledge.objects.bulk_create(
        (
            Pledge(
                commitment=commitments[n % 100],
                email=f"person{n // 100}@example.org",
                status=statuses_cycle[n % 10],
                postcode_district=districts[(n // 100) % 11],
                created_at=now,
            )
            for n in range(22_000)
        ),
        batch_size=5_000,
    )

    totals = pledges.pledge_totals(pledge_deal.deal)

    assert totals.total_pledges == 17_600
    assert totals.total_people == 220
    # Each commitment's pledges all have one status: 80 commitments with 220 active each.
    assert sorted(set(totals.by_commitment.values())) == [0, 220]
    assert list(totals.by_commitment.values()).count(0) == 20
    assert sum(count for _, count in totals.by_district) == 17_600
    # 220 people over 11 districts in turn: 20 each, and "" is counted as "Not given".
    assert dict(totals.by_district)["Not given"] == 20 * 80


# Emails


def test_a_manage_link_is_only_sent_to_an_address_with_pledges(
    pledge_deal, django_capture_on_commit_callbacks
):
    pledges.sign_pledges([pledge_deal.walking], "sam@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        pledges.send_manage_link("nobody@example.org")
        pledges.send_manage_link(" SAM@example.org")

    assert [message.to for message in mail.outbox] == [["sam@example.org"]]
    assert mail.outbox[0].subject == "Manage your pledges"
    url = re.search(r"/deal/pledge/manage/[^/\s]+/", mail.outbox[0].body).group(0)
    assert pledges.read_manage_token(token_in(url)) == "sam@example.org"


def test_the_audit_trail_holds_ids_and_no_email_address(pledge_deal, resident):
    [pledge] = sign_and_confirm([pledge_deal.walking], "sam@example.org", "WN1 1AA")
    pledges.withdraw_pledge(pledge, by_email="sam@example.org")
    pledges.sign_pledges([pledge_deal.recycling], None, user=resident)

    events = list(AuditEvent.objects.order_by("occurred_at", "pk"))
    assert [event.action for event in events] == [
        "deal.pledge.signed",
        "deal.pledge.confirmed",
        "deal.pledge.withdrawn",
        "deal.pledge.signed",
    ]
    assert events[0].object_id == str(pledge.public_id)
    assert events[0].details == {
        "commitment": str(pledge_deal.walking.public_id),
        "status": "pending",
    }
    assert events[3].actor == resident
    for event in events:
        assert "@" not in str(event.details) + event.object_id


def test_an_email_that_cannot_be_sent_is_reported_without_the_address(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2

    with pytest.raises(EmailNotSent) as error:
        send_email.call(
            "sam@example.org",
            "Manage your pledges",
            "deal/email/manage_pledges",
            {"manage_url": "http://example.org/x/", "max_age_days": 7},
        )

    assert "sam@example.org" not in str(error.value)
    assert error.value.__suppress_context__ is True


def test_the_public_form_cannot_flood_an_inbox(
    pledge_deal, settings, django_capture_on_commit_callbacks
):
    settings.OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR = 3
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            pledges.sign_pledges([pledge_deal.walking], "target@example.org")
        pledges.sign_pledges([pledge_deal.walking], "someone.else@example.org")
    assert [message.to for message in mail.outbox] == [["target@example.org"]] * 3 + [
        ["someone.else@example.org"]
    ]
    # The pledge itself is still there, once, waiting for confirmation.
    assert Pledge.objects.filter(email="target@example.org").count() == 1
