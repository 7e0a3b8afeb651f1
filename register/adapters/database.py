"""Engine and connections.

Every service call is one short transaction. The SOAP path's calls are single
statements run in autocommit on a psycopg pool (the statement is its own
transaction: one round trip instead of BEGIN, statement, COMMIT); everything
else (CLI, imports, migrations) uses SQLAlchemy with ``engine.begin()``.
"""

from __future__ import annotations

import os
import threading

from psycopg_pool import ConnectionPool
from sqlalchemy import Engine, create_engine, make_url

from register.config import Settings


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return sqlalchemy_url(settings.database_url)
    from register.adapters.embedded import ensure_server

    return ensure_server(settings.home)


def sqlalchemy_url(url: str) -> str:
    """Accept libpq-style postgresql:// URLs and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise SystemExit(f"DATABASE_URL must be a postgresql:// URL, not {parsed.drivername}://")
    return parsed.render_as_string(hide_password=False)


def create(settings: Settings, url: str | None = None, **options) -> Engine:
    options.setdefault("pool_size", settings.db_pool_size)
    options.setdefault("max_overflow", 2)
    options.setdefault("pool_timeout", 5)  # then Server.Unavailable rather than a hung worker
    options.setdefault("pool_pre_ping", False)
    return create_engine(
        url or database_url(settings),
        connect_args={"connect_timeout": 5, "application_name": "raas"},
        **options,
    )


_pools: dict[tuple[int, str, str], ConnectionPool] = {}
_pools_lock = threading.Lock()


def statement_pool(engine: Engine, options: str = "") -> ConnectionPool:
    """Autocommit psycopg connections for the one-statement calls of the SOAP path.

    SQLAlchemy's statement and result layers cost more client CPU than the
    register's whole merge function (bench/register.py); here a call is a
    pooled connection, a prepared statement and a tuple. One pool per process
    and database (and server ``options``, e.g. ``-c enable_seqscan=off``),
    created after any fork (the key holds the pid).
    """
    key = (os.getpid(), engine.url.render_as_string(hide_password=False), options)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            pool = ConnectionPool(
                conninfo,
                min_size=1,
                max_size=max(engine.pool.size(), 1),
                timeout=5,  # then Server.Unavailable rather than a hung worker
                kwargs={"autocommit": True, "connect_timeout": 5, "application_name": "raas", "options": options},
                name="raas-statements",
                open=False,
            )
            pool.open(wait=False)  # connect in the background: a worker boots while the database is down
            _pools[key] = pool
        return pool
