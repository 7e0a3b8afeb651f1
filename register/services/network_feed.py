"""A network feed read as a stream (`raas flow ingest FILE.xml`, CONTRACT.md section 9).

The file is parsed with DTDs, entities and the network refused (register.safe_xml),
one record at a time: memory stays flat whatever the file's size. Records are
validated against xsd/network-feed-v1.xsd a slice at a time (libxml2's own
streaming validation keeps memory for every record: see register/batch/validation.py),
then each is checked (check digits, event date, its payload against the flow's
XSD, the payload's size) and turned into the row stored: its payload as exclusive
C14N, the form two records are compared in. Every refusal names the line of the
element concerned.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from lxml import etree

from register import safe_xml
from register.domain import ssin as ssins
from register.domain.errors import InvalidSsin

NS = "urn:be:raas:network:v1"
SCHEMA = "network-feed-v1.xsd"
_ROOT, _FLOW, _RECORD = f"{{{NS}}}NetworkFeed", f"{{{NS}}}flow", f"{{{NS}}}record"
_SLICE = 500  # records validated at a time
MAX_PAYLOAD_BYTES = 64 * 1024  # a payload, as stored (exclusive C14N, UTF-8)
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(9999, 12, 31)


class FeedError(Exception):
    """The file is refused: the ``line`` of the element concerned (0 when unknown) and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line, self.reason = line, reason


def payload_schema(xsd: str) -> etree.XMLSchema:
    """A flow's XSD compiled; it must stand alone (no xs:include, xs:import or xs:redefine of a file):
    a flow's schema is stored in the database and read by every process, not from a folder."""
    try:
        document = safe_xml.fromstring(xsd.encode())
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed XML: {error.msg}") from None
    xs = "{http://www.w3.org/2001/XMLSchema}"
    if document.tag != f"{xs}schema":
        raise ValueError("not an XML Schema (the root is not xs:schema)")
    for tag in ("include", "import", "redefine", "override"):
        for found in document.iter(f"{xs}{tag}"):
            if found.get("schemaLocation") is not None:
                raise ValueError(f"line {found.sourceline}: xs:{tag} of another file; the schema must stand alone")
    try:
        return etree.XMLSchema(document)
    except etree.XMLSchemaParseError as error:
        raise ValueError(str(error)) from None


