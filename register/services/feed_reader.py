"""A large XML feed read in groups of records, each parsed as a small document of its own.

Why not one incremental parse (lxml's iterparse): libxml2 2.14 keeps about 24 bytes for
every namespace declaration it meets in a document, for as long as the process lives
(measured: a bare iterparse of a million records that each declare their payload's
namespace grows by 24 MB, and parsing the same file again grows it again). A feed's
every payload declares its namespace, so memory would grow with the file. Small
documents, one per group, keep it flat.

How: the head (prolog, root start tag, the first element) is parsed on its own; then
the body is cut after end tags of records, found by a regular expression (about one
microsecond a record), and each group of about GROUP records is parsed inside a copy
of the root's start tag, which carries every namespace declared there. A cut in the
wrong place (the text ``</n:record>`` in a comment or a CDATA section of a payload)
leaves the group unclosed, which the parser reports on the group's last line: the
group then takes more records and is parsed again. A syntax error anywhere else is the
feed's, reported at its line. Lines are the file's: a group's first byte starts its
first line, and the copied start tag holds no line break.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

from register import safe_xml

GROUP = 500  # records parsed, and validated, at a time
_READ = 1 << 20
_HEAD_LIMIT = 1 << 20  # the prolog, root start tag and first element fit in a MiB
GROUP_LIMIT = 16 << 20  # a group never needs more: a payload is 64 KiB at most


class ReadError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _end_tag(local: str) -> re.Pattern:
    return re.compile(rb"</(?:[^\s<>/:]+:)?" + local.encode() + rb"\s*>")


class GroupReader:
    """``head()``: the root (its children: the first element only) and that first element's line;
    ``groups()``: (first line, root of a group document) of the records after it."""

    def __init__(self, path: str | Path, root: str, first: str, record: str) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._buffer = b""
        self._line = 1  # the file's line of the buffer's first byte
        self._eof = False
        self._root, self._first = root, first
        self._end_first, self._end_record = _end_tag(etree.QName(first).localname), _end_tag(record)
        self._start = self._end = b""

    def close(self) -> None:
        self._file.close()

    def _more(self) -> bool:
        data = self._file.read(_READ)
        self._eof = not data
        self._buffer += data
        return bool(data)

    def _consume(self, size: int) -> bytes:
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        self._line += taken.count(b"\n")
        return taken

    def head(self) -> etree._Element:
        """The root with its first element, parsed from the file's start up to that element's end tag."""
        self._more()
        declared = _ENCODING.match(self._buffer)
        if self._buffer.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            declared and declared.group(1).upper() not in (b"UTF-8", b"UTF8")
        ):
            found = declared.group(1).decode("ascii", "replace") if declared else "UTF-16"
            raise ReadError(1, f"a feed is encoded in UTF-8, not {found}")
        searched = 0
        while True:
            for match in self._end_first.finditer(self._buffer, searched):
                root = self._try_head(self._buffer[: match.end()])
                if root is not None:
                    self._consume(match.end())
                    start, end = self._tags(root)
                    self._start, self._end = start.encode(), end.encode()
                    return root
            searched = max(0, len(self._buffer) - 256)
            if len(self._buffer) > _HEAD_LIMIT or not self._more():
                break
        self._head_error()

    @staticmethod
    def _tags(root: etree._Element) -> tuple[str, str]:
        """The root's start tag with every namespace declared there, on one line, and its end tag."""
        qname = f"{root.prefix}:{etree.QName(root).localname}" if root.prefix else etree.QName(root).localname
        declarations = "".join(
            f" xmlns{':' + prefix if prefix else ''}={quoteattr(uri)}" for prefix, uri in root.nsmap.items()
        )
        return f"<{qname}{declarations}>", f"</{qname}>"

    def _try_head(self, data: bytes) -> etree._Element | None:
        """The root when ``data`` ends with the end tag of the root's first element, else None."""
        parser = etree.XMLPullParser(events=("start",), **safe_xml.OPTIONS)
        try:
            parser.feed(data)
            root = next((element for _, element in parser.read_events()), None)
            if root is None:
                return None
            self._check_root(root)
            qname = f"{root.prefix}:{etree.QName(root).localname}" if root.prefix else etree.QName(root).localname
            parser.feed(f"</{qname}>".encode())
            root = parser.close()
        except etree.XMLSyntaxError:
            return None
        if len(root) != 1 or root[0].tag != self._first:
            return None
        return root

    def _check_root(self, root: etree._Element) -> None:
        tree = root.getroottree()
        if safe_xml.has_doctype(tree):
            raise ReadError(1, "a DOCTYPE is not allowed in a feed")
        if root.tag != self._root:
            raise ReadError(root.sourceline or 1, f"the root element is {root.tag}, not {self._root}")
        if len(root.attrib):
            raise ReadError(root.sourceline or 1, "the root element takes no attributes")

    def _head_error(self) -> None:
        """Why no head was found: the parser's first complaint, or what the root holds first."""
        parser = etree.XMLPullParser(events=("start", "end"), **safe_xml.OPTIONS)
        try:
            parser.feed(self._buffer[:_HEAD_LIMIT])
            root, first = None, None
            for event, element in parser.read_events():
                if event == "start" and root is None:
                    root = element
                    self._check_root(root)
                elif event == "end" and element.getparent() is root and first is None:
                    first = element
            if self._eof:
                parser.close()
        except etree.XMLSyntaxError as error:
            raise ReadError(error.lineno or 1, f"not well-formed XML: {error.msg}") from None
        if root is None:
            raise ReadError(1, "no root element")
        line = first.sourceline if first is not None else root.sourceline
        raise ReadError(line, f"the feed's first element must be its {etree.QName(self._first).localname}")

    def groups(self) -> Iterator[tuple[int, etree._Element]]:
        """Groups of about GROUP records after the head, each the root of a document of its own."""
        while True:
            cuts, searched = [], 0
            while len(cuts) < GROUP:
                cuts += [m.end() for m in self._end_record.finditer(self._buffer, searched)][: GROUP - len(cuts)]
                searched = cuts[-1] if cuts else max(0, len(self._buffer) - 256)
                if len(cuts) >= GROUP or not self._more():
                    break
            if not cuts:
                break
            yield self._group(cuts)
        yield self._last()

    def _group(self, cuts: list[int]) -> tuple[int, etree._Element]:
        """The group up to the last cut, taking more when a cut fell inside a record."""
        count = len(cuts)
        while True:
            end = cuts[min(count, len(cuts)) - 1]
            data = self._buffer[:end]
            try:
                root = safe_xml.fromstring(self._start + data + self._end)
            except etree.XMLSyntaxError as error:
                last_line = 1 + data.count(b"\n")
                if (error.lineno or last_line) < last_line or len(data) > GROUP_LIMIT:
                    raise ReadError(self._line + (error.lineno or 1) - 1, f"not well-formed XML: {error.msg}") from None
                count *= 2  # a cut inside a record: take more
                while len(cuts) < count:
                    found = [m.end() for m in self._end_record.finditer(self._buffer, cuts[-1])]
                    cuts += found[: count - len(cuts)]
                    if len(cuts) >= count or not self._more():
                        break
                if count > len(cuts) and end == cuts[-1]:  # no further cut: the rest of the file decides
                    return self._last()
                continue
            line = self._line
            self._consume(end)
            return line, root

    def _last(self) -> tuple[int, etree._Element]:
        """What follows the last record: the root's end tag, and whatever else the file holds."""
        while len(self._buffer) <= GROUP_LIMIT and self._more():
            pass
        line = self._line
        if not self._eof:
            raise ReadError(line, f"no record's end tag in the {GROUP_LIMIT >> 20} MiB after this line")
        try:
            root = safe_xml.fromstring(self._start + self._consume(len(self._buffer)))
        except etree.XMLSyntaxError as error:
            raise ReadError(line + (error.lineno or 1) - 1, f"not well-formed XML: {error.msg}") from None
        return line, root
