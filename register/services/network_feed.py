"""A network feed read as a stream (`raas flow ingest FILE.xml`, CONTRACT.md section 9).

The file is parsed with DTDs, entities and the network refused (register.safe_xml),
a group of records at a time (register/services/feed_reader.py): memory stays flat
whatever the file's size. Each group is validated against xsd/network-feed-v1.xsd,
then each record is checked (check digits, event date, its payload against the
flow's XSD, the payload's size) and turned into the row stored: its payload as
exclusive C14N, the form two records are compared in. Every refusal names the
line of the element concerned; a feed is UTF-8.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from lxml import etree

from register import safe_xml
from register.domain import ssin as ssins
from register.domain.errors import InvalidSsin
from register.services.feed_reader import GroupReader, ReadError

NS = "urn:be:raas:network:v1"
SCHEMA = "network-feed-v1.xsd"
_ROOT, _FLOW, _RECORD = f"{{{NS}}}NetworkFeed", f"{{{NS}}}flow", f"{{{NS}}}record"
MAX_PAYLOAD_BYTES = 64 * 1024  # a payload, as stored (exclusive C14N, UTF-8)
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(9999, 12, 31)


class FeedError(Exception):
    """The file is refused: the ``line`` of the element concerned (0 when unknown) and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line, self.reason = line, reason


class SchemaError(ValueError):
    """A flow's payload schema that cannot be used (the operator's file)."""


def payload_schema(xsd: str) -> etree.XMLSchema:
    """A flow's XSD compiled; it must stand alone (no xs:include, xs:import or xs:redefine of a file):
    a flow's schema is stored in the database and read by every process, not from a folder."""
    try:
        document = safe_xml.fromstring(xsd.encode())
    except etree.XMLSyntaxError as error:
        raise SchemaError(f"line {error.lineno}: not well-formed XML: {error.msg}") from None
    xs = "{http://www.w3.org/2001/XMLSchema}"
    if document.tag != f"{xs}schema":
        raise SchemaError("not an XML Schema (the root is not xs:schema)")
    for tag in ("include", "import", "redefine", "override"):
        for found in document.iter(f"{xs}{tag}"):
            if found.get("schemaLocation") is not None:
                raise SchemaError(f"line {found.sourceline}: xs:{tag} of another file; the schema must stand alone")
    try:
        return etree.XMLSchema(document)
    except etree.XMLSchemaParseError as error:
        raise SchemaError(str(error).splitlines()[0]) from None


class Feed:
    """One feed file: ``flow()`` reads up to its flow code, ``records(schema)`` streams the rest.

    The file is read in groups of records, each a small document of its own
    (register/services/feed_reader.py says why), validated against the feed's
    schema with a copy of the flow element, then record by record."""

    def __init__(self, path: str | Path) -> None:
        self._reader = GroupReader(path, _ROOT, _FLOW, "record")
        self._flow = None
        self.flow_line = 0

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._reader.close()

    def flow(self) -> str:
        """The feed's flow code (its first element), read without going further."""
        try:
            root = self._reader.head()
        except ReadError as error:
            raise FeedError(error.line, error.reason) from None
        self._flow = root[0]
        self.flow_line = self._flow.sourceline
        return (self._flow.text or "").strip()

    def records(self, schema: etree.XMLSchema | None) -> Iterator[tuple]:
        """(line, reference, ssin, event date, kind, payload) of each record, checked; FeedError on the first
        that is not. ``schema``: the flow's payload schema, or None when it has none."""
        feed_schema = safe_xml.schema(SCHEMA)
        count = 0
        try:
            for first_line, group in self._reader.groups():
                if not len(group) and count:  # the end of the file: nothing more
                    continue
                group.insert(0, copy.deepcopy(self._flow))
                group[0].tail = None
                if not feed_schema.validate(group):
                    error = feed_schema.error_log.last_error
                    line = first_line + error.line - 1 if error.line > 0 else self.flow_line
                    raise FeedError(line, error.message.replace(f"{{{NS}}}", ""))
                for record in group.iterchildren(_RECORD):
                    count += 1
                    yield _row(record, schema, first_line - 1)
        except ReadError as error:
            raise FeedError(error.line, error.reason) from None


def _row(record: etree._Element, schema: etree.XMLSchema | None, shift: int) -> tuple:
    """The row of a record of a group whose lines are the file's minus ``shift``."""
    reference, ssin, event_date, kind, wrapper = record  # the schema's sequence
    try:
        number = ssins.validate(ssin.text)
    except InvalidSsin:
        raise FeedError(
            shift + ssin.sourceline, f"ssin {ssin.text}: wrong check digits or an impossible birth date"
        ) from None
    day = date.fromisoformat(event_date.text.strip()[:10])  # xs:date; a time zone is ignored
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise FeedError(shift + event_date.sourceline, f"eventDate {day} is outside 1900-01-01..9999-12-31")
    payload = next(wrapper.iterchildren(etree.Element))
    if schema is not None and not schema.validate(payload):
        error = schema.error_log.last_error
        raise FeedError(
            shift + (error.line or payload.sourceline), f"the payload is not valid for its flow: {error.message}"
        )
    canonical = etree.tostring(payload, method="c14n", exclusive=True, with_comments=False)
    if len(canonical) > MAX_PAYLOAD_BYTES:
        raise FeedError(shift + payload.sourceline, f"the payload is over {MAX_PAYLOAD_BYTES:,} bytes")
    if b"<?" in canonical:
        raise FeedError(shift + payload.sourceline, "processing instructions are not allowed in a payload")
    return shift + record.sourceline, reference.text, number, day, kind.text, canonical.decode()
