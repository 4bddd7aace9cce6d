"""Keeping personal data out of logs and stored error messages.

Log lines and import errors can quote what someone typed. Before they are written, anything
shaped like an email address, a UK phone number, an NHS number or a postcode is replaced by a
label, so logs can be kept and shared with suppliers without becoming personal data.
"""

import logging
import re

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("[email]", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")),
    # Ten digits, spaced 3-3-4 or not: NHS numbers, and most UK phone numbers without a 0.
    ("[nhs-number]", re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")),
    ("[phone]", re.compile(r"(?:\+44\s?|\b0)\d(?:[\s-]?\d){8,9}\b")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
]


def redact(text: str) -> str:
    for label, pattern in PATTERNS:
        text = pattern.sub(label, text)
    return text


_TRACEBACKS = logging.Formatter()


class RedactPersonalData(logging.Filter):
    """A logging filter that redacts the formatted message (arguments included), and the
    traceback and stack of the record, where an exception's text can quote what was typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = None
        if message is not None:
            redacted = redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info:
            # Formatters print exc_text when exc_info is gone, the JSON one as its exc_info.
            record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
