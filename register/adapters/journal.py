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

from register.domain.flows import is_register_flow
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


# A network flow's record as register.batch.network_file takes it: the journal row with its network record.
NETWORK_COLUMNS = "j.sequence, j.recorded_on, j.ssin, n.ssin, n.event_date, n.kind, {types}, n.reference, n.payload"

# A subscription's filter (CONTRACT.md section 5, 1.1): a mutation is delivered when one of the dossier
# types that made the tenant concerned is in it (rows journaled before 1.1 carry none: delivered), and
# its record lists those in the filter.
_IN_FILTER = "(%(filter)s::text[] IS NULL OR j.dossier_types IS NULL OR j.dossier_types && %(filter)s::text[])"
_TYPES = (
    "CASE WHEN %(filter)s::text[] IS NULL OR j.dossier_types IS NULL THEN j.dossier_types"
    " ELSE ARRAY(SELECT t FROM unnest(j.dossier_types) t WHERE t = ANY (%(filter)s::text[])) END"
)
_RANGE = "j.tenant_id = %(tenant)s AND j.flow = %(flow)s AND j.sequence > %(after)s AND j.sequence <= %(upto)s"


def pending_range(conn: psycopg.Connection, sub: Subscription, upto: int) -> tuple[int, int | None, int | None]:
    """(count, first, last) of the subscription's undelivered mutations up to ``upto``, within its filter."""
    return conn.execute(
        f"SELECT count(*), min(j.sequence), max(j.sequence) FROM journal j WHERE {_RANGE} AND {_IN_FILTER}",
        {"tenant": sub.tenant_id, "flow": sub.flow, "after": sub.delivered_through, "upto": upto,
         "filter": _filter(sub.dossier_types)},
    ).fetchone()  # fmt: skip


def mutations(
    conn: psycopg.Connection,
    tenant_id: int,
    flow: str,
    after: int,
    upto: int,
    dossier_types: tuple[str, ...] | None = None,
) -> Iterator[tuple]:
    """A tenant's mutations of a flow with sequences in (after, upto], within the filter ``dossier_types``,
    in sequence order, as JOURNAL_COLUMNS tuples (a network flow's: NETWORK_COLUMNS), streamed by a
    server-side cursor (memory stays flat). Run inside a transaction (the cursor lives in it)."""
    if is_register_flow(flow):
        columns = JOURNAL_COLUMNS.replace("dossier_types", f"{_TYPES} AS dossier_types")
        source = "journal j"
    else:
        columns = NETWORK_COLUMNS.format(types=_TYPES)
        source = "journal j JOIN network_record n ON n.id = j.network_record"
    with conn.cursor(name="raas_batch_journal") as cursor:
        cursor.itersize = _FETCH
        cursor.execute(
            f"SELECT {columns} FROM {source} WHERE {_RANGE} AND {_IN_FILTER} ORDER BY j.sequence",
            {"tenant": tenant_id, "flow": flow, "after": after, "upto": upto, "filter": _filter(dossier_types)},
        )
        yield from cursor


def _filter(dossier_types: tuple[str, ...] | None) -> list[str] | None:
    return list(dossier_types) if dossier_types else None


def authorized(conn: psycopg.Connection, tenant_id: int, flow: str, day: date) -> bool:
    """Whether the tenant holds an authorization for the network flow valid on ``day``."""
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM flow_authorization WHERE tenant_id = %s AND flow = %s AND validity @> %s::date)",
        (tenant_id, flow, day),
    ).fetchone()[0]


def hold_back(conn: psycopg.Connection, sub: Subscription, upto: int) -> int:
    """The subscription's undelivered mutations up to ``upto`` passed over for good (its authorization
    has ended): the cursor moves past them, committed at once. Returns how many they were."""
    with conn.transaction():
        (count,) = conn.execute(
            "SELECT count(*) FROM journal j WHERE j.tenant_id = %s AND j.flow = %s AND j.sequence > %s"
            " AND j.sequence <= %s",
            (sub.tenant_id, sub.flow, sub.delivered_through, upto),
        ).fetchone()
        conn.execute(
            "UPDATE subscription SET delivered_through = greatest(delivered_through, %s)"
            " WHERE tenant_id = %s AND flow = %s",
            (upto, sub.tenant_id, sub.flow),
        )
    return count
