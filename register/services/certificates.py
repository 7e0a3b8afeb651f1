"""Who is calling, by X.509 certificate: a WS-Security signature checked, the certificate looked up.

CONTRACT.md section 1 (1.1). The SOAP layer (register.soap.x509) reads the
Security header; here the signature is verified with the certificate the
header carries (register.adapters.xml_signature, signxml), the elements it
covers are checked to include the Body (and the Timestamp when there is one),
and the certificate's SHA-256 fingerprint must be registered for a tenant
(`raas tenant add-certificate`) and the certificate within its validity
dates. Nothing is cached: a removed certificate fails the very next call.
Refusals are LoginRefused, audited like failed password logins (the username
is ``x509:<fingerprint>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import Engine

from register.adapters.certificates import Certificates
from register.adapters.signing import fingerprint, load_certificate
from register.adapters.xml_signature import BadSignature, signature_algorithms, verify_references
from register.services.auth import Caller, LoginRefused

WEAK = ("sha1", "sha-1", "#dsa-")  # algorithm URIs the contract refuses by name, before any verification


def username_of(certificate: x509.Certificate) -> str:
    return f"x509:{fingerprint(certificate)}"


class CertificateAuthenticator:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] | None = None) -> None:
        self._certificates = Certificates(engine)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def authenticate(self, envelope, token: bytes, location: str, required: list) -> Caller:
        """The tenant whose registered certificate (DER ``token``) signed ``required`` elements of
        ``envelope`` with the ds:Signature at ``location``; LoginRefused otherwise."""
        try:
            certificate = x509.load_der_x509_certificate(token)
            username = username_of(certificate)
        except ValueError:
            raise LoginRefused("The BinarySecurityToken is not an X.509 certificate.") from None
        found = self._certificates.login(fingerprint(certificate))
        tenant_id = found.tenant_id if found else None
        signature = envelope.find(f"{location}{{http://www.w3.org/2000/09/xmldsig#}}Signature")
        if signature is None:
            raise LoginRefused("The Security header holds no ds:Signature.", username, tenant_id)
        if any(weak in uri.lower() for uri in signature_algorithms(signature) for weak in WEAK):
            raise LoginRefused(
                "SHA-1 (and DSA) signatures are refused: sign with SHA-256 or stronger.", username, tenant_id
            )
        if found is None:
            raise LoginRefused("The certificate is not registered for any tenant.", username)
        now = self._clock()
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise LoginRefused("The certificate is expired or not yet valid.", username, tenant_id)
        try:
            covered = verify_references(envelope, certificate, location)
        except BadSignature:
            raise LoginRefused("The X.509 signature does not verify.", username, tenant_id) from None
        for element in required:
            if not any(element is c for c in covered):
                what = "Timestamp" if element.tag.endswith("}Timestamp") else "Body"
                raise LoginRefused(f"The X.509 signature does not cover the {what}.", username, tenant_id)
        return Caller(found.tenant_id, found.bce, username)  # registered, current, and its signature covers all


class CertificateAdmin:
    """The operator's side: `raas tenant add-certificate|remove-certificate`."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] | None = None) -> None:
        self._certificates = Certificates(engine)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def add(self, bce: str, path: Path) -> x509.Certificate:
        """The certificate of the PEM file ``path``, registered for ``bce``. ValueError (naming the file) for
        a file that is not a usable certificate or one past its validity; AlreadyExists, NotFound."""
        certificate = load_certificate(path)
        if certificate.not_valid_after_utc < self._clock():
            raise ValueError(f"{path}: the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey) or (
            isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048
        ):
            raise ValueError(f"{path}: the certificate's key must be RSA (2048 bits or more) or ECDSA")
        self._certificates.add(
            bce,
            fingerprint(certificate),
            certificate.subject.rfc4514_string(),
            certificate.not_valid_before_utc,
            certificate.not_valid_after_utc,
        )
        return certificate

    def remove(self, bce: str, path: Path) -> x509.Certificate:
        certificate = load_certificate(path)
        self._certificates.remove(bce, fingerprint(certificate))
        return certificate
