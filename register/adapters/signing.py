"""The service's signing key and certificate: what signs every voucher and every audit seal.

From RAAS_SIGNING_KEY and RAAS_SIGNING_CERT (PEM files, both or neither);
without them, a key pair and a self-signed certificate created once under
``$RAAS_HOME/signing/`` and reused by every later process with that home.
A file that cannot be read, is not PEM, or a key that does not match its
certificate is a :class:`KeyMaterialError` whose one line names the file:
nothing is ever signed with half-checked material, and the batch refuses to
run rather than write an unsigned voucher.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

KEY_FILE, CERT_FILE = "key.pem", "cert.pem"
GENERATED_YEARS = 10


class KeyMaterialError(ValueError):
    """A key or certificate file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class SigningKey:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    key_path: Path
    cert_path: Path

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate's DER, lowercase hex."""
        return fingerprint(self.certificate)

    def sign(self, data: bytes) -> bytes:
        """A raw signature of ``data`` (RSA PKCS#1 v1.5 or ECDSA, SHA-256)."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def verify(certificate: x509.Certificate, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is the certificate's key's signature of ``data`` (as :meth:`SigningKey.sign` makes)."""
    public = certificate.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def load_certificate(path: Path) -> x509.Certificate:
    """A PEM certificate file, or KeyMaterialError naming it."""
    data = _read(path, "certificate")
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        raise KeyMaterialError(f"{path}: not a PEM X.509 certificate") from None


def load(key_path: Path, cert_path: Path) -> SigningKey:
    """The key and certificate of these files, checked to belong together."""
    data = _read(key_path, "signing key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyMaterialError(f"{key_path}: the signing key is encrypted; give it unencrypted (a Secret)") from None
    except ValueError:
        raise KeyMaterialError(f"{key_path}: not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyMaterialError(f"{key_path}: an RSA or ECDSA key is needed, not {type(key).__name__}")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < 2048:
        raise KeyMaterialError(f"{key_path}: an RSA key of {key.key_size} bits; at least 2048 are needed")
    certificate = load_certificate(cert_path)
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if certificate.public_key().public_bytes(serialization.Encoding.DER, public) != key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        raise KeyMaterialError(f"{cert_path}: the certificate does not match the signing key {key_path}")
    return SigningKey(key, certificate, key_path, cert_path)


def from_settings(key: str | None, cert: str | None, home: Path) -> SigningKey:
    """RAAS_SIGNING_KEY and RAAS_SIGNING_CERT, or the pair under ``home/signing`` (created when absent)."""
    if bool(key) != bool(cert):
        given, missing = ("RAAS_SIGNING_KEY", "RAAS_SIGNING_CERT") if key else ("RAAS_SIGNING_CERT", "RAAS_SIGNING_KEY")
        raise KeyMaterialError(f"{given} is set but {missing} is not: give both files, or neither")
    if key and cert:
        return load(Path(key), Path(cert))
    folder = home / "signing"
    if not (folder / KEY_FILE).exists():
        _create(folder)
    return load(folder / KEY_FILE, folder / CERT_FILE)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise KeyMaterialError(f"{path}: cannot read the {what} ({error.strerror or error})") from None


def _create(folder: Path) -> None:
    """A new RSA key and a self-signed certificate, made in a temporary folder renamed into place: two
    processes starting at once both see one complete pair (the loser's rename fails, it reads the winner's)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=folder.parent))
    try:
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RaaS voucher and audit signing")])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365 * GENERATED_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
            )  # digitalSignature, nonRepudiation (contentCommitment)
            .sign(key, hashes.SHA256())
        )
        key_file = staging / KEY_FILE
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        (staging / CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / KEY_FILE).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
