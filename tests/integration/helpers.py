"""Helpers shared by the integration tests (no fixtures here: see conftest.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from register.domain.periods import Period


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def p(start: str, end: str | None = None) -> Period:
    return Period(d(start), d(end) if end else None)


def stored_periods(engine, tenant_id: int, ssin: str, dossier_type: str) -> list[Period]:
    """The lines stored for one key, read straight from the table, ordered by start."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT lower(period) AS first_day, upper(period) - 1 AS last_day FROM registration"
                " WHERE tenant_id = :t AND ssin = :s AND dossier_type = :dt ORDER BY lower(period)"
            ),
            {"t": tenant_id, "s": ssin, "dt": dossier_type},
        ).all()
    return [Period(r.first_day, r.last_day) for r in rows]


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of the tables a register call could write, to compare before and after a refusal."""
    queries = {
        "registration": "SELECT tenant_id, ssin, dossier_type, period::text FROM registration ORDER BY id",
        "audit": "SELECT id, tenant_id, operation, ssins, outcome, request_id FROM audit ORDER BY id",
        "person": "SELECT ssin, status, replaced_by, last_name, first_name, birth_date, gender FROM person ORDER BY ssin",
    }
    with engine.connect() as conn:
        return {table: [tuple(r) for r in conn.execute(text(q))] for table, q in queries.items()}


def audit_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id, tenant_id, username, operation, ssins, outcome, request_id FROM audit ORDER BY id")
        ).all()
