"""The authentic source's persons in PostgreSQL, and the journal their changes feed.

Functions over a SQLAlchemy connection: the caller's transaction is the unit
of work (a feed file, a createBisNumber call), so a refusal anywhere rolls
back everything it did. Rows are built by ``register.domain.person_row``, the
one place that derives the stored keys from a person's names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.dialects.postgresql import insert

from register.adapters import locks, tenancy
from register.adapters.tables import person, registration
from register.domain.person import Address, Change, PersonIdentity
from register.domain.person_row import COLUMNS, person_row


@dataclass(frozen=True)
class StoredPerson:
    ssin: str
    kind: str  # NR | BIS
    status: str  # ACTIVE | REPLACED | CANCELED
    replaced_by: str | None  # the direct successor, as the source said
    identity: PersonIdentity
    birth_place: str | None = None


@dataclass(frozen=True)
class Replaced:
    target: str  # where the lines went: the end of the new SSIN's chain
    moved: int  # lines taken from the old SSIN
    notified: int  # tenants journaled


def as_tenant(conn: Connection, tenant_id: int) -> None:
    """Row-level security's tenant for the rest of this transaction (register.adapters.tenancy)."""
    conn.execute(text(f"SELECT set_config('{tenancy.SETTING}', :t, true)"), {"t": str(tenant_id)})


@contextmanager
def transaction(engine: Engine, tenant_id: int) -> Iterator[Connection]:
    """One call's transaction, as its tenant (row-level security); committed unless the block raises."""
    with engine.begin() as conn:
        as_tenant(conn, tenant_id)
        yield conn


def lock_feed(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": locks.SOURCE_FEED})


def get(conn: Connection, ssin: str, *, for_update: bool = False) -> StoredPerson | None:
    query = select(person).where(person.c.ssin == ssin)
    row = conn.execute(query.with_for_update() if for_update else query).mappings().first()
    if row is None:
        return None
    identity = PersonIdentity(
        row["last_name"],
        row["first_name"],
        row["birth_date"],
        row["gender"],
        row["nationality"],
        row["death_date"],
        Address.from_json(row["address"]),
    )
    return StoredPerson(row["ssin"], row["kind"], row["status"], row["replaced_by"], identity, row["birth_place"])


def _values(ssin: str, identity: PersonIdentity) -> dict:
    """The person's columns, keys included; raises RegisterError/ValueError on a bad identity."""
    row = person_row(
        ssin,
        identity.last_name,
        identity.first_name,
        identity.birth_date,
        identity.gender,
        identity.nationality,
        identity.death_date.isoformat() if identity.death_date else None,
    )
    values = dict(zip(COLUMNS, row, strict=True))
    values["address"] = identity.address.to_json() if identity.address else None
    return values


def insert_person(conn: Connection, ssin: str, identity: PersonIdentity, birth_place: str | None = None) -> bool:
    """Insert a new person; False (and nothing written) when the SSIN exists already."""
    values = _values(ssin, identity) | {"birth_place": birth_place}
    statement = insert(person).values(values).on_conflict_do_nothing(index_elements=["ssin"])
    return conn.execute(statement.returning(person.c.ssin)).first() is not None


def change_identity(conn: Connection, ssin: str, identity: PersonIdentity, changes: Sequence[Change]) -> int:
    """Store the new identity and journal its changes to each tenant concerned; returns the tenants journaled."""
    values = _values(ssin, identity)
    del values["ssin"], values["kind"]
    conn.execute(update(person).where(person.c.ssin == ssin).values({**values, "updated_at": text("now()")}))
    return journal_identity(conn, ssin, changes)


def journal_identity(conn: Connection, ssin: str, changes: Sequence[Change]) -> int:
    if not changes:
        return 0
    entries = [{k: v for k, v in change._asdict().items() if v is not None} for change in changes]
    return conn.execute(
        text("SELECT raas_journal_identity(:ssin, CAST(:changes AS jsonb))"),
        {"ssin": ssin, "changes": json.dumps(entries)},
    ).scalar_one()


def replace(conn: Connection, old: str, new: str) -> Replaced:
    row = conn.execute(text("SELECT * FROM raas_replace_ssin(:old, :new)"), {"old": old, "new": new}).one()
    return Replaced(row.target, row.moved, row.notified)


def unused(conn: Connection, numbers: Sequence[str]) -> list[str]:
    """Those of ``numbers`` that no person has, in their order (a unique key still decides races)."""
    rows = conn.execute(
        text(
            "SELECT n FROM unnest(CAST(:ns AS text[])) WITH ORDINALITY AS c(n, i)"
            " WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.ssin = c.n) ORDER BY i"
        ),
        {"ns": list(numbers)},
    )
    return list(rows.scalars())


def cancel(conn: Connection, ssin: str) -> None:
    conn.execute(update(person).where(person.c.ssin == ssin).values(status="CANCELED", updated_at=text("now()")))


def last_of_chain(conn: Connection, ssin: str) -> str:
    return conn.execute(text("SELECT raas_last_of_chain(:s)"), {"s": ssin}).scalar_one()


def in_register(conn: Connection, tenant_id: int, ssins: Sequence[str]) -> bool:
    """Whether the tenant has at least one line (of any period) on one of ``ssins``."""
    query = select(registration.c.id).where(registration.c.tenant_id == tenant_id, registration.c.ssin.in_(ssins))
    return conn.execute(query.limit(1)).first() is not None


def same_person(conn: Connection, last_name_key: str, first_name_key: str, birth_date: str) -> list[str]:
    """ACTIVE persons whose normalised names are equal (either way round) and birth date compatible."""
    rows = conn.execute(
        text(
            "SELECT ssin FROM person WHERE status = 'ACTIVE'"
            " AND ((last_name_key = :l AND first_name_key = :f) OR (last_name_key = :f AND first_name_key = :l))"
            " AND raas_birth_dates_match(birth_date, :b) ORDER BY ssin LIMIT 20"
        ),
        {"l": last_name_key, "f": first_name_key, "b": birth_date},
    )
    return [r.ssin for r in rows]
