"""Read a written data file back: validate it against the schema, count, order and hash it.

Streaming (lxml's iterparse; records validated a slice at a time, see _check),
so memory stays flat whatever the file's size. The SHA-256 and size are those of
the bytes read back from disk, which are the bytes the voucher vouches for.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from register import safe_xml
from register.batch import mutation_file, network_file

_SLICE = 500  # records validated at a time
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Layout:
    """What a data file is: its root, header and record elements, its schema and the prefix it is written with."""

    root: str
    header: str
    records: tuple[str, ...]
    schema: str  # a file of xsd/
    prefix: str | None  # the namespace's prefix in the file (None: the default namespace)

    @classmethod
    def of(cls, namespace: str, root: str, records, schema: str, prefix: str | None) -> Layout:
        return cls(f"{{{namespace}}}{root}", f"{{{namespace}}}header",
                   tuple(f"{{{namespace}}}{name}" for name in records), schema, prefix)  # fmt: skip

    @property
    def namespace(self) -> str:
        return etree.QName(self.root).namespace


MUTATIONS = Layout.of(
    mutation_file.NAMESPACE, "MutationFile", mutation_file.RECORD_ELEMENT.values(), "mutations-v1.xsd", None
)
NETWORK = Layout.of(network_file.NAMESPACE, "NetworkFile", [network_file.RECORD_ELEMENT], "network-v1.xsd", "n")


class InvalidFile(Exception):
    """The file read back is not what was meant to be written (a bug or a disk fault): the run fails."""


@dataclass(frozen=True)
class Checked:
    sha256: str
    size: int
    record_count: int


class _HashingReader:
    def __init__(self, raw) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(_CHUNK if size is None or size < 0 else size)
        self.digest.update(data)
        self.size += len(data)
        return data


def check_data_file(
    path: Path, record_count: int, first: int | None, last: int | None, layout: Layout = MUTATIONS
) -> Checked:
    """Valid against its schema (xsd/mutations-v1.xsd, or xsd/network-v1.xsd for a network flow's),
    ``record_count`` records in increasing sequence from ``first`` to ``last``; raises InvalidFile
    naming the line otherwise."""
    with path.open("rb") as raw:
        reader = _HashingReader(raw)
        try:
            count, previous = _check(reader, first, layout)
        except etree.XMLSyntaxError as error:
            raise InvalidFile(f"{path.name}: line {error.lineno}: {error.msg}") from None
        except _Invalid as error:
            raise InvalidFile(f"{path.name}: line {error.line}: {error.reason}") from None
        while reader.read(_CHUNK):  # the parser may stop before the last bytes (a final newline)
            pass
    if count != record_count or previous != last:
        raise InvalidFile(f"{path.name}: {count} records up to sequence {previous}, not {record_count} up to {last}")
    return Checked(reader.digest.hexdigest(), reader.size, count)


class _Invalid(Exception):
    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason


def _check(reader: _HashingReader, first: int | None, layout: Layout) -> tuple[int, int | None]:
    """The file parsed as a stream; its records checked against the schema a slice at a time.

    libxml2's streaming validation (iterparse with ``schema=``) keeps about 80
    bytes per record for the whole file (it interns each new value, and every
    sequence is new): memory would grow with the file. So each finished record
    is moved out of the parsed tree into a small document holding a copy of the
    header, which is validated every _SLICE records and dropped. The file is
    valid when every slice is and the root holds nothing else: the root's
    content model is a header then any number of records.
    """
    schema_ = safe_xml.schema(layout.schema)
    count, previous, header, root, piece = 0, None, None, None, None
    parsed = etree.iterparse(reader, events=("end",), tag=(layout.header, *layout.records), **safe_xml.OPTIONS)
    for _, element in parsed:
        parent = element.getparent()
        if root is None:
            root = parent
            if root is None or root.tag != layout.root or root.getparent() is not None or len(root.attrib):
                raise _Invalid(element.sourceline, f"the root element is not a plain {layout.root}")
            if root.getroottree().docinfo.doctype:
                raise _Invalid(1, "a DOCTYPE")
        if parent is not root:
            if _in_payload(element, root):
                continue  # an element of the file's namespace inside a payload: the payload's business
            raise _Invalid(element.sourceline, f"{etree.QName(element).localname} inside another element")
        if element.tag == layout.header:
            if header is not None or count:
                raise _Invalid(element.sourceline, "a header that is not the root's first and only one")
            header = element
            continue
        if header is None:
            raise _Invalid(element.sourceline, "a record before the header")
        sequence = element[0].text if len(element) else None
        if not (sequence and sequence.isdigit()):
            raise _Invalid(element.sourceline, "a record without its sequence first")
        sequence = int(sequence)
        if previous is not None and sequence <= previous:
            raise _Invalid(element.sourceline, f"sequence {sequence} after {previous}")
        if count == 0 and sequence != first:
            raise _Invalid(element.sourceline, f"first sequence {sequence}, not {first}")
        previous = sequence
        count += 1
        if piece is None:
            piece = _piece(header, layout)
        piece.append(element)  # out of the parsed tree: it holds at most one record at a time
        if len(piece) > _SLICE:
            _validate(schema_, piece)
            piece = None
    if header is None:
        doctype = parsed.root is not None and parsed.root.getroottree().docinfo.doctype
        raise _Invalid(1, "a DOCTYPE" if doctype else "no header")
    if len(root) != 1 or root[0] is not header:  # anything the records' filter did not take
        stray = next(child for child in root if child is not header)
        raise _Invalid(stray.sourceline, f"{stray.tag} in the root")
    _validate(schema_, piece if piece is not None else _piece(header, layout))
    return count, previous


def _in_payload(element: etree._Element, root: etree._Element) -> bool:
    """Whether ``element`` lies inside a record's payload (a NetworkFile's ``payload``, not checked here)."""
    payload = f"{{{etree.QName(root).namespace}}}payload"
    return any(
        ancestor.tag == payload and ancestor.getparent() is not None and ancestor.getparent().getparent() is root
        for ancestor in element.iterancestors()
    )


def _piece(header: etree._Element, layout: Layout) -> etree._Element:
    piece = etree.Element(layout.root, nsmap={layout.prefix: layout.namespace})
    piece.append(copy.deepcopy(header))
    return piece


def _validate(schema_: etree.XMLSchema, piece: etree._Element) -> None:
    if not schema_.validate(piece):
        error = schema_.error_log.last_error
        raise _Invalid(error.line, error.message)


def check_voucher(path: Path) -> etree._Element:
    """A voucher read whole (it is small) and validated against xsd/voucher-v1.xsd."""
    try:
        document = safe_xml.parse(path)
        safe_xml.schema("voucher-v1.xsd").assertValid(document)
    except (etree.XMLSyntaxError, etree.DocumentInvalid) as error:
        raise InvalidFile(f"{path.name}: {error}") from None
    return document.getroot()
