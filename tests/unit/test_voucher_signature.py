"""Signed vouchers (CONTRACT.md section 6, 1.1): any standard verifier accepts them, and any changed byte is caught.

The golden vouchers (xsd/examples/) are signed with the tests' published key
(tests/fixtures/signing): Debian's xmlsec1 and signxml check them as a
recipient would, and every byte of the voucher's root element, changed, makes
the check fail; so does any byte of the data file.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from lxml import etree
from signxml import XMLVerifier

from register.services import vouchers
from tests.conftest import TEST_SIGNING

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "xsd" / "examples"
NAME = "RAAS_0203040596_IDENTITY_CHANGED_20260115"
CERT = TEST_SIGNING / "cert.pem"


@pytest.fixture(scope="module")
def xmlsec1() -> str:
    found = shutil.which("xmlsec1")
    if found is None:  # the Makefile's set-up installs it (apt-get install xmlsec1): never skipped
        pytest.fail("xmlsec1 is not installed (Debian package xmlsec1; `make test` installs it)")
    return found


def xmlsec1_verify(xmlsec1: str, voucher: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [xmlsec1, "--verify", "--pubkey-cert-pem", str(CERT), str(voucher)], capture_output=True, text=True, timeout=30
    )


@pytest.fixture(scope="module")
def certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(CERT.read_bytes())


def test_xmlsec1_accepts_a_golden_voucher_and_refuses_it_with_a_byte_changed(xmlsec1, tmp_path):
    voucher = (EXAMPLES / f"{NAME}.voucher.xml").read_bytes()
    assert xmlsec1_verify(xmlsec1, EXAMPLES / f"{NAME}.voucher.xml").returncode == 0
    start = voucher.index(b"<Voucher")
    # a digit of sizeBytes, a letter of the flow, a character of the DigestValue and one of the SignatureValue
    for marker in (b"<sizeBytes>", b"<flow>", b"<ds:DigestValue>", b"<ds:SignatureValue>"):
        position = voucher.index(marker, start) + len(marker)
        changed = tmp_path / f"changed-{position}.xml"
        changed.write_bytes(voucher[:position] + _other(voucher[position]) + voucher[position + 1 :])
        done = xmlsec1_verify(xmlsec1, changed)
        assert done.returncode != 0, (marker, done.stdout, done.stderr)


def test_signxml_accepts_a_golden_voucher_with_the_signing_certificate(certificate):
    for flow in ("IDENTITY_CHANGED", "SSIN_REPLACED"):
        data = (EXAMPLES / f"RAAS_0203040596_{flow}_20260115.voucher.xml").read_bytes()
        signed = XMLVerifier().verify(data, x509_cert=certificate).signed_xml
        assert signed.findtext("{urn:be:raas:voucher:v1}flow") == flow


def test_every_byte_of_the_voucher_changed_is_caught(certificate):
    voucher = (EXAMPLES / f"{NAME}.voucher.xml").read_bytes()
    data = (EXAMPLES / f"{NAME}.xml").read_bytes()
    assert vouchers.verify(voucher, data, certificate).data_checked
    start = voucher.index(b"<Voucher")  # the XML declaration before it is no part of any XML signature
    carried = range(voucher.index(b"<ds:X509Certificate>"), voucher.index(b"</ds:X509Certificate>"))
    for position in range(start, len(voucher)):
        changed = voucher[:position] + _other(voucher[position]) + voucher[position + 1 :]
        with pytest.raises(vouchers.VoucherRefused):
            vouchers.verify(changed, data, certificate)
        if position not in carried:
            # without --cert the signature is checked with the certificate the voucher carries, whose
            # fingerprint is printed: another certificate there is another signer, not a broken signature
            with pytest.raises(vouchers.VoucherRefused):
                vouchers.verify(changed, data)


def test_every_byte_of_the_data_file_changed_is_caught(certificate):
    voucher = (EXAMPLES / f"{NAME}.voucher.xml").read_bytes()
    data = (EXAMPLES / f"{NAME}.xml").read_bytes()
    for position in range(len(data)):
        changed = data[:position] + _other(data[position]) + data[position + 1 :]
        with pytest.raises(vouchers.VoucherRefused, match="SHA-256"):
            vouchers.verify(voucher, changed, certificate)  # the same size: its digest tells
    with pytest.raises(vouchers.VoucherRefused, match="bytes"):
        vouchers.verify(voucher, data + b"\n", certificate)


def test_a_voucher_signed_by_another_key_is_refused_when_the_certificate_is_given(certificate, tmp_path):
    from register.adapters import signing, xml_signature

    other = signing.from_settings(None, None, tmp_path)
    root = etree.fromstring((EXAMPLES / f"{NAME}.voucher.xml").read_bytes())
    root.remove(root[-1])  # its Signature
    resigned = xml_signature.sign_enveloped(root, other)
    assert vouchers.verify(resigned).signer_fingerprint == other.fingerprint  # valid in itself
    with pytest.raises(vouchers.VoucherRefused, match="another certificate"):
        vouchers.verify(resigned, None, certificate)


def test_an_unsigned_v1_voucher_stays_valid_against_the_schema_but_fails_verification():
    from register import safe_xml

    root = etree.fromstring((EXAMPLES / f"{NAME}.voucher.xml").read_bytes())
    root.remove(root[-1])
    assert safe_xml.schema("voucher-v1.xsd").validate(root)
    with pytest.raises(vouchers.VoucherRefused, match="no XML signature"):
        vouchers.verify(etree.tostring(root))


def _other(byte: int) -> bytes:
    """Another byte: a different character of the same kind where there is one, so that most changes
    keep the XML well-formed and it is the signature that catches them. A space becomes an underscore,
    not a tab: inside a tag both are the same XML, which no signature can (or needs to) tell apart."""
    char = chr(byte)
    if byte >= 0x80:  # a byte of a multi-byte UTF-8 character
        return bytes([byte ^ 1])
    if char.isdigit():
        return str((int(char) + 1) % 10).encode()
    if char.isalpha():
        return (char.lower() if char.isupper() else char.upper()).encode()
    return b" " if char != " " else b"_"
