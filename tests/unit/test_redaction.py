"""No SSIN in the application logs: records are redacted when they are made (register.redaction)."""

from __future__ import annotations

import logging

import pytest

from register import redaction

SSIN = "85073000111"


@pytest.fixture
def redacted_log(caplog):
    original = logging.getLogRecordFactory()
    redaction.install()
    redaction.install()  # twice: still one layer
    caplog.set_level(logging.INFO, logger="raas.test")
    yield caplog
    logging.setLogRecordFactory(original)


def test_an_ssin_in_a_message_or_its_arguments_is_masked(redacted_log):
    log = logging.getLogger("raas.test")
    log.info("registered %s for %s", SSIN, "85.07.30-001.11")
    log.warning(f"direct {SSIN}")
    assert [r.getMessage() for r in redacted_log.records] == ["registered <ssin> for <ssin>", "direct <ssin>"]
    assert SSIN not in redacted_log.text


def test_an_ssin_in_an_exception_is_masked_in_the_traceback(redacted_log):
    try:
        raise ValueError(f'insert violates foreign key: Key (ssin)=({SSIN}) is not present in table "person"')
    except ValueError:
        logging.getLogger("raas.test").exception("incident")
    (record,) = redacted_log.records
    assert "Key (ssin)=(<ssin>)" in record.exc_text and SSIN not in record.exc_text
    assert SSIN not in logging.Formatter().format(record)


def test_longer_numbers_are_left_alone(redacted_log):
    logging.getLogger("raas.test").info("sequence %d", 123456789012)
    assert redacted_log.records[0].getMessage() == "sequence 123456789012"
