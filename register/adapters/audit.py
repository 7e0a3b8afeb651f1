"""The audit trail: one row per call (successes are written by the call's own statement).

Append-only: the application role may insert rows of its caller's tenant (or
of no tenant, for callers not authenticated) and nothing else (migration 0004).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, text

from register.adapters.database import run, statement_pool
from register.adapters.tables import audit
from register.domain.calls import Call

_INSERT = (
    "INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, %(ssins)s, %(outcome)s, %(request_id)s)"
)


def record_in(conn: Connection, who: Call, operation: str, ssins: list[str] | None, outcome: str = "OK") -> None:
    """An audit row in the caller's own transaction (a SQLAlchemy connection); no RETURNING: the
    application role may not read the table back."""
    conn.execute(
        text(_INSERT.replace("%(", ":").replace(")s", "")),
        {"tenant": who.tenant_id, "username": who.username, "operation": operation, "ssins": ssins or None,
         "outcome": outcome, "request_id": who.request_id},
    )  # fmt: skip


def record(engine: Engine, who: Call, operation: str, ssins: list[str] | None, outcome: str) -> None:
    """An audit row in a transaction of its own, on the statement pool (the SOAP path's faults)."""
    params = {
        "tenant": who.tenant_id,
        "username": who.username,
        "operation": operation,
        "ssins": ssins or None,
        "outcome": outcome,
        "request_id": who.request_id,
    }
    run(statement_pool(engine), _INSERT, params, who.tenant_id)


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    username: str | None
    operation: str
    ssins: list[str] | None
    outcome: str
    request_id: str | None


def read(engine: Engine, tenant_id: int, *, ssin: str | None, since: datetime | None, limit: int) -> list[Entry]:
    """A tenant's audit rows, oldest first (the CLI, as the owner role)."""
    query = select(
        audit.c.at, audit.c.username, audit.c.operation, audit.c.ssins, audit.c.outcome, audit.c.request_id
    ).where(audit.c.tenant_id == tenant_id)
    if ssin is not None:
        query = query.where(audit.c.ssins.contains([ssin]))
    if since is not None:
        query = query.where(audit.c.at >= since)
    with engine.connect() as conn:
        return [Entry(*row) for row in conn.execute(query.order_by(audit.c.at, audit.c.id).limit(limit))]
