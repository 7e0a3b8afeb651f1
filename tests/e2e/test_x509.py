"""Calls signed with an X.509 certificate (CONTRACT.md section 1, 1.1): zeep's BinarySignature with SHA-256
methods and node-soap's WSSecurityCert are accepted once the certificate is registered; SHA-1, an
unsigned or changed Body, an unknown, expired or removed certificate are Client.Authentication, audited."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import xmlsec
import zeep
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from sqlalchemy import text
from zeep.wsse import utils as wsse_utils
from zeep.wsse.signature import BinarySignature, _make_sign_key, _sign_node

from register.adapters.certificates import Certificates
from register.adapters.signing import fingerprint
from register.services.certificates import CertificateAdmin
from tests.e2e.helpers import assert_fault, assert_raw_fault, post
from tests.e2e.test_node_soap import NODE_DIR, node_soap  # noqa: F401 - the fixture

SHA256 = {"signature_method": xmlsec.Transform.RSA_SHA256, "digest_method": xmlsec.Transform.SHA256}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


class Signed(BinarySignature):
    """zeep's BinarySignature, after a wsu:Timestamp put in the Security header (the signature then covers
    it; ``created=False``: none). Responses are not signed (TLS protects them): nothing to verify."""

    def __init__(self, key_file, cert_file, created: dt.datetime | None | bool = None, **methods) -> None:
        super().__init__(key_file, cert_file, **methods)
        self.created = created

    def apply(self, envelope, headers):
        if self.created is not False:
            add_timestamp(envelope, self.created)
        return super().apply(envelope, headers)

    def verify(self, envelope):
        return envelope


class Timestamp:
    """A wsu:Timestamp alone, for an envelope signed by hand."""

    def apply(self, envelope, headers):
        add_timestamp(envelope, None)
        return envelope, headers

    def verify(self, envelope):
        return envelope


def add_timestamp(envelope, created: dt.datetime | None) -> None:
    created = created or dt.datetime.now(dt.UTC)
    wsse_utils.get_security_header(envelope).append(
        wsse_utils.WSU.Timestamp(
            wsse_utils.WSU.Created(created.strftime("%Y-%m-%dT%H:%M:%SZ")),
            wsse_utils.WSU.Expires((created + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")),
        )
    )


def pair(folder: Path, name: str, days: tuple[int, int] = (-1, 365)) -> tuple[Path, Path]:
    """An RSA key and a self-signed certificate valid from ``days[0]`` to ``days[1]`` days from now."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=days[0]))
        .not_valid_after(now + dt.timedelta(days=days[1]))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key.pem", folder / f"{name}.cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture
def signer(world, tmp_path):
    """A tenant (dossier types A and B) with a registered certificate: (bce, key file, certificate file)."""
    bce = world.tenant("A", "B")
    key_path, cert_path = pair(tmp_path, "institution")
    CertificateAdmin(world.engine).add(bce, cert_path)
    return bce, key_path, cert_path


def signed_client(server, key_path: Path, cert_path: Path, *, timestamp=True, methods=SHA256) -> zeep.Client:
    wsse = Signed(str(key_path), str(cert_path), None if timestamp else False, **methods)
    return zeep.Client(server.wsdl_url, wsse=wsse, settings=zeep.Settings(strict=True))


def audit_rows(world, request_ids=None) -> list[tuple]:
    with world.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(text("SELECT tenant_id, username, operation, outcome FROM audit ORDER BY id"))
        ]


def username(cert_path: Path) -> str:
    return "x509:" + fingerprint(x509.load_pem_x509_certificate(cert_path.read_bytes()))


@pytest.mark.parametrize("timestamp", [True, False], ids=["with-timestamp", "body-only"])
def test_a_call_signed_by_zeeps_binary_signature_with_sha256_is_the_tenants(server, world, signer, timestamp):
    bce, key_path, cert_path = signer
    client = signed_client(server, key_path, cert_path, timestamp=timestamp)
    types = client.service.listDossierTypes()
    assert [t.code for t in types] == ["A", "B"]
    ssin = world.person()
    registered = client.service.registerPerson(ssin=ssin, dossierType="A", period={"startDate": dt.date(2024, 1, 1)})
    assert registered.registration.ssin == ssin
    tenant_id = world.tenants.id_of(bce)
    assert audit_rows(world)[-2:] == [
        (tenant_id, username(cert_path), "listDossierTypes", "OK"),
        (tenant_id, username(cert_path), "registerPerson", "OK"),
    ]


def test_sha1_methods_are_refused(server, world, signer):
    bce, key_path, cert_path = signer
    client = signed_client(server, key_path, cert_path, methods={})  # zeep's defaults: RSA-SHA1, SHA-1
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        client.service.listDossierTypes()
    assert_fault(excinfo, "Authentication")
    assert "SHA-1" in excinfo.value.message
    assert audit_rows(world)[-1] == (
        world.tenants.id_of(bce),
        username(cert_path),
        "listDossierTypes",
        "Client.Authentication",
    )


def _signed_envelope(server, key_path, cert_path) -> bytes:
    client = signed_client(server, key_path, cert_path)
    node = client.create_message(client.service, "listRegistrations", pageSize=10)
    return etree.tostring(node)


