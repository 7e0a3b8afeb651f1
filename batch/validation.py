"""Read a written data file back: validate it against the schema, count, order and hash it.

Streaming (lxml's iterparse with the schema, each record cleared once read), so
memory stays flat whatever the file's size. The SHA-256 and size are those of
the bytes read back from disk, which are the bytes the voucher vouches for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from batch.mutation_file import NAMESPACE, RECORD_ELEMENT

XSD = Path(__file__).resolve().parent.parent / "xsd"
_RECORDS = tuple(f"{{{NAMESPACE}}}{name}" for name in RECORD_ELEMENT.values())
_CHUNK = 1 << 16


class InvalidFile(Exception):
    """The file read back is not what was meant to be written (a bug or a disk fault): the run fails."""


@dataclass(frozen=True)
class Checked:
    sha256: str
    size: int
    record_count: int


@cache
def schema(name: str) -> etree.XMLSchema:
    """xsd/<name>, compiled once per process."""
    return etree.XMLSchema(etree.parse(str(XSD / name), _parser()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


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


def check_data_file(path: Path, record_count: int, first: int | None, last: int | None) -> Checked:
    """Valid against xsd/mutations-v1.xsd, ``record_count`` records in increasing sequence from
    ``first`` to ``last``; raises InvalidFile naming the line otherwise."""
    count, previous = 0, None
    with path.open("rb") as raw:
        reader = _HashingReader(raw)
        records = etree.iterparse(
            reader,
            events=("end",),
            tag=_RECORDS,
            schema=schema("mutations-v1.xsd"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
        )
        try:
            for _, record in records:
                sequence = int(record[0].text)
                if previous is not None and sequence <= previous:
                    raise InvalidFile(f"{path.name}: line {record.sourceline}: sequence {sequence} after {previous}")
                if count == 0 and sequence != first:
                    raise InvalidFile(f"{path.name}: line {record.sourceline}: first sequence {sequence}, not {first}")
                previous = sequence
                count += 1
                record.clear()
                parent = record.getparent()
                while record.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError as error:
            raise InvalidFile(f"{path.name}: line {error.lineno}: {error.msg}") from None
        while reader.read(_CHUNK):  # the parser may stop before the last bytes (a final newline)
            pass
    if count != record_count or previous != last:
        raise InvalidFile(f"{path.name}: {count} records up to sequence {previous}, not {record_count} up to {last}")
    return Checked(reader.digest.hexdigest(), reader.size, count)


def check_voucher(path: Path) -> etree._Element:
    """A voucher read whole (it is small) and validated against xsd/voucher-v1.xsd."""
    try:
        document = etree.parse(str(path), _parser())
        schema("voucher-v1.xsd").assertValid(document)
    except (etree.XMLSyntaxError, etree.DocumentInvalid) as error:
        raise InvalidFile(f"{path.name}: {error}") from None
    return document.getroot()
