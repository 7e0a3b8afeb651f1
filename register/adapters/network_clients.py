"""The network's credentials (`raas network add-client`): RoutingService's callers, apart from every tenant's.

Managed by the CLI as the owner role. The SOAP path looks one up, as the
application role, only through raas_network_login (register/adapters/sql/routing.sql);
failed logins are throttled with the tenants' own counters (raas_login_failed:
keyed by username and address). A username is either a tenant's or the
network's, never both (the `raas` commands refuse the second).
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from register.adapters import locks
from register.adapters.database import run, statement_pool
from register.adapters.tenants import Credential, Login
from register.domain.errors import AlreadyExists, NotFound


class NetworkClients:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, username: str, password_hash: str) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": locks.USERNAMES})  # no tenant takes it
                if conn.execute(text("SELECT 1 FROM client WHERE username = :u"), {"u": username}).first():
                    raise AlreadyExists(f"username {username} is a tenant's credential")
                conn.execute(
                    text("INSERT INTO network_client (username, password_hash) VALUES (:u, :h)"),
                    {"u": username, "h": password_hash},
                )
        except IntegrityError:
            raise AlreadyExists(f"username {username} is taken") from None

    def rotate(self, username: str, password_hash: str) -> None:
        with self._engine.begin() as conn:
            changed = conn.execute(
                text("UPDATE network_client SET password_hash = :h WHERE username = :u"),
                {"u": username, "h": password_hash},
            ).rowcount
        if not changed:
            raise NotFound(f"no network client {username}")

    def remove(self, username: str) -> None:
        with self._engine.begin() as conn:
            removed = conn.execute(text("DELETE FROM network_client WHERE username = :u"), {"u": username}).rowcount
        if not removed:
            raise NotFound(f"no network client {username}")

    def usernames(self) -> list[str]:
        with self._engine.connect() as conn:
            return list(conn.execute(text("SELECT username FROM network_client ORDER BY username")).scalars())

    # register.services.auth.Authenticator's side, as register.adapters.tenants.Tenants has it

    def login(self, username: str, address: str | None, limits: tuple[int, int, float]) -> Login:
        (row,) = run(
            statement_pool(self._engine),
            "SELECT * FROM raas_network_login(%(username)s, %(address)s, %(ul)s, %(al)s, %(wait)s)",
            {"username": username, "address": address, "ul": limits[0], "al": limits[1], "wait": limits[2]},
        )
        found = Credential(None, None, row.username, row.password_hash) if row.username else None
        return Login(found, row.username_failures, row.retry_after)

    def login_failed(self, username: str, address: str | None) -> None:
        run(statement_pool(self._engine), "SELECT raas_login_failed(%(u)s, %(a)s)", {"u": username, "a": address})

    def login_succeeded(self, username: str) -> None:
        run(statement_pool(self._engine), "SELECT raas_login_succeeded(%(u)s)", {"u": username})

    def credentials_version(self):
        return run(statement_pool(self._engine), "SELECT raas_network_credentials_version() AS v", {})[0].v
