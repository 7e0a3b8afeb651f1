"""/readyz's check: the database answers and its schema is at the code's migration head."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, text

from register.adapters import schema
from register.adapters.readiness import Readiness


def test_ready_when_the_schema_is_at_head(engine):
    assert Readiness(engine)() is True


def test_not_ready_while_the_schema_is_behind_the_code(engine):
    ready = Readiness(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        assert ready() is False
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": schema.head()})
    assert ready() is True


def test_not_ready_when_the_database_cannot_be_reached():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once the socket is closed
    unreachable = create_engine(f"postgresql+psycopg://raas@127.0.0.1:{port}/raas", connect_args={"connect_timeout": 2})
    assert Readiness(unreachable, head="0001")() is False


@pytest.mark.parametrize("probes", [50])
def test_a_probe_does_not_read_the_migration_scripts_again(engine, probes, monkeypatch):
    ready = Readiness(engine)
    assert ready()
    monkeypatch.setattr(schema, "head", lambda: pytest.fail("the head is read once per process"))
    assert all(ready() for _ in range(probes))
