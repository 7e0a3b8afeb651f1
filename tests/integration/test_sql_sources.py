"""The SQL sources' applier: a file runs again when its checksum changed, and only then; a database
with stale sources is not current; the sources say what register.adapters.locks and tenancy say."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from register.adapters import locks, schema, sql_source, tenancy
from tests.integration.scratch import scratch_database

ROOT = Path(__file__).resolve().parents[2]
SQL = ROOT / "register" / "adapters" / "sql"


@pytest.fixture
def upgraded(migrated_engine):
    """A database of its own, migrated to head (these tests change what the sources made)."""
    with scratch_database(migrated_engine, "raas_sources") as engine:
        schema.upgrade(engine)
        yield engine


def reach(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT raas_reach('[2020-01-10,2020-01-20]')::text")).scalar_one()


def test_an_upgrade_records_the_checksum_of_every_source_file(upgraded):
    with upgraded.connect() as conn:
        assert sql_source.recorded(conn) == sql_source.expected()
    assert sorted(sql_source.expected()) == sorted(p.name for p in SQL.glob("*.sql"))


def test_an_upgrade_runs_again_only_the_sources_whose_checksum_changed(upgraded):
    tampered = "CREATE OR REPLACE FUNCTION {} RETURNS daterange LANGUAGE sql AS $$ SELECT 'empty'::daterange $$"
    with upgraded.begin() as conn:
        conn.execute(text(tampered.format("raas_reach(p_period daterange)")))  # periods.sql: marked stale below
        conn.execute(text("UPDATE sql_source SET sha256 = 'stale' WHERE name = 'periods.sql'"))
        conn.execute(
            text("CREATE OR REPLACE FUNCTION raas_today() RETURNS date LANGUAGE sql AS $$ SELECT NULL::date $$")
        )
    assert not schema.is_current(upgraded)
    with upgraded.begin() as conn:
        assert sql_source.apply(conn) == ["periods.sql"]
    assert reach(upgraded) == "[2020-01-09,2020-01-22)"
    with upgraded.connect() as conn:
        assert conn.execute(text("SELECT raas_today()")).scalar_one() is None  # journal.sql did not run
    assert schema.is_current(upgraded)


def test_after_a_revision_every_source_runs_again_what_a_migration_dropped_comes_back(upgraded):
    with upgraded.begin() as conn:
        conn.execute(text("DROP POLICY registration_of_tenant ON registration"))  # as a rebuilt table would
        assert sql_source.apply(conn, every=True) == sorted(sql_source.expected())
        assert conn.execute(text("SELECT count(*) FROM pg_policies WHERE tablename = 'registration'")).scalar_one() == 1


def test_an_upgrade_asks_for_every_source_only_when_it_ran_a_revision(upgraded, monkeypatch):
    asked = []
    apply = sql_source.apply
    monkeypatch.setattr(sql_source, "apply", lambda conn, every=False: asked.append(every) or apply(conn, every=every))
    schema.upgrade(upgraded)
    config = schema._config()
    with upgraded.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    schema.upgrade(upgraded)
    assert asked == [False, True]
    assert schema.is_current(upgraded)


def test_a_database_whose_sources_differ_from_the_packages_is_not_current_until_upgraded(upgraded):
    assert schema.is_current(upgraded)
    with upgraded.begin() as conn:
        conn.execute(text("UPDATE sql_source SET sha256 = 'older' WHERE name = 'registrations.sql'"))
    assert not schema.is_current(upgraded)
    schema.upgrade(upgraded)
    assert schema.is_current(upgraded)


def test_the_record_of_a_file_no_longer_in_the_package_is_forgotten(upgraded):
    with upgraded.begin() as conn:
        conn.execute(text("INSERT INTO sql_source (name, sha256) VALUES ('gone.sql', 'x')"))
    assert not schema.is_current(upgraded)
    schema.upgrade(upgraded)
    with upgraded.connect() as conn:
        assert "gone.sql" not in sql_source.recorded(conn)


def test_a_failing_source_rolls_the_whole_upgrade_back(upgraded, monkeypatch):
    with upgraded.begin() as conn:
        conn.execute(text("UPDATE sql_source SET sha256 = 'stale'"))
    broken = sql_source.Source("zz_broken.sql", "SELECT no_such_function()", "0" * 64)
    packaged = sql_source.sources()
    monkeypatch.setattr(sql_source, "sources", lambda: (*packaged, broken))
    with pytest.raises(Exception, match="no_such_function"):
        schema.upgrade(upgraded)
    with upgraded.connect() as conn:
        assert set(sql_source.recorded(conn).values()) == {"stale"}


def test_the_journal_lock_in_sql_is_the_one_register_adapters_locks_lists():
    source = (SQL / "journal.sql").read_text()
    (number,) = re.findall(r"FUNCTION raas_journal_lock\(\).*?pg_advisory_xact_lock\((\d+)\)", source, re.DOTALL)
    assert int(number) == locks.JOURNAL


def test_every_fixed_lock_number_in_the_sql_sources_is_listed_in_locks():
    listed = {value for name, value in vars(locks).items() if name.isupper() and isinstance(value, int)}
    numbers = {
        int(n) for path in SQL.glob("*.sql") for n in re.findall(r"advisory_\w*lock\w*\((\d+)", path.read_text())
    }
    assert numbers and numbers <= listed


def test_the_policies_key_on_the_setting_and_role_the_code_uses():
    source = (SQL / "tenancy.sql").read_text()
    policies = re.findall(r"CREATE POLICY \w+ ON \w+ TO (\w+)\s+USING \((.*?)\)\s+WITH CHECK", source, re.DOTALL)
    assert len(policies) == 9  # flow_authorization (migration 0007) is the ninth tenant-owned table
    for role, using in policies:
        assert role == tenancy.APP_ROLE
        assert using.endswith(f"= {tenancy.CURRENT_TENANT}")


def test_the_sql_sources_ship_as_package_data():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["register"]
    for path in SQL.glob("*.sql"):
        relative = path.relative_to(ROOT / "register").as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in settings), relative
