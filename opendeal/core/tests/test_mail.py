"""Emails are queued with the change that causes them."""

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from opendeal.core.mail import send_email_after_commit

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class RolledBack(Exception):
    pass


@override_settings(TASKS=DATABASE_QUEUE)
def test_with_the_database_queue_the_email_commits_or_rolls_back_with_the_change():
    with pytest.raises(RolledBack), transaction.atomic():
        send_email_after_commit("ann@example.org", "Your place", "events/email/confirm", {})
        assert DBTaskResult.objects.count() == 1  # in the same transaction as the change
        raise RolledBack
    assert DBTaskResult.objects.count() == 0

    with transaction.atomic():
        send_email_after_commit("ann@example.org", "Your place", "events/email/confirm", {})
    assert DBTaskResult.objects.count() == 1


def test_sent_straight_away_only_once_the_change_is_committed():
    with pytest.raises(RolledBack), transaction.atomic():
        send_email_after_commit("ann@example.org", "Subject", "core/email/none", {})
        raise RolledBack
    assert mail.outbox == []
