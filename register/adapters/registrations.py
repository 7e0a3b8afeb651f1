"""The register's lines in PostgreSQL.

Writes call the plpgsql functions of the migrations: one statement, so one
round trip, run in autocommit (the statement is the transaction) on the
statement pool (register.adapters.database.statement_pool), prepared by
psycopg after a few uses. Reads that are audited put the audit insert in the
same statement. Every statement of a caller runs as the application role with
the caller's tenant set (register.adapters.database.run): row-level security
hides every other tenant's rows, whatever a statement's own filter says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from register.adapters.database import run, statement_pool
from register.adapters.reads import Reads
from register.adapters.tenancy import AS_TENANT
from register.domain.calls import Call
from register.domain.periods import Period
from register.domain.registration import Registered, Registration, Unregistered


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a write function answered when it refused: the contract's reason and its facts."""

    reason: str | None  # None: no refusal
    info: tuple[str, ...] = ()


def _outcome(row) -> Outcome:
    return Outcome(None if row.outcome == "OK" else row.outcome, tuple(row.info or ()))


# The writes set their tenant themselves (tenancy.AS_TENANT): one plain statement, no pipeline.
_REGISTER = (
    f"SELECT r.* FROM {AS_TENANT}, LATERAL raas_register(tenant.id::int, %(username)s, %(request_id)s, %(ssin)s, %(dossier_type)s,"
    " daterange(%(start)s, %(end)s, '[]'), %(last_name_key)s, %(first_name_key)s, %(birth_date)s, %(gender)s) r"
)
_UNREGISTER = (
    f"SELECT r.* FROM {AS_TENANT}, LATERAL raas_unregister(tenant.id::int, %(username)s, %(request_id)s, %(ssin)s, %(dossier_type)s,"
    " CASE WHEN %(whole)s::boolean THEN NULL ELSE daterange(%(start)s, %(end)s, '[]') END) r"
)
_REFUSAL = "SELECT reason, info FROM raas_person_refusal(%(ssin)s, %(allow_canceled)s)"
# Read-only: audited by register.adapters.reads (on the standby when there is one, else one statement)
_DOSSIER_TYPES = "SELECT code, label FROM dossier_type WHERE tenant_id = %(tenant)s ORDER BY code"
_FIND = (
    "SELECT ssin, dossier_type, lower(period) AS first_day, upper(period) - 1 AS last_day"
    " FROM registration WHERE {where}"
    " ORDER BY ssin, dossier_type, lower(period) LIMIT %(limit)s"
)


class Registrations:
    def __init__(self, engine: Engine, reads: Reads | None = None) -> None:
        self._pool = statement_pool(engine)
        self._reads = reads or Reads(engine)

    def _all(self, statement: str, params: dict, tenant: int | None = None) -> list:
        return run(self._pool, statement, params, tenant)

    def _one(self, statement: str, params: dict, tenant: int | None = None):
        (row,) = self._all(statement, params, tenant)
        return row

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
    ) -> Outcome | Registered:
        row = self._one(
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
        )
        if row.outcome != "OK":
            return _outcome(row)
        line = Registration(ssin, dossier_type, Period(row.line_start, row.line_end))
        return Registered(line, row.merged_count, row.changed)

    def remove(self, call: Call, ssin: str, dossier_type: str, period: Period | None) -> Outcome | Unregistered:
        row = self._one(
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
        )
        if row.outcome != "OK":
            return _outcome(row)
        return Unregistered(
            row.deleted_count, row.changed_count, tuple(map(Period, row.remaining_starts, row.remaining_ends))
        )

    def person_refusal(self, ssin: str, *, allow_canceled: bool = False) -> Outcome:
        """Why ``ssin`` cannot be used (Unknown/Replaced/Canceled), or Outcome(None)."""
        row = self._one(_REFUSAL, {"ssin": ssin, "allow_canceled": allow_canceled})
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
    ) -> list[Registration]:
        """The tenant's lines matching every filter given, in listing order, after the keyset ``after``."""
        where = ["tenant_id = %(tenant)s"]
        params: dict = {"tenant": call.tenant_id, "limit": limit}
        if ssin is not None:
            where.append("ssin = %(ssin)s")
            params["ssin"] = ssin
        if dossier_type is not None:
            where.append("dossier_type = %(dossier_type)s")
            params["dossier_type"] = dossier_type
        if period is not None:
            where.append("period && daterange(%(start)s, %(end)s, '[]')")
            params.update(start=period.start, end=period.end)
        if after is not None:
            where.append("(ssin, dossier_type, lower(period)) > (%(after_ssin)s, %(after_type)s, %(after_start)s)")
            params.update(after_ssin=after[0], after_type=after[1], after_start=after[2])
        statement = _FIND.format(where=" AND ".join(where))
        rows = self._reads.audited(call, "listRegistrations", [ssin] if ssin else None, statement, params)
        return [Registration(r.ssin, r.dossier_type, Period(r.first_day, r.last_day)) for r in rows]

    def dossier_types(self, call: Call) -> list[tuple[str, str]]:
        rows = self._reads.audited(call, "listDossierTypes", None, _DOSSIER_TYPES, {})
        return [(r.code, r.label) for r in rows]

    def instance_secret(self) -> bytes:
        return self._one("SELECT secret FROM instance_secret WHERE id = 1", {}).secret.encode()
