"""Sending email: rendered from templates, sent by a background task, queued after commit.

Email addresses are personal data: nothing here logs them, and a failure to send is re-raised
without the SMTP library's message (which names the recipient), so the task log stays clean.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django_tasks import task


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


def send_email_after_commit(to: str, subject: str, template: str, context: dict) -> None:
    """Queue the email once the current transaction commits, so nobody is emailed about a
    change that was rolled back."""
    transaction.on_commit(
        lambda: send_email.enqueue(to=to, subject=subject, template=template, context=context)
    )


def absolute_url(path: str) -> str:
    """A link for an email: the site's configured address plus the path."""
    return settings.OPENDEAL_BASE_URL.rstrip("/") + path
