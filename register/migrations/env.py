"""Alembic environment: run by `raas db upgrade` (register.adapters.schema)."""

from alembic import context

from register.adapters.tables import metadata

connectable = context.config.attributes["connection"]
context.configure(connection=connectable, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
