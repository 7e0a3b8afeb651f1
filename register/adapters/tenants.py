"""Tenants, their dossier types and their SOAP credentials."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

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
        with self._engine.connect() as conn:
            row = conn.execute(
                select(client.c.tenant_id, tenant.c.bce, client.c.username, client.c.password_hash)
                .join(tenant, tenant.c.id == client.c.tenant_id)
                .where(client.c.username == username)
            ).first()
        return Credential(*row) if row else None
