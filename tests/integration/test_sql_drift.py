"""The migrations and the SQL sources describe one database (procrastinate's schema test).

A database built from the source alone (extensions, the application role, the tables of
tables.py, then every file of register/adapters/sql) must equal the one the migrations built:
every function, trigger, policy, row-level security flag and grant (tests/integration/catalog.py).
A function that a migration creates and no source file states, or a source edited without
its migration where one is needed, fails here.
"""

from __future__ import annotations

import re

import pytest
from alembic import command
from sqlalchemy import Engine, text

from register.adapters import schema, sql_source
from register.adapters.tables import metadata
from tests.integration import catalog
from tests.integration.scratch import scratch_database

# What the migrations make besides tables.py's tables and the sources. An extension or a role
# setting a migration adds shows up below as a difference until it is added here too.
EXTENSIONS = ("btree_gist", "fuzzystrmatch")
APP_ROLE = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'raas_app') THEN
    CREATE ROLE raas_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$
"""
ALEMBIC_VERSION = (
    "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,"
    " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)


def build_from_source(engine: Engine) -> None:
    with engine.begin() as conn:
        for extension in EXTENSIONS:
            conn.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        conn.exec_driver_sql(APP_ROLE)
        conn.exec_driver_sql(ALEMBIC_VERSION)
        metadata.create_all(conn)
        for source in sql_source.sources():
            conn.execution_options(no_parameters=True).exec_driver_sql(source.text)


@pytest.fixture(scope="module")
def from_source(migrated_engine) -> dict:
    with scratch_database(migrated_engine, "raas_from_source") as engine:
        build_from_source(engine)
        with engine.connect() as conn:
            return catalog.snapshot(conn)


@pytest.fixture
def migrated(migrated_engine) -> dict:
    with migrated_engine.connect() as conn:
        return catalog.snapshot(conn)


def test_the_migrated_database_equals_the_one_built_from_the_sql_sources(migrated, from_source):
    assert migrated["functions"], "the catalogue query found no function at all"
    difference = catalog.differences(migrated, from_source)
    assert not difference, "the migrations and register/adapters/sql disagree:\n" + difference


def test_every_function_of_the_migrated_database_is_stated_in_a_source_file(migrated):
    stated = {
        name.lower()
        for source in sql_source.sources()
        for name in re.findall(r"CREATE OR REPLACE FUNCTION\s+(\w+)\s*\(", source.text, re.IGNORECASE)
    }
    unstated = sorted(f for f in migrated["functions"] if f.split("(")[0] not in stated)
    assert unstated == [], f"functions made by a migration and stated in no register/adapters/sql file: {unstated}"


def test_downgrading_to_base_then_upgrading_again_builds_the_same_database(migrated_engine, migrated):
    with scratch_database(migrated_engine, "raas_round_trip") as engine:
        schema.upgrade(engine)
        config = schema._config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with engine.connect() as conn:
            left = catalog.snapshot(conn)
            tables = conn.execute(
                text("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
            ).scalars()
            assert sorted(tables) == ["alembic_version"]
        assert left["functions"] == {} and left["policies"] == {} and left["triggers"] == {}
        schema.upgrade(engine)
        with engine.connect() as conn:
            again = catalog.snapshot(conn)
        assert schema.is_current(engine)
    difference = catalog.differences(migrated, again)
    assert not difference, "after a round trip to base:\n" + difference