def test_a_changed_body_is_refused(server, world, signer, unchanged):
    _, key_path, cert_path = signer
    envelope = _signed_envelope(server, key_path, cert_path)
    assert b"<ns0:pageSize>10<" in envelope
    response = post(server.endpoint, envelope.replace(b"<ns0:pageSize>10<", b"<ns0:pageSize>11<"))
    fault = assert_raw_fault(response, "Authentication")
    assert "does not verify" in fault.faultstring
    # verified before anything else is read: a Body the schema refuses is still an authentication failure
    assert_raw_fault(
        post(server.endpoint, envelope.replace(b"<ns0:pageSize>10<", b"<ns0:pageSize>0<")), "Authentication"
    )
    assert post(server.endpoint, envelope).status_code == 200  # the same bytes unchanged are accepted


def test_a_signature_that_leaves_the_body_out_is_refused(server, world, signer):
    """Signed as zeep signs, but over the Timestamp alone: valid, and not enough."""
    _, key_path, cert_path = signer
    client = zeep.Client(server.wsdl_url, wsse=Timestamp(), settings=zeep.Settings(strict=True))
    envelope = client.create_message(client.service, "listDossierTypes")
    security = wsse_utils.get_security_header(envelope)
    signature = xmlsec.template.create(envelope, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256)
    key_info = xmlsec.template.ensure_key_info(signature)
    security.insert(0, signature)
    ctx = xmlsec.SignatureContext()
    ctx.key = _make_sign_key(key_path.read_bytes(), cert_path.read_bytes(), None)
    _sign_node(ctx, signature, security.find(f"{{{wsse_utils.ns.WSU}}}Timestamp"), xmlsec.Transform.SHA256)
    ctx.sign(signature)
    token = etree.SubElement(
        security, f"{{{WSSE}}}BinarySecurityToken", ValueType=x509_v3(), EncodingType=base64_type()
    )
    token.text = b"".join(cert_path.read_bytes().split(b"\n")[1:-2]).decode()
    reference = etree.SubElement(
        etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference"), f"{{{WSSE}}}Reference"
    )
    reference.set("URI", "#" + wsse_utils.ensure_id(token))
    fault = assert_raw_fault(post(server.endpoint, etree.tostring(envelope)), "Authentication")
    assert "does not cover the Body" in fault.faultstring


def x509_v3() -> str:
    return "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"


def base64_type() -> str:
    return "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"


def test_an_unknown_certificate_is_refused_and_audited_without_a_tenant(server, world, tmp_path):
    key_path, cert_path = pair(tmp_path, "stranger")
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        signed_client(server, key_path, cert_path).service.listDossierTypes()
    assert_fault(excinfo, "Authentication")
    assert audit_rows(world)[-1] == (None, username(cert_path), "listDossierTypes", "Client.Authentication")


def test_an_expired_certificate_is_refused_even_when_registered(server, world, tmp_path):
    bce = world.tenant("A")
    key_path, cert_path = pair(tmp_path, "expired", days=(-30, -1))
    with pytest.raises(ValueError, match="expired"):  # `raas tenant add-certificate` refuses it...
        CertificateAdmin(world.engine).add(bce, cert_path)
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    Certificates(world.engine).add(  # ...so it is stored by hand, as if it had been added in time
        bce, fingerprint(certificate), "CN=expired", certificate.not_valid_before_utc, certificate.not_valid_after_utc
    )
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        signed_client(server, key_path, cert_path).service.listDossierTypes()
    assert_fault(excinfo, "Authentication")
    assert "expired" in excinfo.value.message


def test_a_stale_timestamp_is_refused(server, world, signer):
    _, key_path, cert_path = signer
    stale = Signed(str(key_path), str(cert_path), dt.datetime.now(dt.UTC) - dt.timedelta(minutes=7), **SHA256)
    client = zeep.Client(server.wsdl_url, wsse=stale)
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        client.service.listDossierTypes()
    assert_fault(excinfo, "Authentication")
    assert "Timestamp" in excinfo.value.message


def test_a_removed_certificate_fails_the_next_call(server, world, signer):
    bce, key_path, cert_path = signer
    client = signed_client(server, key_path, cert_path)
    assert client.service.listDossierTypes()
    CertificateAdmin(world.engine).remove(bce, cert_path)
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        client.service.listDossierTypes()
    assert_fault(excinfo, "Authentication")


@pytest.mark.parametrize("mode", ["sha256", "sha1"])
def test_node_soaps_ws_security_cert(node_soap, server, signer, mode):  # noqa: F811 - the fixture
    _, key_path, cert_path = signer
    done = subprocess.run(
        [str(node_soap), "x509.js", server.wsdl_url, str(key_path), str(cert_path), mode],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out.pop("warnings") == []
    answer = out["listDossierTypes"]
    if mode == "sha256":
        assert [t["code"] for t in answer["result"]["dossierTypes"]["dossierType"]] == ["A", "B"], answer
    else:
        assert answer["fault"]["faultcode"] == "soapenv:Client.Authentication", answer
