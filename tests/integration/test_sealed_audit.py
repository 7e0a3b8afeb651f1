"""The sealed audit (CONTRACT.md section 8, 1.1): `raas audit seal|verify`, and a superuser's tampering caught.

As a database superuser could: the append-only trigger dropped for a moment,
a row altered, deleted or slipped in, a seal altered or removed. `raas audit
verify` (a real process) exits 1 naming the first row (or seal) concerned.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import text

from register.adapters import database
from register.adapters.signing import from_settings
from register.domain.calls import Call
from register.services import audit_seal
from register.services.audit import Audit
from tests.conftest import SIGNING_ENV


@pytest.fixture
def raas(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "RAAS_HOME": str(tmp_path / "home"), **SIGNING_ENV}

    def run(*args: str):
        done = subprocess.run(
            [sys.executable, "-m", "register", *args], env=env, capture_output=True, text=True, timeout=60
        )
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture
def conn(engine):
    with database.connect_owner(engine.url.render_as_string(hide_password=False), "raas-test") as connection:
        yield connection


@pytest.fixture
def audited(engine, make_tenant) -> list[int]:
    """Twelve calls audited, with one id left unused in the middle (an insert that rolled back): their ids."""
    tenant = make_tenant("A")
    audit = Audit(engine)
    for n in range(12):
        audit.record(Call(tenant.id, "alice", f"req-{n}"), "getPerson", [f"8507300{n:04d}"], "OK")
        if n == 5:
            with engine.begin() as c:
                c.execute(text("SELECT nextval(pg_get_serial_sequence('audit', 'id'))"))
    return ids(engine)


def ids(engine) -> list[int]:
    with engine.connect() as c:
        return [row[0] for row in c.execute(text("SELECT id FROM audit ORDER BY id"))]


def as_superuser(engine, statement: str, **params) -> None:
    """``statement`` with the audit's append-only triggers off for that transaction only."""
    with engine.begin() as c:
        c.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_append_only"))
        c.execute(text("ALTER TABLE audit_seal DISABLE TRIGGER audit_seal_append_only"))
        c.execute(text(statement), params)
        c.execute(text("ALTER TABLE audit ENABLE TRIGGER audit_append_only"))
        c.execute(text("ALTER TABLE audit_seal ENABLE TRIGGER audit_seal_append_only"))


def test_seal_then_verify_and_an_untouched_audit_verifies_again_after_more_calls(raas, engine, audited):
    status, out, err = raas("audit", "seal", "--settle", "0")
    assert status == 0, err
    assert out.startswith("audit seal: 12 rows in 1 seal(s); seal 1 up to row") and "head " in out
    assert raas("audit", "seal", "--settle", "0")[1].startswith("audit seal: nothing to seal (last seal 1")
    Audit(engine).record(Call(None, None, "later"), "unknown", None, "Client.Authentication")  # after the seal
    status, out, err = raas("audit", "verify")
    assert status == 0, err
    assert out.startswith("audit verify: OK, 1 seal(s), 12 rows up to row")


@pytest.mark.parametrize(
    "tampering",
    ["altered", "removed", "slipped into a gap", "slipped in behind the seal", "seal altered", "seal removed"],
)
def test_verify_names_the_first_row_or_seal_a_superuser_tampered_with(raas, engine, conn, signer, audited, tampering):
    key = signer
    first = audit_seal.seal(conn, key, timedelta(0), max_rows=7)  # two seals: 7 rows, then 5
    assert (first.seals, first.rows) == (2, 12)
    gap = next(n for n in range(audited[0], audited[-1]) if n not in audited)
    victim = audited[8]
    if tampering == "altered":
        as_superuser(engine, "UPDATE audit SET outcome = 'Client.NotAuthorized' WHERE id = :id", id=victim)
        expected = f"audit row {victim} was altered (sealed in seal 2)"
    elif tampering == "removed":
        as_superuser(engine, "DELETE FROM audit WHERE id = :id", id=victim)
        expected = f"audit row {victim} was removed (sealed in seal 2)"
    elif tampering == "slipped into a gap":
        as_superuser(engine, _COPY_OF_ROW_AS, id=audited[0], new_id=gap)
        expected = f"audit row {gap} was added out of place: seal 1 does not list it"
    elif tampering == "slipped in behind the seal":
        as_superuser(engine, _COPY_OF_ROW_AS, id=audited[0], new_id=audited[-1] + 100)
        expected = f"audit row {audited[-1] + 100} ("
    elif tampering == "seal altered":
        as_superuser(engine, "UPDATE audit_seal SET row_count = row_count - 1, ids = ids[1:6] WHERE id = 1")
        expected = "seal 1 was altered: its signature does not verify"
    else:
        as_superuser(engine, "DELETE FROM audit_seal WHERE id = 1")
        expected = "seal 1 was removed (the next one is seal 2)"
    status, _, err = raas("audit", "verify")
    assert status == 1, err
    assert err.strip().splitlines() == [err.strip()]  # one line
    assert err.startswith(f"raas: audit verify failed: {expected}"), err


