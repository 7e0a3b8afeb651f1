"""Subscriptions and deliveries as the nightly batch keeps them (the owner role, one connection).

A delivery row and the subscription's cursor are written in one transaction,
once both files are in place (register.batch.job): a tenant's cursor advances
only when its files are delivered.
"""

from __future__ import annotations

from datetime import date

import psycopg

from register.domain.subscriptions import Delivery, Subscription

_SUBSCRIPTION = (
    "SELECT s.tenant_id, t.bce, s.flow, s.since, s.delivered_through, s.dossier_types"
    " FROM subscription s JOIN tenant t ON t.id = s.tenant_id"
)
_DELIVERY = """
SELECT d.tenant_id, t.bce, d.flow, d.run_date, d.file_name, d.voucher_name, d.record_count, d.size_bytes, d.sha256,
       d.first_sequence, d.last_sequence, d.created_at, d.dossier_types
FROM delivery d JOIN tenant t ON t.id = d.tenant_id
"""


def subscriptions(conn: psycopg.Connection) -> list[Subscription]:
    rows = conn.execute(f"{_SUBSCRIPTION} ORDER BY t.bce, s.flow").fetchall()
    return [Subscription(*row) for row in rows]


def subscription(conn: psycopg.Connection, tenant_id: int, flow: str) -> Subscription | None:
    row = conn.execute(f"{_SUBSCRIPTION} WHERE s.tenant_id = %s AND s.flow = %s", (tenant_id, flow)).fetchone()
    return Subscription(*row) if row else None


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


def record(conn: psycopg.Connection, delivery: Delivery, through: int | None = None) -> None:
    """The delivery row and the subscription's cursor, in one transaction (both files are in place).

    ``through``: the journal's head the file settled the subscription up to, when mutations after its
    last record were passed over (outside the subscription's filter); else its last record."""
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO delivery (tenant_id, flow, run_date, file_name, voucher_name, record_count, size_bytes,
                                  sha256, first_sequence, last_sequence, created_at, dossier_types)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            """,
            (
                delivery.tenant_id, delivery.flow, delivery.run_date, delivery.file_name, delivery.voucher_name,
                delivery.record_count, delivery.size_bytes, delivery.sha256, delivery.first_sequence,
                delivery.last_sequence, delivery.created_at,
                list(delivery.dossier_types) if delivery.dossier_types else None,
            ),
        )  # fmt: skip
        cursor = max((s for s in (delivery.last_sequence, through) if s is not None), default=None)
        if cursor is not None:
            conn.execute(
                "UPDATE subscription SET delivered_through = greatest(delivered_through, %s)"
                " WHERE tenant_id = %s AND flow = %s",
                (cursor, delivery.tenant_id, delivery.flow),
            )


def expired(conn: psycopg.Connection, before: date) -> list[Delivery]:
    rows = conn.execute(f"{_DELIVERY} WHERE d.run_date < %s ORDER BY d.run_date, t.bce, d.flow", (before,))
    return [Delivery(*row) for row in rows]


def forget(conn: psycopg.Connection, deliveries: list[Delivery]) -> None:
    with conn.transaction():
        conn.execute(
            "DELETE FROM delivery WHERE (tenant_id, file_name) IN (SELECT * FROM unnest(%s::int[], %s::text[]))",
            ([d.tenant_id for d in deliveries], [d.file_name for d in deliveries]),
        )
