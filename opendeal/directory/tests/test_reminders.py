"""Owners are reminded once when a listing passes 12 months without review, and again only
after it has been reviewed and gone stale again."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from opendeal.core.roles import Role
from opendeal.directory import moderation, reminders, tasks
from opendeal.directory.models import ReviewReminder, Service
from opendeal.directory.tests.moderation_listings import (
    add_member,
    make_listing,
    make_organization,
)

pytestmark = pytest.mark.django_db(transaction=True)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def stale_listing(make_user):
    organization = make_organization("Hindley Carers")
    service = make_listing(organization, name="Carers' drop-in", reviewed_on=days_ago(400))
    add_member(make_user(Role.COMMUNITY_MEMBER, email="one@example.org"), organization)
    add_member(make_user(Role.COMMUNITY_MEMBER, email="two@example.org"), organization)
    return service


def test_each_stale_listings_members_are_emailed_once(stale_listing, make_user):
    fresh_organization = make_organization("Fresh")
    make_listing(fresh_organization, name="Fresh", reviewed_on=days_ago(300))
    add_member(make_user(Role.COMMUNITY_MEMBER, email="fresh@example.org"), fresh_organization)

    assert reminders.send_review_reminders() == 1
    assert sorted(message.to[0] for message in mail.outbox) == [
        "one@example.org",
        "two@example.org",
    ]
    assert "Carers' drop-in" in mail.outbox[0].subject
    assert f"/directory/your-listings/{stale_listing.id}/" in mail.outbox[0].body
    assert ReviewReminder.objects.get().recipients == 2

    assert reminders.send_review_reminders() == 0
    assert len(mail.outbox) == 2


def test_a_review_starts_the_clock_again(stale_listing, make_user):
    assert reminders.send_review_reminders() == 1
    moderation.edit_directly(make_user(Role.DIRECTORY_EDITOR), stale_listing, {"description": "Ok"})
    assert Service.objects.get(id=stale_listing.id).last_reviewed_on == timezone.localdate()
    assert reminders.send_review_reminders() == 0
    # A year and more later: that review has gone stale too, and the old reminder predates it.
    ReviewReminder.objects.update(sent_at=timezone.now() - datetime.timedelta(days=800))
    Service.objects.filter(id=stale_listing.id).update(last_reviewed_on=days_ago(370))
    assert reminders.send_review_reminders() == 1
    assert ReviewReminder.objects.filter(service=stale_listing).count() == 2
    assert len(mail.outbox) == 4


def test_listings_without_members_are_not_emailed_but_are_listed():
    orphan = make_listing(make_organization("No members"), reviewed_on=days_ago(1000))
    never = make_listing(make_organization("Never"), name="Never reviewed", reviewed_on=None)
    assert reminders.send_review_reminders() == 0
    assert list(reminders.stale_services()) == [never, orphan]
    assert mail.outbox == []


def test_the_command_and_the_task_send_them(stale_listing):
    out = io.StringIO()
    call_command("directory_housekeeping", stdout=out)
    assert out.getvalue() == "Sent review reminders for 1 listings; 1 listings are stale in all.\n"
    assert len(mail.outbox) == 2
    assert tasks.send_review_reminders.enqueue().return_value == 0
