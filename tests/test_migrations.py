"""The migrations build exactly the tables register/adapters/tables.py describes (warehouse's `alembic check`)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from register.adapters import schema
from register.adapters.tables import metadata


def test_the_migrated_schema_matches_the_table_definitions(migrated_engine):
    with migrated_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert differences == []


def test_the_database_is_at_the_head_revision_after_upgrade(migrated_engine):
    assert schema.current(migrated_engine) == schema.head()
    assert schema.is_current(migrated_engine)


def test_upgrading_twice_changes_nothing(migrated_engine):
    schema.upgrade(migrated_engine)
    assert schema.current(migrated_engine) == schema.head()
