"""The migrations build exactly the tables register/adapters/tables.py describes (warehouse's `alembic check`)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from register.adapters import schema
from register.adapters.tables import metadata

# Alembic reflects an index column's collation as the bare column: ix_registration_holders (ssin COLLATE "C",
# register/adapters/tables.py says why) shows as removed and added again. Its definition is checked below.
COLLATED_INDEXES = {"ix_registration_holders"}


def test_the_migrated_schema_matches_the_table_definitions(migrated_engine):
    with migrated_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    differences = [
        d for d in differences if not (d[0] in ("add_index", "remove_index") and d[1].name in COLLATED_INDEXES)
    ]
    assert differences == []


def test_the_collated_index_is_the_one_the_table_definitions_state(migrated_engine):
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    index = next(i for i in metadata.tables["registration"].indexes if i.name == "ix_registration_holders")
    stated = str(CreateIndex(index).compile(dialect=postgresql.dialect())).replace("CREATE INDEX", "")
    with migrated_engine.connect() as conn:
        found = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_registration_holders'")
        ).scalar()
    assert '(ssin COLLATE "C") INCLUDE (tenant_id, dossier_type, period)' in found

    def compact(definition: str) -> str:
        for noise in (" ", "USINGbtree", "public."):
            definition = definition.replace(noise, "")
        return definition.replace("((", "(").replace("))", ")")

    assert compact(stated.split(" ON ")[1]) in compact(found)


def test_the_database_is_at_the_head_revision_after_upgrade(migrated_engine):
    assert schema.current(migrated_engine) == schema.head()
    assert schema.is_current(migrated_engine)


def test_upgrading_twice_changes_nothing(migrated_engine):
    schema.upgrade(migrated_engine)
    assert schema.current(migrated_engine) == schema.head()
