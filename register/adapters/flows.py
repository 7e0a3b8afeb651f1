"""Network flows and authorizations as the operator manages them (`raas flow`, `raas authorization`).

The owner role, one transaction per command. The SOAP path reads flows and a
tenant's own authorizations through register.adapters.subscriptions (row-level
security); the batch checks an authorization through register.adapters.journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from register.domain.errors import AlreadyExists, NotFound
from register.domain.flows import NETWORK, Authorization, Flow

_AUTHORIZATION = """
SELECT t.bce, a.flow, a.reference, lower(a.validity) AS valid_from,
       CASE WHEN upper_inf(a.validity) THEN NULL ELSE upper(a.validity) - 1 END AS valid_to, a.dossier_types
FROM flow_authorization a JOIN tenant t ON t.id = a.tenant_id
"""


def _authorization(row) -> Authorization:
    types = tuple(row.dossier_types) if row.dossier_types is not None else None
    return Authorization(row.bce, row.flow, row.reference, row.valid_from, row.valid_to, types)


@dataclass(frozen=True)
class Revoked:
    ended: Authorization | None  # the authorization valid on the day, now ending the day before
    removed: tuple[Authorization, ...]  # those that would have started on or after the day


class Flows:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def define(self, code: str, label: str, payload_schema: str | None) -> bool:
        """A network flow, or its new label and schema; True when it is new."""
        with self._engine.begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO flow AS f (code, label, kind, payload_schema) VALUES (:c, :l, :k, :s)"
                    " ON CONFLICT (code) DO UPDATE SET label = excluded.label, payload_schema = excluded.payload_schema"
                    " WHERE f.kind = :k RETURNING (xmax = 0) AS created"
                ),
                {"c": code, "l": label, "k": NETWORK, "s": payload_schema},
            ).first()
        if row is None:
            raise AlreadyExists(f"{code} is a register flow: every tenant may take it, it cannot be defined")
        return row.created

    def all(self) -> list[Flow]:
        """Every flow, the register's first, then by code."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                text("SELECT code, label, kind, payload_schema FROM flow ORDER BY kind = 'NETWORK', code")
            )
            return [Flow(*row) for row in rows]

    def network_flow(self, code: str) -> Flow:
        """A defined network flow, or NotFound saying what the code is."""
        with self._engine.connect() as conn:
            row = conn.execute(
                text("SELECT code, label, kind, payload_schema FROM flow WHERE code = :c"), {"c": code}
            ).first()
        if row is None:
            raise NotFound(f"no network flow {code} is defined (raas flow define)")
        if row.kind != NETWORK:
            raise NotFound(f"{code} is a register flow, not a network flow: every tenant may take it")
        return Flow(*row)

    def grant(self, grant: Authorization) -> None:
        """Refused (AlreadyExists) when it overlaps an authorization of the same tenant and flow."""
        self.network_flow(grant.flow)
        with self._engine.begin() as conn:
            tenant_id = _tenant(conn, grant.bce)
            if grant.dossier_types:
                known = set(
                    conn.execute(
                        text("SELECT code FROM dossier_type WHERE tenant_id = :t AND code = ANY (:codes)"),
                        {"t": tenant_id, "codes": list(grant.dossier_types)},
                    ).scalars()
                )
                missing = [code for code in grant.dossier_types if code not in known]
                if missing:
                    raise NotFound(f"dossier type {missing[0]} is not defined for tenant {grant.bce}")
            overlapping = conn.execute(
                text(
                    f"{_AUTHORIZATION} WHERE a.tenant_id = :t AND a.flow = :f"
                    " AND a.validity && daterange(:start, :end, '[]') ORDER BY lower(a.validity) LIMIT 1"
                ),
                {"t": tenant_id, "f": grant.flow, "start": grant.valid_from, "end": grant.valid_to},
            ).first()
            if overlapping is not None:
                raise AlreadyExists(_overlap(_authorization(overlapping)))
            try:
                with conn.begin_nested():
                    conn.execute(
                        text(
                            "INSERT INTO flow_authorization (tenant_id, flow, reference, validity, dossier_types)"
                            " VALUES (:t, :f, :r, daterange(:start, :end, '[]'), :types)"
                        ),
                        {"t": tenant_id, "f": grant.flow, "r": grant.reference, "start": grant.valid_from,
                         "end": grant.valid_to, "types": list(grant.dossier_types) if grant.dossier_types else None},
                    )  # fmt: skip
            except IntegrityError:  # a concurrent grant won: the exclusion constraint decides
                raise AlreadyExists(f"an authorization of {grant.bce} for {grant.flow} overlaps that period") from None

    def revoke(self, bce: str, flow: str, day: date) -> Revoked:
        """From ``day`` on the tenant holds no authorization for the flow: the one valid on ``day`` ends the
        day before (removed when it starts on ``day``), later ones are removed. NotFound when none is left
        to revoke."""
        self.network_flow(flow)
        with self._engine.begin() as conn:
            tenant_id = _tenant(conn, bce)
            key = {"t": tenant_id, "f": flow, "day": day}
            ended = conn.execute(
                text(
                    "UPDATE flow_authorization SET validity = daterange(lower(validity), :day), revoked_at = now()"
                    " WHERE tenant_id = :t AND flow = :f AND validity @> CAST(:day AS date) AND lower(validity) < :day"
                    " RETURNING id"
                ),
                key,
            ).first()
            removed = conn.execute(
                text(
                    f"{_AUTHORIZATION} WHERE a.tenant_id = :t AND a.flow = :f AND lower(a.validity) >= :day"
                    " ORDER BY lower(a.validity)"
                ),
                key,
            ).all()
            conn.execute(
                text("DELETE FROM flow_authorization WHERE tenant_id = :t AND flow = :f AND lower(validity) >= :day"),
                key,
            )
            if ended is None and not removed:
                raise NotFound(f"{bce} holds no authorization for {flow} valid on or after {day}")
            now_ending = None
            if ended is not None:
                row = conn.execute(text(f"{_AUTHORIZATION} WHERE a.id = :id"), {"id": ended.id}).one()
                now_ending = _authorization(row)
        return Revoked(now_ending, tuple(_authorization(row) for row in removed))

    def authorizations(self, bce: str | None = None, flow: str | None = None) -> list[Authorization]:
        """By BCE, flow and start; NotFound for an unknown tenant."""
        with self._engine.connect() as conn:
            if bce is not None:
                _tenant(conn, bce)
            rows = conn.execute(
                text(
                    f"{_AUTHORIZATION} WHERE (CAST(:bce AS text) IS NULL OR t.bce = :bce)"
                    " AND (CAST(:flow AS text) IS NULL OR a.flow = :flow) ORDER BY t.bce, a.flow, lower(a.validity)"
                ),
                {"bce": bce, "flow": flow},
            )
            return [_authorization(row) for row in rows]


def _tenant(conn, bce: str) -> int:
    found = conn.execute(text("SELECT id FROM tenant WHERE bce = :bce"), {"bce": bce}).scalar()
    if found is None:
        raise NotFound(f"no tenant with BCE {bce}")
    return found


def _overlap(other: Authorization) -> str:
    until = other.valid_to.isoformat() if other.valid_to else "open-ended"
    return (
        f"{other.bce} already holds an authorization for {other.flow} that overlaps: {other.reference},"
        f" {other.valid_from} to {until}"
    )
