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
from register.adapters.reads import Reads
from register.adapters.tenancy import AS_TENANT
from register.domain.calls import Call
from register.domain.flows import Authorization, FlowOffer
from register.domain.subscriptions import Delivery, Subscription

_AUDITED = (
    "WITH audited AS (INSERT INTO audit (tenant_id, username, operation, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, 'OK', %(request_id)s)) "
)
_SUBSCRIPTION_COLUMNS = (
    "s.tenant_id, (SELECT t.bce FROM tenant t WHERE t.id = s.tenant_id), s.flow, s.since, s.delivered_through,"
    " s.dossier_types"
)
# raas_subscribe (sql/subscriptions.sql) checks, subscribes or replaces the filter, and audits. A new
# subscription starts from the journal's present (its head), never its past; subscribing again keeps
# since and the cursor (DO UPDATE rather than DO NOTHING, so a concurrent first subscribe still
# returns the row: DO NOTHING returns none, and the statement's snapshot cannot see the winner's).
_SUBSCRIBE = (
    f"SELECT r.* FROM {AS_TENANT}, LATERAL raas_subscribe(tenant.id::int, %(username)s, %(request_id)s,"
    " %(flow)s, %(dossier_types)s::text[]) r"
)
# An unknown flow deletes and audits nothing (the fault handler audits the refusal).
_UNSUBSCRIBE = (
    "WITH known AS (SELECT code FROM flow WHERE code = %(flow)s),"
    " audited AS (INSERT INTO audit (tenant_id, username, operation, outcome, request_id)"
    " SELECT %(tenant)s, %(username)s, %(operation)s, 'OK', %(request_id)s FROM known),"
    " gone AS (DELETE FROM subscription WHERE tenant_id = %(tenant)s AND flow IN (SELECT code FROM known))"
    " SELECT count(*) AS known FROM known"
)
# listFlows: the register's two, then each network flow with the tenant's authorization that has not
# ended (the current one, else the next), by code.
_FLOWS = (
    _AUDITED + "SELECT f.code, f.label, f.kind, a.reference, lower(a.validity) AS valid_from,"
    " CASE WHEN upper_inf(a.validity) THEN NULL ELSE upper(a.validity) - 1 END AS valid_to, a.dossier_types"
    " FROM flow f LEFT JOIN LATERAL (SELECT * FROM flow_authorization a WHERE a.tenant_id = %(tenant)s"
    " AND a.flow = f.code AND (upper_inf(a.validity) OR upper(a.validity) > raas_today())"
    " ORDER BY lower(a.validity) LIMIT 1) a ON true"
    " WHERE f.kind = 'REGISTER' OR a.reference IS NOT NULL ORDER BY f.kind = 'NETWORK', f.code"
)
_SUBSCRIPTIONS = (
    _AUDITED + f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscription s WHERE s.tenant_id = %(tenant)s ORDER BY s.flow"
)
_DELIVERY_COLUMNS = (
    "d.tenant_id, (SELECT t.bce FROM tenant t WHERE t.id = d.tenant_id), d.flow, d.run_date, d.file_name,"
    " d.voucher_name, d.record_count, d.size_bytes, d.sha256, d.first_sequence, d.last_sequence, d.created_at,"
    " d.dossier_types"
)
_DELIVERIES = (  # read-only: audited by register.adapters.reads
    f"SELECT {_DELIVERY_COLUMNS} FROM delivery d WHERE d.tenant_id = %(tenant)s"
    " AND d.run_date >= coalesce(%(from_date)s::date, '-infinity')"
    " AND d.run_date <= coalesce(%(to_date)s::date, 'infinity') ORDER BY d.run_date, d.flow"
)
# Not audited here: getDelivery's outcome is known only once its files are read (the service audits it).
_DELIVERY = f"SELECT {_DELIVERY_COLUMNS} FROM delivery d WHERE d.tenant_id = %(tenant)s AND d.file_name = %(file_name)s"


@dataclass(frozen=True, slots=True)
class Refusal:
    """What raas_subscribe answered when it refused: the contract's reason and the code concerned."""

    reason: str
    info: tuple[str, ...] = ()


class Subscriptions:
    def __init__(self, engine: Engine, reads: Reads | None = None) -> None:
        self._pool = statement_pool(engine)
        self._reads = reads or Reads(engine)

    def _run(self, statement: str, call: Call, operation: str | None = None, **params) -> list:
        who = {"tenant": call.tenant_id, "username": call.username, "request_id": call.request_id}
        return run(self._pool, statement, {**who, "operation": operation, **params}, call.tenant_id)

    def subscribe(self, call: Call, flow: str, dossier_types: list[str] | None) -> Subscription | Refusal:
        (row,) = self._run(_SUBSCRIBE, call, flow=flow, dossier_types=dossier_types)
        if row.outcome != "OK":
            return Refusal(row.outcome, tuple(row.info or ()))
        return Subscription(call.tenant_id, row.bce, flow, row.since, row.delivered_through, row.dossier_types)

    def unsubscribe(self, call: Call, flow: str) -> bool:
        """False when the flow is not one: nothing was done."""
        (row,) = self._run(_UNSUBSCRIBE, call, "unsubscribe", flow=flow)
        return bool(row.known)

    def flows(self, call: Call) -> list[FlowOffer]:
        offers = []
        for row in self._run(_FLOWS, call, "listFlows"):
            grant = None
            if row.reference is not None:
                types = tuple(row.dossier_types) if row.dossier_types is not None else None
                grant = Authorization("", row.code, row.reference, row.valid_from, row.valid_to, types)
            offers.append(FlowOffer(row.code, row.label, row.kind, grant))
        return offers

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
