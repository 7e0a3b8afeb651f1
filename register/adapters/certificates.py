"""Tenants' X.509 certificates (table client_certificate): added and removed by the operator, looked up by
the SOAP path through raas_certificate_login (register/adapters/sql/certificates.sql)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from register.adapters.database import run, statement_pool
from register.adapters.tables import client_certificate, tenant
from register.domain.errors import AlreadyExists, NotFound


@dataclass(frozen=True, slots=True)
class Registered:
    tenant_id: int
    bce: str


class Certificates:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def login(self, fingerprint: str) -> Registered | None:
        rows = run(statement_pool(self._engine), "SELECT * FROM raas_certificate_login(%(fp)s)", {"fp": fingerprint})
        return Registered(rows[0].tenant_id, rows[0].bce) if rows and rows[0].tenant_id else None

    def add(self, bce: str, fingerprint: str, subject: str, not_before: datetime, not_after: datetime) -> None:
        with self._engine.begin() as conn:
            tenant_id = conn.execute(select(tenant.c.id).where(tenant.c.bce == bce)).scalar()
            if tenant_id is None:
                raise NotFound(f"no tenant with BCE {bce}")
            try:
                conn.execute(
                    insert(client_certificate).values(
                        tenant_id=tenant_id, fingerprint=fingerprint, subject=subject,
                        not_before=not_before, not_after=not_after,
                    )
                )  # fmt: skip
            except IntegrityError:
                raise AlreadyExists(f"the certificate (SHA-256 {fingerprint}) is registered already") from None

    def remove(self, bce: str, fingerprint: str) -> None:
        with self._engine.begin() as conn:
            removed = conn.execute(
                delete(client_certificate).where(
                    client_certificate.c.fingerprint == fingerprint,
                    client_certificate.c.tenant_id == select(tenant.c.id).where(tenant.c.bce == bce).scalar_subquery(),
                )
            ).rowcount
        if not removed:
            raise NotFound(f"no certificate with SHA-256 {fingerprint} for tenant {bce}")
