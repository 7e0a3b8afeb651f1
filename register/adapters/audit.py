"""The audit trail: one row per call (successes are written by the call's own statement).

Append-only: the application role may insert rows of its caller's tenant (or
of no tenant, for callers not authenticated) and nothing else (migration 0004).
"""

from __future__ import annotations

from sqlalchemy import Engine

from register.adapters.database import run, statement_pool
from register.adapters.registrations import Call

_INSERT = (
    "INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, %(ssins)s, %(outcome)s, %(request_id)s)"
)


class AuditTrail:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, who: Call, operation: str, ssins: list[str] | None, outcome: str) -> None:
        params = {
            "tenant": who.tenant_id,
            "username": who.username,
            "operation": operation,
            "ssins": ssins or None,
            "outcome": outcome,
            "request_id": who.request_id,
        }
        run(statement_pool(self._engine), _INSERT, params, who.tenant_id)
