"""RoutingService's reads (CONTRACT.md section 10): every tenant's lines of a person, through raas_routing alone.

The SOAP path is the application role, which sees no tenant's rows without its
tenant set; RoutingService's callers have none. raas_routing
(register/adapters/sql/routing.sql) runs as its owner, answers what the contract's
two operations answer and audits the call in the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from register.adapters.database import run, statement_pool
from register.domain.calls import Call
from register.domain.periods import Period

_ROUTING = (
    "SELECT * FROM raas_routing(%(operation)s, %(username)s, %(request_id)s, %(ssin)s, %(day)s::date,"
    " %(dossier_type)s, %(bce)s, %(flow)s)"
)


@dataclass(frozen=True, slots=True)
class Line:
    ssin: str  # the end of the chain of the SSIN asked about
    bce: str
    dossier_type: str
    period: Period
    allowed: bool  # the flow asked about is allowed for it on the day (True when none was asked about)


@dataclass(frozen=True, slots=True)
class Answer:
    refusal: str | None  # UnknownSsin, UnknownFlow (faults) or UNKNOWN_TENANT; None: the lines found
    lines: tuple[Line, ...] = ()


class Routing:
    def __init__(self, engine: Engine) -> None:
        self._pool = statement_pool(engine)

    def lines(
        self,
        call: Call,
        operation: str,
        ssin: str,
        day: date | None,
        *,
        dossier_type: str | None = None,
        bce: str | None = None,
        flow: str | None = None,
    ) -> Answer:
        """The lines of ``ssin`` (or its chain's end) containing ``day`` (default today in Brussels)."""
        rows = run(
            self._pool,
            _ROUTING,
            {"operation": operation, "username": call.username, "request_id": call.request_id, "ssin": ssin,
             "day": day, "dossier_type": dossier_type, "bce": bce, "flow": flow},
        )  # fmt: skip
        if rows and rows[0].outcome != "OK":
            return Answer(rows[0].outcome)
        return Answer(
            None,
            tuple(Line(r.ssin, r.bce, r.dossier_type, Period(r.first_day, r.last_day), r.allowed) for r in rows),
        )
