"""An exception's text can quote what someone typed: its traceback, like the message, reaches
the log with personal data redacted, in the plain format and in JSON."""

import json
import logging
import sys

from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from opendeal.core.redaction import RedactPersonalData


def _failed_record(message: str = "Could not send to %s") -> logging.LogRecord:
    try:
        raise ValueError("bad address jo.bloggs@example.org for WN1 1AA")
    except ValueError:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "opendeal.mail", logging.ERROR, __file__, 1, message, ("jo.bloggs@example.org",), exc_info
    )


def test_a_traceback_in_a_plain_log_line_is_redacted():
    record = _failed_record()
    assert RedactPersonalData().filter(record)
    line = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]).format(record)
    assert "Could not send to [email]" in line
    assert "ValueError: bad address [email] for [postcode]" in line
    assert "Traceback (most recent call last)" in line
    assert "jo.bloggs" not in line and "WN1" not in line


def test_a_traceback_in_a_json_log_line_is_redacted():
    record = _failed_record()
    assert RedactPersonalData().filter(record)
    configured = dict(settings.LOGGING["formatters"]["json"])
    configured.pop("()")
    line = json.loads(JsonFormatter(**configured).format(record))
    assert "ValueError: bad address [email] for [postcode]" in line["exc_info"]
    assert "jo.bloggs" not in json.dumps(line)


def test_a_stack_is_redacted_too():
    record = logging.LogRecord(
        "opendeal", logging.WARNING, __file__, 1, "look", None, None, sinfo="at ann@example.org"
    )
    assert RedactPersonalData().filter(record)
    assert record.stack_info == "at [email]"
