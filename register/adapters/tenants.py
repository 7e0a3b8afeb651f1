"""Tenants, their dossier types and their SOAP credentials.

Managed by the CLI as the owner role. The SOAP path only looks a credential
up, as the application role, through the SECURITY DEFINER function
raas_login (migration 0004): it has no tenant yet and the client table
stays closed to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from register.adapters import locks
from register.adapters.database import run, statement_pool
from register.adapters.tables import client, dossier_type, tenant
from register.domain.errors import AlreadyExists, NotFound


@dataclass(frozen=True, slots=True)
class Credential:
    tenant_id: int
    bce: str
    username: str
    password_hash: str


@dataclass(frozen=True, slots=True)
class Login:
    """What a login attempt needs to know, in one round trip."""

    credential: Credential | None  # None: no such username
    username_failures: int  # recent failed logins of this username
    retry_after: float  # > 0: the username or the address is throttled for so many more seconds


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
                # a username is a tenant's or the network's (register.adapters.network_clients), never both
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": locks.USERNAMES})
                if conn.execute(text("SELECT 1 FROM network_client WHERE username = :u"), {"u": username}).first():
                    raise AlreadyExists(f"username {username} is a network credential")
                conn.execute(insert(client).values(tenant_id=tenant_id, username=username, password_hash=password_hash))
        except IntegrityError:
            raise AlreadyExists(f"username {username} is taken") from None

    def rotate_client(self, bce: str, username: str, password_hash: str) -> None:
        tenant_id = self.id_of(bce)
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(client)
                .where(client.c.tenant_id == tenant_id, client.c.username == username)
                .values(password_hash=password_hash)
            ).rowcount
        if not changed:
            raise NotFound(f"no client {username} in tenant {bce}")

    def remove_client(self, bce: str, username: str) -> None:
        tenant_id = self.id_of(bce)
        with self._engine.begin() as conn:
            removed = conn.execute(
                delete(client).where(client.c.tenant_id == tenant_id, client.c.username == username)
            ).rowcount
        if not removed:
            raise NotFound(f"no client {username} in tenant {bce}")

    def login(self, username: str, address: str | None, limits: tuple[int, int, float]) -> Login:
        """The credential of ``username`` and its throttle state (limits: username, address, longest wait)."""
        (row,) = run(
            statement_pool(self._engine),
            "SELECT * FROM raas_login(%(username)s, %(address)s, %(ul)s, %(al)s, %(wait)s)",
            {"username": username, "address": address, "ul": limits[0], "al": limits[1], "wait": limits[2]},
        )
        found = Credential(row.tenant_id, row.bce, row.username, row.password_hash) if row.tenant_id else None
        return Login(found, row.username_failures, row.retry_after)

    def login_failed(self, username: str, address: str | None) -> None:
        run(statement_pool(self._engine), "SELECT raas_login_failed(%(u)s, %(a)s)", {"u": username, "a": address})

    def login_succeeded(self, username: str) -> None:
        run(statement_pool(self._engine), "SELECT raas_login_succeeded(%(u)s)", {"u": username})

    def credentials_version(self):
        """Changes whenever any credential is added, rotated or removed."""
        return run(statement_pool(self._engine), "SELECT raas_credentials_version() AS v", {})[0].v
