"""A data subject's access request (`raas audit subject`): a person's lines in every tenant and every
audited call that involved them, read as the owner role (across tenants).

The calls are found by the SSINs each audit row lists, without an index on
them (one would cost every call an index write): a scan of the audit table,
which an operator's rare request can afford (monthly partitions keep it
bounded, docs/OPERATIONS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, text

# The ssin and every ssin of its replacement chain, both ways (what it replaced, what replaced it).
_CHAIN = """
WITH RECURSIVE chain (ssin) AS (
    SELECT CAST(:ssin AS text)
  UNION
    SELECT next.ssin FROM chain c, LATERAL (
        SELECT p.replaced_by::text AS ssin FROM person p WHERE p.ssin = c.ssin AND p.replaced_by IS NOT NULL
        UNION ALL
        SELECT p.ssin::text FROM person p WHERE p.replaced_by = c.ssin
    ) next
)
SELECT ssin FROM chain ORDER BY ssin
"""
_LINES = """
SELECT t.bce, r.ssin, r.dossier_type, lower(r.period) AS start_date, upper(r.period) - 1 AS end_date
FROM registration r JOIN tenant t ON t.id = r.tenant_id
WHERE r.ssin = ANY(CAST(:ssins AS text[]))
ORDER BY lower(r.period), t.bce, r.ssin, r.dossier_type
"""
_CALLS = """
SELECT a.at, t.bce, a.username, a.operation, a.outcome, a.ssins, a.request_id
FROM audit a LEFT JOIN tenant t ON t.id = a.tenant_id
WHERE a.ssins && CAST(:ssins AS varchar(11)[])
ORDER BY a.at, a.id
"""


@dataclass(frozen=True, slots=True)
class Line:
    bce: str
    ssin: str
    dossier_type: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True, slots=True)
class CallMade:
    at: datetime
    bce: str | None  # None: a caller not authenticated
    username: str | None
    operation: str
    outcome: str
    ssins: list[str]
    request_id: str | None


def chain(engine: Engine, ssin: str) -> list[str]:
    with engine.connect() as conn:
        return [row.ssin for row in conn.execute(text(_CHAIN), {"ssin": ssin})]


def lines(engine: Engine, ssins: list[str]) -> list[Line]:
    with engine.connect() as conn:
        return [Line(*row) for row in conn.execute(text(_LINES), {"ssins": ssins})]


def calls(engine: Engine, ssins: list[str]) -> list[CallMade]:
    with engine.connect() as conn:
        return [CallMade(*row) for row in conn.execute(text(_CALLS), {"ssins": ssins})]
