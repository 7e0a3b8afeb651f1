"""Engine and connections.

Every service call is one short transaction. Calls that need a single
statement run it in autocommit (the statement is its own transaction: one
round trip instead of BEGIN, statement, COMMIT); the others open a transaction
with ``engine.begin()``.
"""

from __future__ import annotations

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
