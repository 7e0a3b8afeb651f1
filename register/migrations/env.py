"""Alembic environment: run by `raas db upgrade` (register.adapters.schema), which holds the migration lock.

The revisions make tables and move data. Once the database is at the head revision, the
SQL sources that changed (register.adapters.sql_source), or all of them when a revision
ran, are applied in the same transaction; a run that stops below head (a downgrade)
leaves them alone.
"""

from alembic import context

from register.adapters import sql_source
from register.adapters.tables import metadata

connectable = context.config.attributes["connection"]
context.configure(connection=connectable, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    before = set(context.get_context().get_current_heads())
    context.run_migrations()
    after = set(context.get_context().get_current_heads())
    if after == set(context.script.get_heads()):
        # after a revision, every source: the revision may have dropped what an unchanged one made
        sql_source.apply(connectable, every=after != before)
