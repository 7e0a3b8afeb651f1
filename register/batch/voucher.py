"""A data file's voucher (xsd/voucher-v1.xsd): what the recipient checks the file against.

A voucher states a delivery (register.domain.subscriptions.Delivery): written
from one, and read back into one when a killed run left it without its row.
Every voucher written is signed (CONTRACT.md section 6, 1.1): an enveloped
XML Signature by the service's signing key (register.adapters.signing), so a
recipient can tell a voucher the service made from any other.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from register.adapters.signing import SigningKey
from register.adapters.xml_signature import sign_enveloped
from register.batch import network_file
from register.batch.mutation_file import NAMESPACE as DATA_NAMESPACE
from register.batch.mutation_file import timestamp
from register.domain.flows import is_register_flow
from register.domain.subscriptions import Delivery

NAMESPACE = "urn:be:raas:voucher:v1"
_N = f"{{{NAMESPACE}}}"


def to_xml(delivery: Delivery, signer: SigningKey) -> bytes:
    root = etree.Element(f"{_N}Voucher", nsmap={None: NAMESPACE})
    fields = [
        ("fileName", delivery.file_name),
        ("sizeBytes", str(delivery.size_bytes)),
        ("sha256", delivery.sha256),
        ("recordCount", str(delivery.record_count)),
        ("recipient", delivery.bce),
        ("flow", delivery.flow),
        ("runDate", delivery.run_date.isoformat()),
    ]
    if delivery.first_sequence is not None:
        fields += [("firstSequence", str(delivery.first_sequence)), ("lastSequence", str(delivery.last_sequence))]
    schema = DATA_NAMESPACE if is_register_flow(delivery.flow) else network_file.NAMESPACE
    fields += [("schema", schema), ("createdAt", timestamp(delivery.created_at))]
    for name, value in fields:
        etree.SubElement(root, _N + name).text = value
    etree.indent(root)  # laid out before signing: whitespace inside the root is signed too
    return sign_enveloped(root, signer)


def from_xml(root: etree._Element, tenant_id: int, voucher_name: str) -> Delivery:
    """The delivery a voucher states; ``root`` already validated against its schema
    (register.batch.validation.check_voucher)."""

    def get(name: str) -> str | None:
        return root.findtext(_N + name)

    first, last = get("firstSequence"), get("lastSequence")
    return Delivery(
        tenant_id=tenant_id,
        bce=get("recipient"),
        flow=get("flow"),
        run_date=date.fromisoformat(get("runDate")),
        file_name=get("fileName"),
        voucher_name=voucher_name,
        record_count=int(get("recordCount")),
        size_bytes=int(get("sizeBytes")),
        sha256=get("sha256"),
        first_sequence=None if first is None else int(first),
        last_sequence=None if last is None else int(last),
        created_at=datetime.fromisoformat(get("createdAt")),
    )