class Feed:
    """One feed file: ``flow()`` reads up to its flow code, ``records(schema)`` streams the rest."""

    def __init__(self, path: str | Path) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close() (a context manager)
        self._parsed = etree.iterparse(self._file, events=("end",), tag=(_FLOW, _RECORD), **safe_xml.OPTIONS)
        self._root = None
        self._flow = None
        self.flow_line = 0

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def _events(self) -> Iterator[etree._Element]:
        """The flow and record elements that are the root's children, each once it is complete."""
        try:
            for _, element in self._parsed:
                parent = element.getparent()
                if self._root is None:
                    self._root = parent
                    self._check_root(element)
                if parent is self._root:  # a deeper one belongs to a payload
                    yield element
        except etree.XMLSyntaxError as error:
            raise FeedError(error.lineno or 0, f"not well-formed XML: {error.msg}") from None
        if self._root is None:
            root = self._parsed.root
            if root is not None and safe_xml.has_doctype(root.getroottree()):
                raise FeedError(1, "a DOCTYPE is not allowed in a feed")
            found = etree.QName(root).text if root is not None else "nothing"
            raise FeedError(root.sourceline if root is not None else 0, f"the root element is {found}, not {_ROOT}")

    def _check_root(self, element) -> None:
        root = self._root
        if root is None or root.tag != _ROOT or root.getparent() is not None:
            found = etree.QName(root).text if root is not None else etree.QName(element).text
            raise FeedError(element.sourceline, f"the root element is {found}, not {_ROOT}")
        if safe_xml.has_doctype(root.getroottree()):
            raise FeedError(1, "a DOCTYPE is not allowed in a feed")

    def flow(self) -> str:
        """The feed's flow code (its first element), read without going further."""
        self._stream = self._events()
        first = next(self._stream, None)
        if first is None or first.tag != _FLOW:
            line = first.sourceline if first is not None else 1
            raise FeedError(line, "the feed's first element must be its flow")
        self._flow = first
        self.flow_line = first.sourceline
        return (first.text or "").strip()

    def records(self, schema: etree.XMLSchema | None) -> Iterator[tuple]:
        """(line, reference, ssin, event date, kind, payload) of each record, checked; FeedError on the first
        that is not. ``schema``: the flow's payload schema, or None when it has none."""
        feed_schema = safe_xml.schema(SCHEMA)
        piece, count = self._piece(), 0
        for element in self._stream:
            if element.tag != _RECORD:
                raise FeedError(element.sourceline, "a second flow element")
            piece.append(element)  # out of the parsed tree: memory holds one slice at most
            count += 1
            if len(piece) > _SLICE:
                yield from self._slice(feed_schema, piece, schema)
                piece = self._piece()
        # what the filter let pass in the root (other elements, text) is validated with the last slice
        stray = [child for child in self._root if child is not self._flow]
        piece.extend(stray)
        piece.text = self._root.text
        piece[0].tail = self._flow.tail
        if not count and not stray:
            raise FeedError(self.flow_line, "a feed holds one or more records")
        if len(piece) > 1 or (piece.text or "").strip() or (piece[0].tail or "").strip():
            yield from self._slice(feed_schema, piece, schema)

    def _piece(self) -> etree._Element:
        # a prefix, not the default namespace: a payload's elements in no namespace, moved under a default
        # namespace, would be serialised (and canonicalised) as if in it (libxml2 writes no xmlns="")
        piece = etree.Element(_ROOT, nsmap={"n": NS})
        piece.append(copy.deepcopy(self._flow))
        return piece

    def _slice(self, feed_schema, piece, schema) -> Iterator[tuple]:
        if not feed_schema.validate(piece):
            error = feed_schema.error_log.last_error
            raise FeedError(error.line, error.message.replace(f"{{{NS}}}", ""))
        for record in piece.iterchildren(_RECORD):
            yield _row(record, schema)


def _row(record: etree._Element, schema: etree.XMLSchema | None) -> tuple:
    reference, ssin, event_date, kind, wrapper = record  # the schema's sequence
    try:
        number = ssins.validate(ssin.text)
    except InvalidSsin:
        raise FeedError(ssin.sourceline, f"ssin {ssin.text}: wrong check digits or an impossible birth date") from None
    day = date.fromisoformat(event_date.text.strip()[:10])  # xs:date; a time zone is ignored
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise FeedError(event_date.sourceline, f"eventDate {day} is outside 1900-01-01..9999-12-31")
    payload = next(wrapper.iterchildren(etree.Element))
    if schema is not None and not schema.validate(payload):
        error = schema.error_log.last_error
        raise FeedError(error.line or payload.sourceline, f"the payload is not valid for its flow: {error.message}")
    canonical = etree.tostring(payload, method="c14n", exclusive=True, with_comments=False)
    if len(canonical) > MAX_PAYLOAD_BYTES:
        raise FeedError(payload.sourceline, f"the payload is over {MAX_PAYLOAD_BYTES:,} bytes")
    if b"<?" in canonical:
        raise FeedError(payload.sourceline, "processing instructions are not allowed in a payload")
    return record.sourceline, reference.text, number, day, kind.text, canonical.decode()


def read_all(path: str | Path, schema_of: Callable[[str], etree.XMLSchema | None]) -> tuple[str, list[tuple]]:
    """The flow and every checked record of a (small) feed, in memory: for tests and tools."""
    with Feed(path) as feed:
        code = feed.flow()
        return code, list(feed.records(schema_of(code)))
