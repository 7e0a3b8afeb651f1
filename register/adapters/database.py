"""Engine and connections.

Every service call is one short transaction. The SOAP path's calls are single
statements run in autocommit on a psycopg pool (the statement is its own
transaction: one round trip instead of BEGIN, statement, COMMIT); everything
else (CLI, imports, migrations) uses SQLAlchemy with ``engine.begin()``.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import namedtuple_row
from psycopg_pool import ConnectionPool
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from register.adapters import primary
from register.adapters.tenancy import APP_ROLE, SET_TENANT
from register.config import Settings

# libpq startup option: every connection of the SOAP path is the application role from its first
# statement (row-level security applies; the owner role the URL names is not used by any call).
# No call waits on the database for ever (a lock held elsewhere, a runaway query): it ends as
# Server.Unavailable well before gunicorn's 30 s worker timeout.
STATEMENT_TIMEOUT = "10s"
AS_APP_ROLE = f"-c role={APP_ROLE} -c statement_timeout={STATEMENT_TIMEOUT}"


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return sqlalchemy_url(settings.database_url)
    from register.adapters.embedded import ensure_server

    return ensure_server(settings.home)


def sqlalchemy_url(url: str) -> str:
    """Accept libpq-style postgresql:// URLs and use psycopg 3 for them.

    A libpq multi-host URL (``postgresql://u:p@h1:5432,h2:5432/raas?target_session_attrs=read-write``,
    every node of a replicated cluster) becomes SQLAlchemy's spelling of it, one ``host`` parameter
    per node; libpq then connects to the first node that answers as asked (the primary)."""
    parsed = make_url(_hosts_as_parameters(url))
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise SystemExit(f"DATABASE_URL must be a postgresql:// URL, not {parsed.drivername}://")
    return parsed.render_as_string(hide_password=False)


def _hosts_as_parameters(url: str) -> str:
    parts = urlsplit(url)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    if "," not in hosts:
        return url
    query = "&".join([*(f"host={host}" for host in hosts.split(",")), *([parts.query] if parts.query else [])])
    return urlunsplit((parts.scheme, f"{userinfo}@" if userinfo else "", parts.path, query, parts.fragment))


def conninfo(url: str | URL) -> str:
    """The libpq connection string of a SQLAlchemy URL, several hosts included (a URL's text would keep one)."""
    parsed = make_url(sqlalchemy_url(url) if isinstance(url, str) else url)
    _, params = PGDialect_psycopg().create_connect_args(parsed)
    params.pop("context", None)  # SQLAlchemy's adapters, not a libpq option
    return make_conninfo(**params)


def create(
    settings: Settings, url: str | None = None, *, app_role: bool = False, standby: bool = False, **options
) -> Engine:
    """SQLAlchemy engine; ``app_role``: its connections are APP_ROLE (the SOAP process), else the URL's role;
    ``standby``: a read-only one (DATABASE_READ_URL), else its connections follow the primary (adapters.primary)."""
    options.setdefault("pool_size", settings.db_pool_size)
    options.setdefault("max_overflow", 2)
    options.setdefault("pool_timeout", 5)  # then Server.Unavailable rather than a hung worker
    options.setdefault("pool_pre_ping", False)
    engine = create_engine(
        url or database_url(settings),
        connect_args={
            "connect_timeout": 5,
            "application_name": "raas",
            **({"options": AS_APP_ROLE} if app_role else {}),
        },
        **options,
    )
    if standby:
        _standbys.add(engine)
    elif _several_hosts(engine.url):
        event.listen(engine, "connect", lambda dbapi_connection, _: primary.follow(dbapi_connection))
    return engine


def _several_hosts(url: URL) -> bool:
    """A replicated cluster's URL (several hosts): its primary may move from one to another."""
    return "," in PGDialect_psycopg().create_connect_args(url)[1].get("host", "")


_standbys: weakref.WeakSet[Engine] = weakref.WeakSet()
_pools: dict[tuple[int, str, str], ConnectionPool] = {}
_pools_lock = threading.Lock()


@atexit.register
def close_pools() -> None:
    """Close this process's pools before the interpreter goes: a pool left open has threads that
    print tracebacks when the interpreter tears down under them (seen on Python 3.13)."""
    with _pools_lock:
        mine = [key for key in _pools if key[0] == os.getpid()]
        for key in mine:
            _pools.pop(key).close(timeout=1)


def statement_pool(engine: Engine, options: str = "") -> ConnectionPool:
    """Autocommit psycopg connections for the one-statement calls of the SOAP path.

    SQLAlchemy's statement and result layers cost more client CPU than the
    register's whole merge function (bench/register.py); here a call is a
    pooled connection, a prepared statement and a tuple. One pool per process
    and database (and server ``options``, e.g. ``-c enable_seqscan=off``),
    created after any fork (the key holds the pid). Its connections are
    APP_ROLE: they see a tenant's rows only once ``run`` has set that tenant.
    A standby engine's pool waits 1 s for a connection, not 5: its callers then read on the primary.
    """
    key = (os.getpid(), engine.url.render_as_string(hide_password=False), options)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = ConnectionPool(
                conninfo(engine.url),
                min_size=1,
                max_size=max(engine.pool.size(), 1),
                timeout=1 if engine in _standbys else 5,  # then Server.Unavailable rather than a hung worker
                configure=primary.follow if _several_hosts(engine.url) and engine not in _standbys else None,
                kwargs={
                    "autocommit": True,
                    "connect_timeout": 5,
                    "application_name": "raas",
                    "options": f"{AS_APP_ROLE} {options}".strip(),
                },
                name="raas-statements",
                open=False,
            )
            pool.open(wait=False)  # connect in the background: a worker boots while the database is down
            _pools[key] = pool
        return pool


def connect_owner(url: str, application_name: str) -> psycopg.Connection:
    """One autocommit connection as the URL's (owner) role, in the contract's time zone (Europe/Brussels):
    long work such as the nightly batch, whose run dates and times are Brussels ones."""
    return psycopg.connect(
        conninfo(url), autocommit=True, application_name=application_name, options="-c TimeZone=Europe/Brussels"
    )


def run(pool: ConnectionPool, statement: str, params: dict, tenant: int | None = None) -> list:
    """``statement``'s rows (named tuples), in one round trip, as ``tenant`` when given.

    The tenant is a transaction-local setting, and an autocommit statement is
    its own transaction: so the setting and the statement go in one pipeline,
    which the server runs as one implicit transaction up to its single Sync.
    Without a tenant the statement sees no tenant-owned row.
    """
    with pool.connection() as conn:
        cursor = conn.cursor(row_factory=namedtuple_row)
        if tenant is None:
            cursor.execute(statement, params)
        else:
            with conn.pipeline():
                conn.execute(SET_TENANT, {"tenant": tenant})
                cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description is not None else []
