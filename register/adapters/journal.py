"""The journal as the nightly batch reads it: its head, and a subscription's pending mutations as a stream.

The batch reads as the owner role (the journal is closed to the application
role) on one psycopg connection in the Europe/Brussels time zone
(register.adapters.database.connect_owner): run dates and createdAt are Brussels
days and times. Journal writers commit in sequence order (raas_journal_lock), so
a reader that saw sequence n committed has seen every smaller one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import psycopg

from register.domain.subscriptions import Subscription

_FETCH = 5_000  # journal rows per round trip of the streaming cursor

# A mutation as the nightly files' writer takes it (register.batch.mutation_file): jsonb as text,
# parsed by the writer: psycopg's jsonb loader costs 1.6 times as much (bench/batch.py).
JOURNAL_COLUMNS = "sequence, recorded_on, ssin, new_ssin, dossier_types, changes::text, person::text"


def now(conn: psycopg.Connection) -> datetime:
    return conn.execute("SELECT date_trunc('second', clock_timestamp())").fetchone()[0]


def today(conn: psycopg.Connection) -> date:
    """The contract's day: today in Brussels."""
    return conn.execute("SELECT raas_today()").fetchone()[0]


def head(conn: psycopg.Connection) -> int:
    """The last sequence committed: a run delivers mutations up to here ("recorded before the run started")."""
    return conn.execute("SELECT coalesce(max(sequence), 0) FROM journal").fetchone()[0]


def pending_range(conn: psycopg.Connection, sub: Subscription, upto: int) -> tuple[int, int | None, int | None]:
    """(count, first, last) of the subscription's undelivered mutations up to ``upto``."""
    return conn.execute(
        "SELECT count(*), min(sequence), max(sequence) FROM journal"
        " WHERE tenant_id = %s AND flow = %s AND sequence > %s AND sequence <= %s",
        (sub.tenant_id, sub.flow, sub.delivered_through, upto),
    ).fetchone()


def mutations(conn: psycopg.Connection, tenant_id: int, flow: str, after: int, upto: int) -> Iterator[tuple]:
    """A tenant's mutations of a flow with sequences in (after, upto], in sequence order, as JOURNAL_COLUMNS
    tuples, streamed by a server-side cursor (memory stays flat). Run inside a transaction (the cursor lives in it)."""
    with conn.cursor(name="raas_batch_journal") as cursor:
        cursor.itersize = _FETCH
        cursor.execute(
            f"SELECT {JOURNAL_COLUMNS} FROM journal"
            " WHERE tenant_id = %s AND flow = %s AND sequence > %s AND sequence <= %s ORDER BY sequence",
            (tenant_id, flow, after, upto),
        )
        yield from cursor
