"""A tenant's subscriptions to the nightly flows and the deliveries made to it, in PostgreSQL.

The SOAP path's side only: one statement per call on the statement pool, as
the caller's tenant (register.adapters.database.run), with the audit row of
the call in the same statement where the statement is the whole call. The
batch (the owner role) writes the deliveries and advances the cursors; the
application role may subscribe, unsubscribe and read (migration 0005).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from register.adapters.database import run, statement_pool
from register.adapters.registrations import Call


@dataclass(frozen=True, slots=True)
class Subscription:
    flow: str
    since: date


@dataclass(frozen=True, slots=True)
class Delivery:
    file_name: str
    voucher_name: str
    flow: str
    run_date: date
    record_count: int
    size_bytes: int
    sha256: str


_AUDITED = (
    "WITH audited AS (INSERT INTO audit (tenant_id, username, operation, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, 'OK', %(request_id)s)) "
)
# A new subscription starts from the journal's present (its head), never its past. Subscribing again
# answers the stored row unchanged: DO UPDATE rather than DO NOTHING, so a concurrent first subscribe
# still returns the row (DO NOTHING returns none, and this statement's snapshot cannot see the winner's).
_SUBSCRIBE = (
    _AUDITED + "INSERT INTO subscription AS s (tenant_id, flow, since, delivered_through)"
    " VALUES (%(tenant)s, %(flow)s, raas_today(), raas_journal_head())"
    " ON CONFLICT (tenant_id, flow) DO UPDATE SET since = s.since RETURNING s.flow, s.since"
)
_UNSUBSCRIBE = _AUDITED + "DELETE FROM subscription WHERE tenant_id = %(tenant)s AND flow = %(flow)s"
_SUBSCRIPTIONS = _AUDITED + "SELECT flow, since FROM subscription WHERE tenant_id = %(tenant)s ORDER BY flow"
_COLUMNS = "file_name, voucher_name, flow, run_date, record_count, size_bytes, sha256"
_DELIVERIES = (
    _AUDITED + f"SELECT {_COLUMNS} FROM delivery WHERE tenant_id = %(tenant)s"
    " AND run_date >= coalesce(%(from_date)s::date, '-infinity') AND run_date <= coalesce(%(to_date)s::date, 'infinity')"
    " ORDER BY run_date, flow"
)
# Not audited here: getDelivery's outcome is known only once its files are read (the service audits it).
_DELIVERY = f"SELECT {_COLUMNS} FROM delivery WHERE tenant_id = %(tenant)s AND file_name = %(file_name)s"


class Subscriptions:
    def __init__(self, engine: Engine) -> None:
        self._pool = statement_pool(engine)

    def _run(self, statement: str, call: Call, operation: str | None = None, **params) -> list:
        who = {"tenant": call.tenant_id, "username": call.username, "request_id": call.request_id}
        return run(self._pool, statement, {**who, "operation": operation, **params}, call.tenant_id)

    def subscribe(self, call: Call, flow: str) -> Subscription:
        (row,) = self._run(_SUBSCRIBE, call, "subscribe", flow=flow)
        return Subscription(row.flow, row.since)

    def unsubscribe(self, call: Call, flow: str) -> None:
        self._run(_UNSUBSCRIBE, call, "unsubscribe", flow=flow)

    def subscriptions(self, call: Call) -> list[Subscription]:
        return [Subscription(r.flow, r.since) for r in self._run(_SUBSCRIPTIONS, call, "listSubscriptions")]

    def deliveries(self, call: Call, from_date: date | None, to_date: date | None) -> list[Delivery]:
        rows = self._run(_DELIVERIES, call, "listDeliveries", from_date=from_date, to_date=to_date)
        return [Delivery(*row) for row in rows]

    def delivery(self, call: Call, file_name: str) -> Delivery | None:
        """The caller's delivery of that data file name, or None (whatever the name, it is only compared)."""
        rows = self._run(_DELIVERY, call, file_name=file_name)
        return Delivery(*rows[0]) if rows else None
