"""Fixtures for the integration tests: the register's service over a real PostgreSQL.

Built on tests/conftest.py (``engine`` starts from empty tables, ``world`` makes
tenants, clients and persons).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from register.adapters.registrations import Registrations
from register.domain.calls import Call
from register.services.paging import PageTokens
from register.services.register import RegisterService


@dataclass(frozen=True)
class Tenant:
    bce: str
    id: int

    def call(self, request_id: str | None = None) -> Call:
        return Call(self.id, f"user-of-{self.bce}", request_id or f"req-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def registrations(engine) -> Registrations:
    return Registrations(engine)


@pytest.fixture
def service(registrations) -> RegisterService:
    return RegisterService(registrations, PageTokens(b"k" * 32))


@pytest.fixture
def make_tenant(world) -> Callable[..., Tenant]:
    def make(*dossier_types: str) -> Tenant:
        bce = world.tenant(*dossier_types)
        return Tenant(bce, world.tenants.id_of(bce))

    return make


@pytest.fixture
def tenant(make_tenant) -> Tenant:
    """A tenant with dossier types A and B."""
    return make_tenant("A", "B")


@pytest.fixture
def ours(make_tenant) -> Tenant:
    """Two tenants sharing the dossier type code SHARED (isolation tests)."""
    return make_tenant("SHARED", "OURS")


@pytest.fixture
def theirs(make_tenant) -> Tenant:
    return make_tenant("SHARED", "THEIRS")
