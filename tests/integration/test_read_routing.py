"""DATABASE_READ_URL: read-only operations read on the standby, audit on the primary, and fall back to the
primary when the standby cannot answer; a multi-host URL's connections follow the primary (adapters.primary)."""

from __future__ import annotations

import time
from datetime import date

import psycopg
import pytest
from sqlalchemy import text

from register.adapters import database, primary, reads
from register.adapters.registrations import Registrations
from register.config import Settings
from register.domain.calls import Call
from register.domain.periods import Period
from register.services.persons import PersonService


def _audited(engine, operation: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit WHERE operation = :o"), {"o": operation}).scalar_one()


@pytest.fixture
def caller(world):
    bce = world.tenant("A", "B")
    return Call(world.tenants.id_of(bce), "reader", "req-1")


@pytest.fixture
def standby():
    """Standby engines of a test (the primary's URL, or one nothing answers), disposed after it."""
    made = []

    def make(url: str):
        made.append(database.create(Settings.from_env({}), url, app_role=True, standby=True, pool_size=1))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


DOWN = "postgresql://nobody@127.0.0.1:1/raas"  # nothing listens on port 1


def test_reads_on_the_standby_and_audits_on_the_primary(engine, caller, database_url, standby):
    # the primary itself stands in for the standby: what matters is which pool runs what
    routed = reads.Reads(engine, standby(database_url))
    rows = Registrations(engine, routed).dossier_types(caller)
    assert rows == [("A", "Dossier type A"), ("B", "Dossier type B")]
    assert _audited(engine, "listDossierTypes") == 1


def test_a_standby_that_refuses_connections_sends_reads_to_the_primary_then_is_left_alone(engine, caller, standby):
    routed = reads.Reads(engine, standby(DOWN))
    registrations = Registrations(engine, routed)
    assert registrations.dossier_types(caller)[0][0] == "A"  # after at most the 1 s pool wait
    started = time.monotonic()
    for _ in range(5):
        assert registrations.dossier_types(caller)[0][0] == "A"
    assert time.monotonic() - started < 0.5  # the standby is not tried again within reads.RETRY
    assert _audited(engine, "listDossierTypes") == 6


def test_get_person_reads_on_the_standby_and_falls_back(engine, caller, world, database_url, standby):
    ssin = world.person()
    Registrations(engine).merge(caller, ssin, "A", Period(date(2024, 1, 1), None))
    for url in (database_url, DOWN):
        view = PersonService(engine, reads=reads.Reads(engine, standby(url))).get_person(caller, ssin)
        assert view.ssin == ssin
    assert _audited(engine, "getPerson") == 2


def test_a_connection_to_a_new_primary_shuts_those_to_the_old_one(database_url, monkeypatch):
    monkeypatch.setattr(primary, "_current", None)
    monkeypatch.setattr(primary, "_servers", primary.weakref.WeakKeyDictionary())
    info = database.conninfo(database_url)
    with psycopg.connect(info, autocommit=True) as old, psycopg.connect(info, autocommit=True) as new:
        primary.follow(old)
        primary._servers[old] = primary._current = ("192.0.2.1", 5432)  # as if it had reached another server
        primary.follow(new)
        with pytest.raises(psycopg.OperationalError):
            old.execute("SELECT 1")
        assert new.execute("SELECT 1").fetchone() == (1,)
        assert list(primary._servers) == [new]


def test_the_composition_root_builds_a_standby_only_when_database_read_url_is_set(engine, caller, database_url):
    from register import bootstrap

    assert not bootstrap.read_routing(Settings.from_env({}), engine).has_standby
    routed = bootstrap.read_routing(Settings.from_env({"DATABASE_READ_URL": database_url}), engine)
    try:
        assert routed.has_standby
        assert Registrations(engine, routed).dossier_types(caller)[0][0] == "A"
    finally:
        routed.standby_engine.dispose()
