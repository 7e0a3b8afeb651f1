"""The audit's seals (table audit_seal) and the audit rows they cover, read and written as the owner role.

On the batch's kind of connection (register.adapters.database.connect_owner):
autocommit, so each seal is written in a transaction of its own; the rows are
streamed through a server-side cursor, so memory stays flat whatever the size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import psycopg

from register.domain.audit_chain import AuditRow

_ROW = "id, at, tenant_id, username, operation, ssins, outcome, request_id"
_SEAL = "id, sealed_at, cutoff, last_id, row_count, ids, digests, previous_head, head, fingerprint, signature"


@dataclass(frozen=True)
class Seal:
    number: int
    sealed_at: datetime | None
    cutoff: datetime
    last_id: int
    row_count: int
    ids: list[int]
    digests: bytes
    previous_head: bytes
    head: bytes
    fingerprint: str
    signature: bytes


def now(conn: psycopg.Connection) -> datetime:
    return conn.execute("SELECT clock_timestamp()").fetchone()[0]


def last(conn: psycopg.Connection) -> Seal | None:
    row = conn.execute(f"SELECT {_SEAL} FROM audit_seal ORDER BY id DESC LIMIT 1").fetchone()
    return _seal(row) if row else None


def bound(conn: psycopg.Connection, after_id: int, cutoff: datetime, limit: int) -> int | None:
    """The last id of the next seal: the highest id of a row written before ``cutoff``, or the
    ``limit``-th id after ``after_id`` when there are more; None when there is nothing to seal."""
    highest = conn.execute("SELECT max(id) FROM audit WHERE id > %s AND at < %s", (after_id, cutoff)).fetchone()[0]
    if highest is None:
        return None
    capped = conn.execute(
        "SELECT id FROM audit WHERE id > %s AND id <= %s ORDER BY id OFFSET %s LIMIT 1",
        (after_id, highest, limit - 1),
    ).fetchone()
    return capped[0] if capped else highest


def rows(conn: psycopg.Connection, after_id: int, up_to: int) -> Iterator[AuditRow]:
    """The audit rows with ids in (after_id, up_to], in id order; call within a transaction."""
    with conn.cursor(name="raas_audit_rows") as cursor:
        cursor.itersize = 5_000
        cursor.execute(f"SELECT {_ROW} FROM audit WHERE id > %s AND id <= %s ORDER BY id", (after_id, up_to))
        for row in cursor:
            yield AuditRow(*row)


def first_after(conn: psycopg.Connection, after_id: int, before: datetime) -> AuditRow | None:
    """The first row after ``after_id`` written before ``before`` (a row slipped in behind a seal)."""
    row = conn.execute(
        f"SELECT {_ROW} FROM audit WHERE id > %s AND at < %s ORDER BY id LIMIT 1", (after_id, before)
    ).fetchone()
    return AuditRow(*row) if row else None


def insert(conn: psycopg.Connection, seal: Seal) -> None:
    conn.execute(
        "INSERT INTO audit_seal (id, cutoff, last_id, row_count, ids, digests, previous_head, head, fingerprint,"
        " signature) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            seal.number, seal.cutoff, seal.last_id, seal.row_count, seal.ids, seal.digests, seal.previous_head,
            seal.head, seal.fingerprint, seal.signature,
        ),
    )  # fmt: skip


def seals(conn: psycopg.Connection) -> Iterator[Seal]:
    """Every seal, in order; call within a transaction."""
    with conn.cursor(name="raas_audit_seals") as cursor:
        cursor.itersize = 10
        cursor.execute(f"SELECT {_SEAL} FROM audit_seal ORDER BY id")
        for row in cursor:
            yield _seal(row)


def _seal(row) -> Seal:
    number, sealed_at, cutoff, last_id, count, ids, digests, previous, head, fingerprint, signature = row
    return Seal(
        number, sealed_at, cutoff, last_id, count, list(ids), bytes(digests), bytes(previous), bytes(head),
        fingerprint, bytes(signature),
    )  # fmt: skip
