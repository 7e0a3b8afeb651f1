"""/readyz's check: the database answers and its schema is at the code's migration head."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, text

from register.adapters import database, schema
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


def test_not_ready_while_the_sql_sources_applied_are_not_this_codes(engine):
    ready = Readiness(engine)
    assert ready() is True
    with engine.begin() as conn:
        applied = conn.execute(text("SELECT sha256 FROM sql_source WHERE name = 'periods.sql'")).scalar_one()
        conn.execute(text("UPDATE sql_source SET sha256 = 'older' WHERE name = 'periods.sql'"))
    try:
        assert ready() is False
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE sql_source SET sha256 = :s WHERE name = 'periods.sql'"), {"s": applied})
    assert ready() is True


def test_the_application_role_can_tell_it_is_ready(engine, settings):
    as_app = database.create(settings, engine.url.render_as_string(hide_password=False), app_role=True, pool_size=1)
    try:
        assert Readiness(as_app)() is True
    finally:
        as_app.dispose()


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
