"""SSINs never reach the application logs: every log record is redacted when it is made.

A record's message (with its arguments) and its formatted traceback are
rewritten before any handler sees them, so it holds for every handler and
formatter that uses ``getMessage()`` and ``exc_text`` (logging's own do). An
exception from the database may quote a row (``Key (ssin)=(...)``): that is
where an SSIN would otherwise slip in.
"""

from __future__ import annotations

import logging
import re

# 11 digits standing alone (an SSIN, possibly another number: hidden too), or written 85.07.30-001.23
_SSIN = re.compile(r"(?<!\d)(?:\d{11}|\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2})(?!\d)")
MASK = "<ssin>"


def redact(text: str) -> str:
    """
    >>> redact("Key (ssin)=(85073000111) is not present; 85.07.30-001.11; id 123456789012")
    'Key (ssin)=(<ssin>) is not present; <ssin>; id 123456789012'
    """
    return _SSIN.sub(MASK, text)


def install() -> None:
    """Redact every log record of this process from now on (idempotent)."""
    make = logging.getLogRecordFactory()
    if getattr(make, "redacts", False):
        return

    def redacted_record(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call is logging's to report, as it would without us
            return record
        record.msg, record.args = redact(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    redacted_record.redacts = True
    logging.setLogRecordFactory(redacted_record)
