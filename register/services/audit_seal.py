"""The sealed audit (CONTRACT.md section 8, 1.1): `raas audit seal` and `raas audit verify`.

``seal`` (the nightly CronJob, after the batch) chains the audit rows written
since the last seal (register.domain.audit_chain) and signs the seal with the
signing key. Nothing of it runs on the call path: calls insert audit rows as
before; the seal reads them afterwards. A row is sealed once it is SETTLE
old, so that every row with an id below it is committed (the SOAP path's
transactions are single statements under a 10 s timeout): a seal covers the
ids after the previous seal's last one up to the highest id of a row written
before its cutoff, at most MAX_ROWS rows a seal (a run writes as many seals
as it needs).

``verify`` recomputes everything: each seal's signature (by the current
signing certificate, or one given with --cert after a rotation), its link to
the previous seal, the rows it lists against the rows present, row by row, and
its chain; then that no row after the last seal was written before its
cutoff. The first discrepancy is named: a row altered, removed or added out
of place, or a seal altered, removed or signed by an unknown key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import psycopg
from cryptography import x509

from register.adapters import audit_seals, locks
from register.adapters.audit_seals import Seal
from register.adapters.signing import SigningKey, fingerprint, verify
from register.domain.audit_chain import DIGEST_SIZE, GENESIS, chain, statement

SETTLE = timedelta(seconds=60)
MAX_ROWS = 100_000


class Busy(Exception):
    """Another seal is running."""


class Tampered(Exception):
    """What verify found first; the message is one line."""


@dataclass(frozen=True)
class Sealed:
    seals: int
    rows: int
    last: Seal | None  # the newest seal (written now, or before)


@dataclass(frozen=True)
class Verified:
    seals: int
    rows: int
    last: Seal | None


def seal(conn: psycopg.Connection, key: SigningKey, settle: timedelta = SETTLE, max_rows: int = MAX_ROWS) -> Sealed:
    if not locks.try_lock(conn, locks.AUDIT_SEAL):
        raise Busy(locks.holder(conn, locks.AUDIT_SEAL))
    try:
        cutoff = audit_seals.now(conn) - settle
        written = rows = 0
        previous = audit_seals.last(conn)
        while True:
            after = previous.last_id if previous else 0
            head = previous.head if previous else GENESIS
            with conn.transaction():
                up_to = audit_seals.bound(conn, after, cutoff, max_rows)
                if up_to is None:
                    break
                ids, digests = [], bytearray()
                for row in audit_seals.rows(conn, after, up_to):
                    ids.append(row.id)
                    digests += row.digest()
                number = previous.number + 1 if previous else 1
                new_head = chain(
                    head, (bytes(digests[i : i + DIGEST_SIZE]) for i in range(0, len(digests), DIGEST_SIZE))
                )
                signed = statement(number, up_to, ids, cutoff, head, new_head)
                previous = Seal(
                    number, None, cutoff, up_to, len(ids), ids, bytes(digests), head, new_head, key.fingerprint,
                    key.sign(signed),
                )  # fmt: skip
                audit_seals.insert(conn, previous)
            written, rows = written + 1, rows + len(ids)
            if len(ids) < max_rows:
                break
        return Sealed(written, rows, previous)
    finally:
        locks.unlock(conn, locks.AUDIT_SEAL)


def verify_all(conn: psycopg.Connection, trusted: Iterable[x509.Certificate]) -> Verified:
    """Every seal and every sealed row checked; Tampered naming the first discrepancy."""
    certificates = {fingerprint(c): c for c in trusted}
    count = rows = 0
    previous: Seal | None = None
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")  # one snapshot throughout
        for current in audit_seals.seals(conn):
            _check_seal(current, previous, certificates)
            _check_rows(conn, current, previous.last_id if previous else 0)
            count, rows, previous = count + 1, rows + current.row_count, current
        if previous is not None:
            slipped = audit_seals.first_after(conn, previous.last_id, previous.cutoff)
            if slipped is not None:
                raise Tampered(
                    f"audit row {slipped.id} ({slipped.at:%Y-%m-%d %H:%M:%S%z}) was added out of place: written "
                    f"before seal {previous.number}'s cutoff but after its last row {previous.last_id}"
                )
    return Verified(count, rows, previous)


def _check_seal(current: Seal, previous: Seal | None, certificates: dict[str, x509.Certificate]) -> None:
    expected = previous.number + 1 if previous else 1
    if current.number != expected:
        raise Tampered(f"seal {expected} was removed (the next one is seal {current.number})")
    certificate = certificates.get(current.fingerprint)
    if certificate is None:
        raise Tampered(
            f"seal {current.number} is signed by a certificate not trusted here (SHA-256 {current.fingerprint}); "
            "give it with --cert if it signed before a rotation"
        )
    ids, digests = current.ids, current.digests
    signed = statement(current.number, current.last_id, ids, current.cutoff, current.previous_head, current.head)
    if not verify(certificate, current.signature, signed):
        raise Tampered(f"seal {current.number} was altered: its signature does not verify")
    if current.previous_head != (previous.head if previous else GENESIS):
        raise Tampered(f"seal {current.number} does not follow seal {expected - 1}: the chain is broken")
    parts = [digests[i : i + DIGEST_SIZE] for i in range(0, len(digests), DIGEST_SIZE)]
    if len(parts) != len(ids) or current.row_count != len(ids) or chain(current.previous_head, parts) != current.head:
        raise Tampered(f"seal {current.number} was altered: its row digests do not make its signed chain")


def _check_rows(conn: psycopg.Connection, current: Seal, after: int) -> None:
    """The rows present in the seal's id range, against the ids and digests it lists, in id order."""
    listed = dict(
        zip(
            current.ids,
            (current.digests[i * DIGEST_SIZE : (i + 1) * DIGEST_SIZE] for i in range(len(current.ids))),
            strict=True,
        )
    )
    order = iter(current.ids)
    expected = next(order, None)
    for row in audit_seals.rows(conn, after, current.last_id):
        if row.id not in listed:
            raise Tampered(f"audit row {row.id} was added out of place: seal {current.number} does not list it")
        if expected is not None and expected < row.id:
            raise Tampered(f"audit row {expected} was removed (sealed in seal {current.number})")
        if row.digest() != listed[row.id]:
            raise Tampered(f"audit row {row.id} was altered (sealed in seal {current.number})")
        expected = next(order, None)
    if expected is not None:
        raise Tampered(f"audit row {expected} was removed (sealed in seal {current.number})")
