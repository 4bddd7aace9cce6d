"""Sending email: rendered from templates, sent by a background task, queued with the change
that caused it.

Email addresses are personal data: nothing here logs them, and a failure to send is re-raised
without the SMTP library's message (which names the recipient), so the task log stays clean.
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django_tasks import task
from django_tasks.base import Task

from opendeal.core.rate_limits import within_hourly_limit


class EmailNotSent(Exception):
    """Sending failed; the cause is left out because it can name the recipient."""


def _render_optional(template_name: str, context: dict) -> str | None:
    try:
        return render_to_string(template_name, context)
    except TemplateDoesNotExist:
        return None


@task()
def send_email(to: str, subject: str, template: str, context: dict) -> None:
    """Send one email. `template` names a pair of templates without their extension:
    `<template>.txt` (required) and `<template>.html` (optional). `context` must be JSON
    (the database task backend stores it), and links in it absolute."""
    context = {**context, "council": settings.OPENDEAL_COUNCIL}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    html = _render_optional(f"{template}.html", context)
    if html is not None:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:  # any failure: report it without the address
        raise EmailNotSent(f"Could not send the {template} email.") from None


def send_email_after_commit(
    to: str, subject: str, template: str, context: dict, *, unsolicited: bool = False
) -> bool:
    """Queue the email with the current transaction, so nobody is emailed about a change that
    was rolled back, and no email is lost for one that was committed.

    `unsolicited` marks mail that anyone can trigger by typing an address into a public form
    (a confirmation link, say): at most `OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR` such emails go
    to one address within an hour of the first, so the forms cannot be used to flood someone's inbox.
    Returns whether the email was queued."""
    if unsolicited and not within_unsolicited_email_limit(to):
        return False

    enqueue_with_transaction(send_email, to=to, subject=subject, template=template, context=context)
    return True


def enqueue_with_transaction(task_to_run: Task, **kwargs: Any) -> None:
    """Queue a task so that it happens if and only if the current transaction commits.

    With the database queue the task row is written inside the caller's transaction (an
    outbox): it commits or rolls back with the change, and a server killed just after the
    commit loses nothing. Other backends (the immediate one in development and tests) run the
    task once the transaction commits.
    """
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task_backends[task_to_run.backend], DatabaseBackend):
        task_to_run.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task_to_run.enqueue(**kwargs))


def within_unsolicited_email_limit(address: str) -> bool:
    """Count one more unsolicited email to `address` this hour; False once over the limit."""
    return within_hourly_limit(
        "unsolicited-email", address.strip().lower(), settings.OPENDEAL_UNSOLICITED_EMAILS_PER_HOUR
    )


def absolute_url(path: str) -> str:
    """A link for an email: the site's configured address plus the path."""
    return settings.OPENDEAL_BASE_URL.rstrip("/") + path
