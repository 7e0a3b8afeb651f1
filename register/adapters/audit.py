"""The audit trail: one row per call (successes are written by the call's own statement)."""

from __future__ import annotations

from sqlalchemy import Engine, insert

from register.adapters.registrations import Call
from register.adapters.tables import audit as audit_table


class AuditTrail:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    def record(self, who: Call, operation: str, ssins: list[str] | None, outcome: str) -> None:
        with self._engine.connect() as conn:
            conn.execute(
                insert(audit_table).values(
                    tenant_id=who.tenant_id,
                    username=who.username,
                    operation=operation,
                    ssins=ssins or None,
                    outcome=outcome,
                    request_id=who.request_id,
                )
            )
