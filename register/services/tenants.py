"""The operator's use cases on tenants: create them, give them dossier types and SOAP credentials.

Passwords are stored as argon2id hashes only (register.services.auth); a
removed or rotated credential stops working within about a second in every
worker (the workers ask for the credentials' version once a second).
"""

from __future__ import annotations

from sqlalchemy import Engine

from register.adapters.tenants import Tenants
from register.services.auth import hash_password


class TenantAdmin:
    def __init__(self, engine: Engine) -> None:
        self._tenants = Tenants(engine)

    def create(self, bce: str, name: str) -> None:
        self._tenants.create(bce, name)

    def add_dossier_type(self, bce: str, code: str, label: str) -> None:
        self._tenants.add_dossier_type(bce, code, label)

    def add_client(self, bce: str, username: str, password: str) -> None:
        self._tenants.add_client(bce, username, hash_password(password))

    def rotate_client(self, bce: str, username: str, password: str) -> None:
        self._tenants.rotate_client(bce, username, hash_password(password))

    def remove_client(self, bce: str, username: str) -> None:
        self._tenants.remove_client(bce, username)
