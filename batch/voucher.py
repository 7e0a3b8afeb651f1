"""A data file's voucher (xsd/voucher-v1.xsd): what the recipient checks the file against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from batch.mutation_file import NAMESPACE as DATA_NAMESPACE
from batch.mutation_file import timestamp

NAMESPACE = "urn:be:raas:voucher:v1"
_N = f"{{{NAMESPACE}}}"


@dataclass(frozen=True)
class Voucher:
    file_name: str
    size_bytes: int
    sha256: str
    record_count: int
    recipient: str
    flow: str
    run_date: date
    first_sequence: int | None
    last_sequence: int | None
    created_at: datetime


def to_xml(voucher: Voucher) -> bytes:
    root = etree.Element(f"{_N}Voucher", nsmap={None: NAMESPACE})
    fields = [
        ("fileName", voucher.file_name),
        ("sizeBytes", str(voucher.size_bytes)),
        ("sha256", voucher.sha256),
        ("recordCount", str(voucher.record_count)),
        ("recipient", voucher.recipient),
        ("flow", voucher.flow),
        ("runDate", voucher.run_date.isoformat()),
    ]
    if voucher.first_sequence is not None:
        fields += [("firstSequence", str(voucher.first_sequence)), ("lastSequence", str(voucher.last_sequence))]
    fields += [("schema", DATA_NAMESPACE), ("createdAt", timestamp(voucher.created_at))]
    for name, value in fields:
        etree.SubElement(root, _N + name).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def from_xml(root: etree._Element) -> Voucher:
    """A voucher already validated against its schema (batch.validation.check_voucher)."""

    def get(name: str) -> str | None:
        return root.findtext(_N + name)

    first, last = get("firstSequence"), get("lastSequence")
    return Voucher(
        file_name=get("fileName"),
        size_bytes=int(get("sizeBytes")),
        sha256=get("sha256"),
        record_count=int(get("recordCount")),
        recipient=get("recipient"),
        flow=get("flow"),
        run_date=date.fromisoformat(get("runDate")),
        first_sequence=None if first is None else int(first),
        last_sequence=None if last is None else int(last),
        created_at=datetime.fromisoformat(get("createdAt")),
    )
