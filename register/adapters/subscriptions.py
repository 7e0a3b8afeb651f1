"""A tenant's subscriptions to the nightly flows and the deliveries made to it, in PostgreSQL.

The SOAP path's side only: one statement per call on the statement pool, as
the caller's tenant (register.adapters.database.run), with the audit row of
the call in the same statement where the statement is the whole call. The
batch (the owner role) writes the deliveries and advances the cursors; the
application role may subscribe, unsubscribe and read (migration 0005).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from register.adapters.database import run, statement_pool
from register.adapters.reads import Reads
from register.domain.calls import Call
from register.domain.subscriptions import Delivery, Subscription

_AUDITED = (
    "WITH audited AS (INSERT INTO audit (tenant_id, username, operation, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, 'OK', %(request_id)s)) "
)
_SUBSCRIPTION_COLUMNS = (
    "s.tenant_id, (SELECT t.bce FROM tenant t WHERE t.id = s.tenant_id), s.flow, s.since, s.delivered_through"
)
# A new subscription starts from the journal's present (its head), never its past. Subscribing again
# answers the stored row unchanged: DO UPDATE rather than DO NOTHING, so a concurrent first subscribe
# still returns the row (DO NOTHING returns none, and this statement's snapshot cannot see the winner's).
_SUBSCRIBE = (
    _AUDITED + "INSERT INTO subscription AS s (tenant_id, flow, since, delivered_through)"
    " VALUES (%(tenant)s, %(flow)s, raas_today(), raas_journal_head())"
    " ON CONFLICT (tenant_id, flow) DO UPDATE SET since = s.since RETURNING " + _SUBSCRIPTION_COLUMNS
)
_UNSUBSCRIBE = _AUDITED + "DELETE FROM subscription WHERE tenant_id = %(tenant)s AND flow = %(flow)s"
_SUBSCRIPTIONS = (
    _AUDITED + f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscription s WHERE s.tenant_id = %(tenant)s ORDER BY s.flow"
)
_DELIVERY_COLUMNS = (
    "d.tenant_id, (SELECT t.bce FROM tenant t WHERE t.id = d.tenant_id), d.flow, d.run_date, d.file_name,"
    " d.voucher_name, d.record_count, d.size_bytes, d.sha256, d.first_sequence, d.last_sequence, d.created_at"
)
_DELIVERIES = (  # read-only: audited by register.adapters.reads
    f"SELECT {_DELIVERY_COLUMNS} FROM delivery d WHERE d.tenant_id = %(tenant)s"
    " AND d.run_date >= coalesce(%(from_date)s::date, '-infinity')"
    " AND d.run_date <= coalesce(%(to_date)s::date, 'infinity') ORDER BY d.run_date, d.flow"
)
# Not audited here: getDelivery's outcome is known only once its files are read (the service audits it).
_DELIVERY = f"SELECT {_DELIVERY_COLUMNS} FROM delivery d WHERE d.tenant_id = %(tenant)s AND d.file_name = %(file_name)s"


class Subscriptions:
    def __init__(self, engine: Engine, reads: Reads | None = None) -> None:
        self._pool = statement_pool(engine)
        self._reads = reads or Reads(engine)

    def _run(self, statement: str, call: Call, operation: str | None = None, **params) -> list:
        who = {"tenant": call.tenant_id, "username": call.username, "request_id": call.request_id}
        return run(self._pool, statement, {**who, "operation": operation, **params}, call.tenant_id)

    def subscribe(self, call: Call, flow: str) -> Subscription:
        (row,) = self._run(_SUBSCRIBE, call, "subscribe", flow=flow)
        return Subscription(*row)

    def unsubscribe(self, call: Call, flow: str) -> None:
        self._run(_UNSUBSCRIBE, call, "unsubscribe", flow=flow)

    def subscriptions(self, call: Call) -> list[Subscription]:
        return [Subscription(*row) for row in self._run(_SUBSCRIPTIONS, call, "listSubscriptions")]

    def deliveries(self, call: Call, from_date: date | None, to_date: date | None) -> list[Delivery]:
        params = {"from_date": from_date, "to_date": to_date}
        rows = self._reads.audited(call, "listDeliveries", None, _DELIVERIES, params)
        return [Delivery(*row) for row in rows]

    def delivery(self, call: Call, file_name: str) -> Delivery | None:
        """The caller's delivery of that data file name, or None (whatever the name, it is only compared)."""
        rows = self._run(_DELIVERY, call, file_name=file_name)
        return Delivery(*rows[0]) if rows else None
