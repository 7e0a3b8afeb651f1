"""Tenants, their dossier types and their SOAP credentials.

Managed by the CLI as the owner role. The SOAP path only looks a credential
up, as the application role, through the SECURITY DEFINER function
raas_credential (migration 0004): it has no tenant yet and the client table
stays closed to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from register.adapters.database import run, statement_pool
from register.adapters.tables import client, dossier_type, tenant


@dataclass(frozen=True, slots=True)
class Credential:
    tenant_id: int
    bce: str
    username: str
    password_hash: str


class AlreadyExists(Exception):
    pass


class NotFound(Exception):
    pass


class Tenants:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, bce: str, name: str) -> int:
        try:
            with self._engine.begin() as conn:
                return conn.execute(insert(tenant).values(bce=bce, name=name).returning(tenant.c.id)).scalar_one()
        except IntegrityError:
            raise AlreadyExists(f"a tenant with BCE {bce} exists already") from None

    def id_of(self, bce: str) -> int:
        with self._engine.connect() as conn:
            found = conn.execute(select(tenant.c.id).where(tenant.c.bce == bce)).scalar()
        if found is None:
            raise NotFound(f"no tenant with BCE {bce}")
        return found

    def add_dossier_type(self, bce: str, code: str, label: str) -> None:
        tenant_id = self.id_of(bce)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(dossier_type).values(tenant_id=tenant_id, code=code, label=label))
        except IntegrityError:
            raise AlreadyExists(f"dossier type {code} exists already for {bce}") from None

    def add_client(self, bce: str, username: str, password_hash: str) -> None:
        tenant_id = self.id_of(bce)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(client).values(tenant_id=tenant_id, username=username, password_hash=password_hash))
        except IntegrityError:
            raise AlreadyExists(f"username {username} is taken") from None

    def credential(self, username: str) -> Credential | None:
        """The credential of ``username`` (exactly), as the SOAP path sees it."""
        rows = run(
            statement_pool(self._engine),
            "SELECT tenant_id, bce, username, password_hash FROM raas_credential(%(username)s)",
            {"username": username},
        )
        return Credential(*rows[0]) if rows and rows[0].tenant_id is not None else None
