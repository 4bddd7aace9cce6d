"""GOV.UK Notify as a Django email backend, for councils that send email through Notify.

    EMAIL_BACKEND=opendeal.core.notify.NotifyEmailBackend
    GOVUK_NOTIFY_API_KEY=<key name>-<service id>-<secret>
    GOVUK_NOTIFY_TEMPLATE_ID=<id of an email template>

Notify sends from templates, so the template set up in Notify for OpenDeal has the subject
((subject)) and the body ((body)); this backend fills them with the message's subject and plain
text. Notify sends from the service's own address, so `from_email` is not used; nor are HTML
alternatives or attachments (Notify attaches files only through its own upload links): emails
that carry a calendar file also carry a link to it.

Built on notifications-python-client, GDS's own client for the Notify API: it signs each request
with a fresh JWT as Notify requires, and follows the API when it changes.
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(
        self,
        fail_silently: bool = False,
        *,
        api_key: str | None = None,
        template_id: str | None = None,
        base_url: str | None = None,
        reply_to_id: str | None = None,
        timeout: float | None = None,
        **kwargs,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key or settings.GOVUK_NOTIFY_API_KEY
        self.template_id = template_id or settings.GOVUK_NOTIFY_TEMPLATE_ID
        self.base_url = base_url or settings.GOVUK_NOTIFY_BASE_URL
        self.reply_to_id = reply_to_id or settings.GOVUK_NOTIFY_REPLY_TO_ID or None
        self.timeout = timeout or settings.EMAIL_TIMEOUT or 30
        if not self.api_key or not self.template_id:
            raise ImproperlyConfigured(
                "Sending email through GOV.UK Notify needs GOVUK_NOTIFY_API_KEY and "
                "GOVUK_NOTIFY_TEMPLATE_ID."
            )

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Send each message to each of its recipients; returns how many messages went."""
        if not email_messages:
            return 0
        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)
        sent = 0
        for message in email_messages:
            try:
                for recipient in message.recipients():
                    client.send_email_notification(
                        email_address=recipient,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                        email_reply_to_id=self.reply_to_id,
                    )
            except Exception:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent
