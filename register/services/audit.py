"""The audit trail's use cases: a call's outcome recorded (every fault, the calls no statement audits),
and a tenant's trail read back for an operator (`raas audit`).

Successful calls are mostly audited by their own statement, in their own
transaction (register.adapters.registrations and the others); this records
the rest, such as every fault the SOAP layer answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from register.adapters import audit
from register.adapters.tenants import Tenants
from register.domain.calls import Call


class Audit:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, call: Call, operation: str, ssins: list[str] | None, outcome: str) -> None:
        audit.record(self._engine, call, operation, ssins, outcome)

    def read(self, bce: str, *, ssin: str | None, since: datetime | None, limit: int) -> list[audit.Entry]:
        """A tenant's audit rows, oldest first; ``NotFound`` for an unknown tenant."""
        tenant_id = Tenants(self._engine).id_of(bce)
        return audit.read(self._engine, tenant_id, ssin=ssin, since=since, limit=limit)
