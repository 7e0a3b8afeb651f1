"""The register's lines in PostgreSQL.

Writes call the plpgsql functions of the migrations: one statement, so one
round trip, run in autocommit (the statement is the transaction). Reads that
are audited put the audit insert in the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, text

from register.domain.periods import Period


@dataclass(frozen=True, slots=True)
class Line:
    ssin: str
    dossier_type: str
    period: Period


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a write function answered: ``reason`` None when it was done."""

    reason: str | None
    info: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Merged:
    line: Period
    merged_count: int
    changed: bool


@dataclass(frozen=True, slots=True)
class Removed:
    deleted_count: int
    changed_count: int
    remaining: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class Call:
    """Who calls, and which request: every write and read is audited with it."""

    tenant_id: int | None
    username: str | None
    request_id: str | None


def _outcome(row) -> Outcome:
    return Outcome(None if row.outcome == "OK" else row.outcome, tuple(row.info or ()))


_REGISTER = text(
    "SELECT * FROM raas_register(:tenant, :username, :request_id, :ssin, :dossier_type,"
    " daterange(:start, :end, '[]'), :last_name_key, :first_name_key, :birth_date, :gender)"
)
_UNREGISTER = text(
    "SELECT * FROM raas_unregister(:tenant, :username, :request_id, :ssin, :dossier_type,"
    " CASE WHEN CAST(:whole AS boolean) THEN NULL ELSE daterange(:start, :end, '[]') END)"
)
_REFUSAL = text("SELECT reason, info FROM raas_person_refusal(:ssin, :allow_canceled)")
_DOSSIER_TYPES = text(
    "WITH audited AS (INSERT INTO audit (tenant_id, username, operation, outcome, request_id)"
    " VALUES (:tenant, :username, 'listDossierTypes', 'OK', :request_id))"
    " SELECT code, label FROM dossier_type WHERE tenant_id = :tenant ORDER BY code"
)


class Registrations:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    def merge(
        self,
        call: Call,
        ssin: str,
        dossier_type: str,
        period: Period,
        *,
        last_name_key: str | None = None,
        first_name_key: str | None = None,
        birth_date: str | None = None,
        gender: str | None = None,
    ) -> Outcome | Merged:
        with self._engine.connect() as conn:
            row = conn.execute(
                _REGISTER,
                {
                    "tenant": call.tenant_id,
                    "username": call.username,
                    "request_id": call.request_id,
                    "ssin": ssin,
                    "dossier_type": dossier_type,
                    "start": period.start,
                    "end": period.end,
                    "last_name_key": last_name_key,
                    "first_name_key": first_name_key,
                    "birth_date": birth_date,
                    "gender": gender,
                },
            ).one()
        if row.outcome != "OK":
            return _outcome(row)
        return Merged(Period(row.line_start, row.line_end), row.merged_count, row.changed)

    def remove(self, call: Call, ssin: str, dossier_type: str, period: Period | None) -> Outcome | Removed:
        with self._engine.connect() as conn:
            row = conn.execute(
                _UNREGISTER,
                {
                    "tenant": call.tenant_id,
                    "username": call.username,
                    "request_id": call.request_id,
                    "ssin": ssin,
                    "dossier_type": dossier_type,
                    "whole": period is None,
                    "start": period.start if period else None,
                    "end": period.end if period else None,
                },
            ).one()
        if row.outcome != "OK":
            return _outcome(row)
        return Removed(
            row.deleted_count, row.changed_count, tuple(map(Period, row.remaining_starts, row.remaining_ends))
        )

    def person_refusal(self, ssin: str, *, allow_canceled: bool = False) -> Outcome:
        """Why ``ssin`` cannot be used (Unknown/Replaced/Canceled), or Outcome(None)."""
        with self._engine.connect() as conn:
            row = conn.execute(_REFUSAL, {"ssin": ssin, "allow_canceled": allow_canceled}).one()
        return Outcome(row.reason, (row.info,) if row.info else ())

    def find(
        self,
        call: Call,
        *,
        ssin: str | None,
        dossier_type: str | None,
        period: Period | None,
        after: tuple[str, str, date] | None,
        limit: int,
    ) -> list[Line]:
        """The tenant's lines matching every filter given, in listing order, after the keyset ``after``."""
        where = ["tenant_id = :tenant"]
        params: dict = {
            "tenant": call.tenant_id,
            "username": call.username,
            "request_id": call.request_id,
            "ssins": [ssin] if ssin else None,
            "limit": limit,
        }
        if ssin is not None:
            where.append("ssin = :ssin")
            params["ssin"] = ssin
        if dossier_type is not None:
            where.append("dossier_type = :dossier_type")
            params["dossier_type"] = dossier_type
        if period is not None:
            where.append("period && daterange(:start, :end, '[]')")
            params.update(start=period.start, end=period.end)
        if after is not None:
            where.append("(ssin, dossier_type, lower(period)) > (:after_ssin, :after_type, :after_start)")
            params.update(after_ssin=after[0], after_type=after[1], after_start=after[2])
        statement = text(
            "WITH audited AS (INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)"
            " VALUES (:tenant, :username, 'listRegistrations', :ssins, 'OK', :request_id))"
            f" SELECT ssin, dossier_type, lower(period) AS first_day, upper(period) - 1 AS last_day"
            f" FROM registration WHERE {' AND '.join(where)}"
            " ORDER BY ssin, dossier_type, lower(period) LIMIT :limit"
        )
        with self._engine.connect() as conn:
            rows = conn.execute(statement, params).all()
        return [Line(r.ssin, r.dossier_type, Period(r.first_day, r.last_day)) for r in rows]

    def dossier_types(self, call: Call) -> list[tuple[str, str]]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                _DOSSIER_TYPES,
                {"tenant": call.tenant_id, "username": call.username, "request_id": call.request_id},
            ).all()
        return [(r.code, r.label) for r in rows]

    def instance_secret(self) -> bytes:
        with self._engine.connect() as conn:
            return conn.execute(text("SELECT secret FROM instance_secret WHERE id = 1")).scalar_one().encode()
