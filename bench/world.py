"""The world a benchmark measures in: a database with the schema, a tenant, a client, persons.

The benchmarks call the service's own code through this module (its modules are imported
at the top) and postgres.py (the embedded server). The only others that import the service:
envelopes.py (its XML namespaces), servers.py (its server and SOAP protocol, run as
servers), batch_ceiling.py (the batch's writer, measured as the batch's ceiling) and
search_population.py / search_queries.py / search_scoring.py (pure domain values:
SSIN check digits, names, dates, birth windows). A module moved inside the service is one
import to change in one of these.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import Engine, make_url, text

from bench.postgres import start_postgres, stop_postgres
from register.adapters import database, schema
from register.adapters.tenants import Tenants
from register.config import Settings
from register.services.auth import hash_password, new_password
from register.services.demo import DOSSIER_TYPES, load_demo, synthetic_persons
from register.services.search import PersonSearch
from register.services.source_import import import_persons

BCE = "0123456749"  # the benchmarks' tenant
TENANT_NAME = "RaaS bench"
USERNAME = "bench"  # its client


# ---------------------------------------------------------------------------------------------
# A database


def open_engine(url: str, pool_size: int) -> Engine:
    """A SQLAlchemy engine on ``url`` (postgresql:// or postgresql+psycopg://), as the owner role."""
    return database.create(Settings.from_env({}), database.sqlalchemy_url(url), pool_size=pool_size)


def migrate(engine: Engine) -> None:
    """The schema, built by the service's migrations."""
    schema.upgrade(engine)


def load_demo_data(engine: Engine, persons: int) -> None:
    """`raas demo`'s data: ``persons`` synthetic persons, the demo tenant, its dossier types and client."""
    load_demo(engine, persons)


def explain_search(
    home: Path, last_name: str, first_name: str | None, birth_date: str | None, tolerance: int, gender: str | None
) -> str:
    """The plan (EXPLAIN ANALYZE) of a phonetic search's candidates in the embedded database under ``home``."""
    engine = open_engine(start_postgres(home), pool_size=1)
    try:
        return PersonSearch(engine).explain(last_name, first_name, birth_date, tolerance, gender, analyze=True)
    finally:
        engine.dispose()


def _fresh_database(url: str) -> tuple[str, Callable[[], None]]:
    """A new database on the server of ``url``, and the function that drops it."""
    parsed = make_url(url)
    name = f"raas_bench_{uuid.uuid4().hex[:12]}"
    admin = database.conninfo(parsed)  # every host of a multi-host URL (a replicated cluster)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    return parsed.set(database=name).render_as_string(hide_password=False), drop


def same_database(url: str, other: str) -> str:
    """``url`` (e.g. DATABASE_READ_URL) naming the database of ``other`` (the one made for the run)."""
    return (
        make_url(database.sqlalchemy_url(url))
        .set(database=make_url(other).database)
        .render_as_string(hide_password=False)
    )


# ---------------------------------------------------------------------------------------------
# The world of bench.register: one tenant, its client, persons


@dataclass
class World:
    home: Path
    url: str
    engine: Engine
    password: str
    dossier_types: list[str]
    persons: list[tuple]  # person_row tuples: ssin, kind, last_name, first_name, birth_date, gender, ...
    postgres_version: str
    drop: Callable[[], None] | None = None  # an external server: drops the database made for the run
    timings: dict = field(default_factory=dict)

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def registration_lines(self) -> int:
        return self.scalar("SELECT count(*) FROM registration")

    def audited_ok(self, operation: str) -> int:
        """Calls of ``operation`` the server audited as answered OK."""
        return self.scalar("SELECT count(*) FROM audit WHERE operation = :op AND outcome = 'OK'", op=operation)

    def postmaster_pid(self) -> int | None:
        """The embedded server's postmaster (None for an external server, unless RAAS_BENCH_POSTMASTER_PID names it)."""
        if os.environ.get("RAAS_BENCH_POSTMASTER_PID"):  # an external server's primary, to count its CPU
            return int(os.environ["RAAS_BENCH_POSTMASTER_PID"])
        pid_file = self.home / "postgres" / "data" / "postmaster.pid"
        if self.drop or not pid_file.exists():
            return None
        return int(pid_file.read_text().split()[0])


def build_world(home: Path, persons: int) -> World:
    """A database (embedded under ``home``, or a fresh one on RAAS_BENCH_DATABASE_URL / DATABASE_URL),
    migrated, with one tenant of four dossier types, one client and ``persons`` synthetic persons."""
    timings = {}
    started = time.monotonic()
    external = os.environ.get("RAAS_BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    drop = None
    if external:
        url, drop = _fresh_database(database.sqlalchemy_url(external))
    else:
        url = start_postgres(home)
    engine = None
    try:
        engine = database.create(Settings.from_env({"RAAS_HOME": str(home)}), url, pool_size=2)
        migrate(engine)
        timings["database_s"] = time.monotonic() - started

        started = time.monotonic()
        tenants = Tenants(engine)
        tenants.create(BCE, TENANT_NAME)
        for code, label in DOSSIER_TYPES.items():
            tenants.add_dossier_type(BCE, code, label)
        password = new_password()
        tenants.add_client(BCE, USERNAME, hash_password(password))
        rows = list(synthetic_persons(persons))
        import_persons(engine, rows)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            version = conn.execute(text("SHOW server_version")).scalar()
        timings["data_s"] = time.monotonic() - started
    except BaseException:
        if engine is not None:
            engine.dispose()
        if drop:
            drop()
        raise
    # the plans key on persons: their rows without the list-valued search keys (register.domain.phonetic)
    hashable = [tuple(tuple(v) if isinstance(v, list) else v for v in p) for p in rows]
    return World(home, url, engine, password, list(DOSSIER_TYPES), hashable, version, drop, timings)


def tear_down(world: World | None, home: Path) -> None:
    """The engine closed, a database made for the run dropped, the embedded server stopped, home removed."""
    if world is not None:
        world.engine.dispose()
        if world.drop:
            world.drop()
    if (home / "postgres" / "data").exists():  # the embedded server
        stop_postgres(home)
    shutil.rmtree(home, ignore_errors=True)
