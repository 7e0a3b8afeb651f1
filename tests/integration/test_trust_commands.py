"""`raas tenant add-certificate|remove-certificate` and `raas voucher certificate|verify`, run as commands.

Bad input is one line naming the file, exit 1: a malformed certificate, a key
that does not match its certificate, a signing key that cannot be read; and
the batch refuses to run rather than write an unsigned voucher.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from sqlalchemy import text

from register.adapters.signing import fingerprint
from tests.conftest import SIGNING_ENV, TEST_SIGNING
from tests.e2e.test_x509 import pair

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "xsd" / "examples"
NAME = "RAAS_0203040596_SSIN_REPLACED_20260115"


@pytest.fixture
def raas(database_url, tmp_path):
    """Runs `raas ARGS` (environment: the test database, a RAAS_HOME of its own, ``extra``)."""

    def run(*args: str, **extra: str):
        env = {**os.environ, "DATABASE_URL": database_url, "RAAS_HOME": str(tmp_path / "home"), **extra}
        for name in ("RAAS_SIGNING_KEY", "RAAS_SIGNING_CERT"):
            if not env.get(name):
                env.pop(name, None)
        done = subprocess.run(
            [sys.executable, "-m", "register", *args], env=env, capture_output=True, text=True, timeout=60
        )
        return done.returncode, done.stdout, done.stderr

    return run


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_add_and_remove_a_certificate(raas, world, tmp_path):
    bce = world.tenant()
    _, cert_path = pair(tmp_path, "institution")
    status, out, err = raas("tenant", "add-certificate", "--bce", bce, "--cert", str(cert_path))
    assert status == 0, err
    digest = fingerprint(x509.load_pem_x509_certificate(cert_path.read_bytes()))
    assert digest in out and "CN=institution" in out
    with world.engine.connect() as conn:
        stored = conn.execute(text("SELECT fingerprint, subject FROM client_certificate")).all()
    assert [tuple(r) for r in stored] == [(digest, "CN=institution")]
    status, _, err = raas("tenant", "add-certificate", "--bce", bce, "--cert", str(cert_path))
    assert status == 1 and "registered already" in one_line(err)
    assert raas("tenant", "remove-certificate", "--bce", bce, "--cert", str(cert_path))[0] == 0
    status, _, err = raas("tenant", "remove-certificate", "--bce", bce, "--cert", str(cert_path))
    assert status == 1 and f"no certificate with SHA-256 {digest}" in one_line(err)


def test_a_malformed_expired_or_missing_certificate_file_is_named(raas, world, tmp_path):
    bce = world.tenant()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    _, expired = pair(tmp_path, "expired", days=(-10, -1))
    for path, reason in (
        (garbage, "not a PEM X.509 certificate"),
        (expired, "the certificate expired on"),
        (tmp_path / "absent.pem", "cannot read the certificate"),
    ):
        status, _, err = raas("tenant", "add-certificate", "--bce", bce, "--cert", str(path))
        assert status == 1 and one_line(err).startswith(f"raas: {path}: {reason}"), err
    with world.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM client_certificate")).scalar() == 0


def test_voucher_verify_accepts_a_golden_voucher_with_its_data_and_certificate(raas):
    voucher, data, cert = EXAMPLES / f"{NAME}.voucher.xml", EXAMPLES / f"{NAME}.xml", TEST_SIGNING / "cert.pem"
    status, out, err = raas("voucher", "verify", str(voucher), "--data", str(data), "--cert", str(cert))
    assert status == 0, err
    assert "OK" in out and "sha256" in out


def test_voucher_verify_names_what_is_wrong_in_one_line(raas, tmp_path):
    voucher, data = EXAMPLES / f"{NAME}.voucher.xml", EXAMPLES / f"{NAME}.xml"
    changed = tmp_path / "data.xml"
    changed.write_bytes(data.read_bytes().replace(b"<recordCount>1<", b"<recordCount>2<"))
    status, _, err = raas("voucher", "verify", str(voucher), "--data", str(changed))
    assert status == 1 and one_line(err) == f"raas: {voucher}: the data file's SHA-256 differs from the voucher's"
    _, other = pair(tmp_path, "other")
    status, _, err = raas("voucher", "verify", str(voucher), "--cert", str(other))
    assert status == 1 and "signed with another certificate" in one_line(err)
    status, _, err = raas("voucher", "verify", str(voucher), "--cert", str(voucher))
    assert status == 1 and one_line(err) == f"raas: {voucher}: not a PEM X.509 certificate"


def test_voucher_certificate_makes_a_pair_once_under_raas_home_and_prints_it(raas, tmp_path):
    status, first, err = raas("voucher", "certificate")
    assert status == 0, err
    assert first.startswith("-----BEGIN CERTIFICATE-----")
    assert (tmp_path / "home" / "signing" / "key.pem").stat().st_mode & 0o077 == 0  # the key is the owner's only
    assert raas("voucher", "certificate")[1] == first
    status, given, _ = raas("voucher", "certificate", **SIGNING_ENV)
    assert status == 0 and given == (TEST_SIGNING / "cert.pem").read_text()


def test_bad_signing_material_is_one_line_naming_the_file_and_the_batch_writes_nothing(raas, world, tmp_path):
    bce = world.tenant()
    with world.engine.begin() as conn:  # a subscriber: a run writes its (empty) file and voucher
        conn.execute(
            text(
                "INSERT INTO subscription (tenant_id, flow, since, delivered_through)"
                " SELECT id, 'IDENTITY_CHANGED', raas_today(), raas_journal_head() FROM tenant WHERE bce = :bce"
            ),
            {"bce": bce},
        )
    key, cert = TEST_SIGNING / "key.pem", TEST_SIGNING / "cert.pem"
    other_key, _ = pair(tmp_path, "other")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello\n")
    outbox = tmp_path / "outbox"
    for env, reason in (
        (
            {"RAAS_SIGNING_KEY": str(tmp_path / "absent.pem"), "RAAS_SIGNING_CERT": str(cert)},
            "cannot read the signing key",
        ),
        ({"RAAS_SIGNING_KEY": str(key), "RAAS_SIGNING_CERT": str(garbage)}, "not a PEM X.509 certificate"),
        ({"RAAS_SIGNING_KEY": str(garbage), "RAAS_SIGNING_CERT": str(cert)}, "not a PEM private key"),
        ({"RAAS_SIGNING_KEY": str(other_key), "RAAS_SIGNING_CERT": str(cert)}, "does not match the signing key"),
        ({"RAAS_SIGNING_KEY": str(key)}, "RAAS_SIGNING_CERT is not"),
    ):
        status, _, err = raas("batch", "run", RAAS_OUTBOX=str(outbox), **env)
        assert status == 1, err
        line = one_line(err)
        assert line.startswith("raas: batch run not started, no voucher can be signed: ") and reason in line, line
        named = [p for p in (*env.values(), "RAAS_SIGNING_CERT") if p in line]
        assert named, line
        assert not outbox.exists() or not any(outbox.rglob("*"))
    status, _, err = raas("batch", "run", RAAS_OUTBOX=str(outbox), **SIGNING_ENV)
    assert status == 0, err
    (voucher,) = (outbox / bce).glob("*.voucher.xml")
    status, out, err = raas("voucher", "verify", str(voucher), "--data", str(voucher).replace(".voucher", ""),
                            "--cert", str(cert))  # fmt: skip
    assert status == 0, err