# a copy of an existing row, with another id and a time before the seal's cutoff
_COPY_OF_ROW_AS = (
    "INSERT INTO audit (id, at, tenant_id, username, operation, ssins, outcome, request_id)"
    " SELECT :new_id, at, tenant_id, username, operation, ssins, outcome, request_id FROM audit WHERE id = :id"
)


def test_seals_signed_by_another_key_are_not_trusted_until_their_certificate_is_given(
    raas, engine, conn, audited, tmp_path
):
    other = from_settings(None, None, tmp_path / "former")  # the key before a rotation
    audit_seal.seal(conn, other, timedelta(0))
    status, _, err = raas("audit", "verify")
    assert status == 1 and "seal 1 is signed by a certificate not trusted here" in err
    status, out, err = raas("audit", "verify", "--cert", str(other.cert_path))
    assert status == 0, err


def test_a_row_younger_than_the_settling_time_waits_for_the_next_seal(engine, conn, signer, audited):
    sealed = audit_seal.seal(conn, signer)  # the default: rows written in the last minute wait
    assert sealed.seals == 0
    with engine.begin() as c:  # as if they had been written two minutes ago
        c.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_append_only"))
        c.execute(text("UPDATE audit SET at = at - interval '2 minutes' WHERE id <= :id"), {"id": audited[3]})
        c.execute(text("ALTER TABLE audit ENABLE TRIGGER audit_append_only"))
    sealed = audit_seal.seal(conn, signer)
    assert (sealed.seals, sealed.rows, sealed.last.last_id) == (1, 4, audited[3])
    assert audit_seal.verify_all(conn, [signer.certificate]).rows == 4


def test_audit_subject_lists_every_tenants_lines_of_the_chain_then_the_calls_oldest_first(raas, world, engine):
    import json

    old, new, stranger = world.person(), world.person(), world.person()
    world.set_status(old, "REPLACED", new)
    ours, theirs = world.tenant("A"), world.tenant("B")
    with engine.begin() as c:
        for bce, ssin, dossier_type, start in ((ours, old, "A", "2020-01-01"), (theirs, new, "B", "2021-06-01"),
                                               (ours, stranger, "A", "2019-01-01")):  # fmt: skip
            c.execute(
                text(
                    "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                    " SELECT id, :s, :d, daterange(CAST(:start AS date), NULL) FROM tenant WHERE bce = :bce"
                ),
                {"bce": bce, "s": ssin, "d": dossier_type, "start": start},
            )
    audit = Audit(engine)
    ours_id, theirs_id = world.tenants.id_of(ours), world.tenants.id_of(theirs)
    audit.record(Call(ours_id, "alice", "r1"), "registerPerson", [old], "OK")
    audit.record(Call(ours_id, "alice", "r2"), "getPerson", [stranger], "OK")
    audit.record(Call(None, None, "r3"), "getPerson", [new], "Client.Authentication")
    audit.record(Call(theirs_id, "bob", "r4"), "searchPersonByPhoneticCriteria", [stranger, new], "OK")

    status, out, err = raas("audit", "subject", "--ssin", new, "--json")
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["kind"], r["bce"], r.get("ssin"), r.get("operation")) for r in rows] == [
        ("line", ours, old, None),
        ("line", theirs, new, None),
        ("call", ours, None, "registerPerson"),
        ("call", None, None, "getPerson"),
        ("call", theirs, None, "searchPersonByPhoneticCriteria"),
    ]
    assert rows[1]["startDate"] == "2021-06-01" and rows[1]["endDate"] is None
    assert [r["at"] for r in rows[2:]] == sorted(r["at"] for r in rows[2:])
    status, table, _ = raas("audit", "subject", "--ssin", old)
    assert status == 0 and f"replacement chain: {', '.join(sorted([old, new]))}" in table
    assert "lines (2)" in table and "calls (3), oldest first" in table and stranger not in table
    assert raas("audit", "subject", "--ssin", "123")[2].strip() == "raas: --ssin '123' is not 11 digits"
    assert raas("audit")[2].strip().startswith("raas: raas audit needs --bce N")
