"""The batch's SQL: subscriptions, the journal read as a stream, deliveries, the run's lock.

One psycopg connection for the whole run, as the owner role (the journal is
closed to the application role), in the Europe/Brussels time zone (run dates
and createdAt are Brussels days and times). It also holds the run's session
advisory lock: if the connection drops, the lock goes with it, and so does
every later statement of this run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import psycopg
from sqlalchemy import make_url

from batch.voucher import Voucher
from register.adapters import locks

LOCK_KEY = locks.BATCH
_FETCH = 5_000  # journal rows per round trip of the streaming cursor

# jsonb as text, parsed by the writer: psycopg's jsonb loader costs 1.6 times as much (bench/batch.py)
JOURNAL_COLUMNS = "sequence, recorded_on, ssin, new_ssin, dossier_types, changes::text, person::text"


@dataclass(frozen=True)
class Subscription:
    tenant_id: int
    bce: str
    flow: str
    delivered_through: int


@dataclass(frozen=True)
class Delivery:
    id: int
    tenant_id: int
    bce: str
    flow: str
    run_date: date
    file_name: str
    voucher_name: str
    size_bytes: int
    sha256: str
    record_count: int
    first_sequence: int | None
    last_sequence: int | None
    created_at: datetime


def connect(sqlalchemy_url: str) -> psycopg.Connection:
    conninfo = make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(
        conninfo, autocommit=True, application_name="raas-batch", options="-c TimeZone=Europe/Brussels"
    )


def try_lock(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]


def unlock(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def lock_holder(conn: psycopg.Connection) -> str:
    """Who holds the lock, for the message of a run that did not get it."""
    row = conn.execute(
        """
        SELECT a.pid, a.application_name, a.client_addr, a.backend_start FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s
        """,
        (LOCK_KEY,),
    ).fetchone()
    if row is None:
        return "another run"
    pid, application, address, started = row
    return f"{application or 'a session'} (server pid {pid}, from {address or 'a local socket'}, since {started:%Y-%m-%d %H:%M:%S})"


def now(conn: psycopg.Connection) -> datetime:
    return conn.execute("SELECT date_trunc('second', clock_timestamp())").fetchone()[0]


def today(conn: psycopg.Connection) -> date:
    return conn.execute("SELECT raas_today()").fetchone()[0]


def journal_head(conn: psycopg.Connection) -> int:
    """The last sequence committed: a run delivers mutations up to here ("recorded before the run started").
    Journal writers commit in sequence order (0002's raas_journal_lock), so nothing below it comes later."""
    return conn.execute("SELECT coalesce(max(sequence), 0) FROM journal").fetchone()[0]


def subscriptions(conn: psycopg.Connection) -> list[Subscription]:
    rows = conn.execute(
        """
        SELECT s.tenant_id, t.bce, s.flow, s.delivered_through FROM subscription s
        JOIN tenant t ON t.id = s.tenant_id ORDER BY t.bce, s.flow
        """
    ).fetchall()
    return [Subscription(*row) for row in rows]


def subscription(conn: psycopg.Connection, tenant_id: int, bce: str, flow: str) -> Subscription | None:
    row = conn.execute(
        "SELECT delivered_through FROM subscription WHERE tenant_id = %s AND flow = %s", (tenant_id, flow)
    ).fetchone()
    return Subscription(tenant_id, bce, flow, row[0]) if row else None


def delivered_names(conn: psycopg.Connection, tenant_id: int, flow: str) -> set[str]:
    rows = conn.execute("SELECT file_name FROM delivery WHERE tenant_id = %s AND flow = %s", (tenant_id, flow))
    return {name for (name,) in rows}


def delivery_on(conn: psycopg.Connection, tenant_id: int, flow: str, run_date: date) -> Delivery | None:
    row = conn.execute(
        f"{_DELIVERY} WHERE d.tenant_id = %s AND d.flow = %s AND d.run_date = %s", (tenant_id, flow, run_date)
    ).fetchone()
    return Delivery(*row) if row else None


def last_run_date(conn: psycopg.Connection, tenant_id: int, flow: str) -> date | None:
    query = "SELECT max(run_date) FROM delivery WHERE tenant_id = %s AND flow = %s"
    return conn.execute(query, (tenant_id, flow)).fetchone()[0]


def pending_range(conn: psycopg.Connection, sub: Subscription, head: int) -> tuple[int, int | None, int | None]:
    """(count, first, last) of the subscription's undelivered mutations up to ``head``."""
    return conn.execute(
        "SELECT count(*), min(sequence), max(sequence) FROM journal"
        " WHERE tenant_id = %s AND flow = %s AND sequence > %s AND sequence <= %s",
        (sub.tenant_id, sub.flow, sub.delivered_through, head),
    ).fetchone()


def pending(conn: psycopg.Connection, sub: Subscription, head: int) -> Iterator[tuple]:
    """The same mutations in sequence order, streamed (a server-side cursor; memory stays flat).
    Run inside a transaction (the cursor lives in it)."""
    return mutations(conn, sub.tenant_id, sub.flow, sub.delivered_through, head)


def mutations(conn: psycopg.Connection, tenant_id: int, flow: str, after: int, upto: int) -> Iterator[tuple]:
    with conn.cursor(name="raas_batch_journal") as cursor:
        cursor.itersize = _FETCH
        cursor.execute(
            f"SELECT {JOURNAL_COLUMNS} FROM journal"
            " WHERE tenant_id = %s AND flow = %s AND sequence > %s AND sequence <= %s ORDER BY sequence",
            (tenant_id, flow, after, upto),
        )
        yield from cursor


def record_delivery(conn: psycopg.Connection, tenant_id: int, voucher: Voucher, voucher_name: str) -> None:
    """The delivery row and the subscription's cursor, in one transaction (both files are in place)."""
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO delivery (tenant_id, flow, run_date, file_name, voucher_name, record_count, size_bytes,
                                  sha256, first_sequence, last_sequence, created_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            """,
            (
                tenant_id, voucher.flow, voucher.run_date, voucher.file_name, voucher_name, voucher.record_count,
                voucher.size_bytes, voucher.sha256, voucher.first_sequence, voucher.last_sequence, voucher.created_at,
            ),
        )  # fmt: skip
        if voucher.last_sequence is not None:
            conn.execute(
                "UPDATE subscription SET delivered_through = greatest(delivered_through, %s)"
                " WHERE tenant_id = %s AND flow = %s",
                (voucher.last_sequence, tenant_id, voucher.flow),
            )


_DELIVERY = """
SELECT d.id, d.tenant_id, t.bce, d.flow, d.run_date, d.file_name, d.voucher_name, d.size_bytes, d.sha256,
       d.record_count, d.first_sequence, d.last_sequence, d.created_at
FROM delivery d JOIN tenant t ON t.id = d.tenant_id
"""


def expired(conn: psycopg.Connection, before: date) -> list[Delivery]:
    rows = conn.execute(f"{_DELIVERY} WHERE d.run_date < %s ORDER BY d.run_date, t.bce, d.flow", (before,))
    return [Delivery(*row) for row in rows]


def forget(conn: psycopg.Connection, deliveries: list[Delivery]) -> None:
    with conn.transaction():
        conn.execute("DELETE FROM delivery WHERE id = ANY(%s)", ([d.id for d in deliveries],))
