"""What a recipient does with a voucher (CONTRACT.md section 6): check its signature, and the data file against it.

`raas voucher verify` runs this; a recipient without RaaS gets the same answer
from any XML-DSig verifier (xmlsec1 --verify, signxml) and sha256sum.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509

from register.adapters.signing import fingerprint
from register.adapters.xml_signature import BadSignature, verify_enveloped

VOUCHER = "{urn:be:raas:voucher:v1}"


class VoucherRefused(Exception):
    """The voucher (or its data file) is not what the service signed; the message is one line."""


@dataclass(frozen=True)
class Checked:
    file_name: str
    size_bytes: int
    sha256: str
    signer_subject: str
    signer_fingerprint: str
    data_checked: bool


def verify(voucher: bytes, data: bytes | None = None, certificate: x509.Certificate | None = None) -> Checked:
    """The voucher's signature (by ``certificate`` when given) and, with ``data``, the data file's size
    and SHA-256 as the signed voucher states them; VoucherRefused otherwise."""
    try:
        verified = verify_enveloped(voucher, certificate)
    except BadSignature as error:
        raise VoucherRefused(str(error)) from None
    signed = verified.signed  # what was signed, never the bytes around it

    def fact(name: str) -> str:
        value = signed.findtext(VOUCHER + name)
        if value is None:
            raise VoucherRefused(f"the signed document is not a voucher (no {name})")
        return value.strip()

    if signed.tag != f"{VOUCHER}Voucher":
        raise VoucherRefused("the signed document is not a voucher")
    size, sha256 = int(fact("sizeBytes")), fact("sha256")
    if data is not None:
        if len(data) != size:
            raise VoucherRefused(f"the data file has {len(data)} bytes; the voucher says {size}")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise VoucherRefused("the data file's SHA-256 differs from the voucher's")
    return Checked(
        fact("fileName"),
        size,
        sha256,
        verified.certificate.subject.rfc4514_string(),
        fingerprint(verified.certificate),
        data is not None,
    )
