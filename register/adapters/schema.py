"""Schema migrations (alembic, kept inside the package) and the SQL sources applied after them."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from register.adapters import locks, sql_source


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "register:migrations")
    return config


def upgrade(engine: Engine) -> None:
    """Migrate to the head revision, then apply the SQL sources that changed (register/migrations/env.py)."""
    config = _config()
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": locks.MIGRATION})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(engine: Engine) -> bool:
    """At the head revision, with this package's SQL sources applied (new code on stale functions is not current)."""
    with engine.connect() as conn:
        if MigrationContext.configure(conn).get_current_revision() != head():
            return False
        return sql_source.is_current(conn)
