"""authentic source: addresses, birth places, the journal, SSIN replacement

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The journal holds, per tenant concerned, the facts the nightly files report
(CONTRACT.md section 6). Its writers take one transaction-level lock, so
sequence numbers are handed out in commit order: a reader that saw sequence n
committed has seen every smaller one too (the batch's cursor relies on it).

The functions that write the journal, replace an SSIN and take the person
lock are SQL sources since revision 0006 (register/adapters/sql/journal.sql,
persons.sql), applied after the last revision.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("address", postgresql.JSONB(), nullable=True))
    op.add_column("person", sa.Column("birth_place", sa.Text(), nullable=True))
    op.create_index("ix_registration_ssin", "registration", ["ssin"], unique=False)
    op.create_index("ix_person_name_keys", "person", ["last_name_key", "first_name_key"], unique=False)
    op.create_table(
        "journal",
        sa.Column("sequence", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("ssin", sa.String(length=11), nullable=False),
        sa.Column("new_ssin", sa.String(length=11), nullable=True),
        sa.Column("dossier_types", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("changes", postgresql.JSONB(), nullable=True),
        sa.Column("person", postgresql.JSONB(), nullable=True),
        sa.CheckConstraint(
            "(flow = 'SSIN_REPLACED' AND new_ssin IS NOT NULL AND cardinality(dossier_types) > 0"
            " AND changes IS NULL AND person IS NULL)"
            " OR (flow = 'IDENTITY_CHANGED' AND new_ssin IS NULL AND dossier_types IS NULL"
            " AND jsonb_array_length(changes) > 0 AND person IS NOT NULL)",
            name=op.f("ck_journal_flow_facts"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_journal_tenant_id")),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_journal")),
    )
    op.create_index("ix_journal_tenant_flow_sequence", "journal", ["tenant_id", "flow", "sequence"], unique=False)


def downgrade() -> None:
    # The SQL sources' functions that need the journal or the new columns go with them; the
    # register's own (raas_register, raas_person_lock...) stay: they work on revision 0001's tables.
    for signature in (
        "raas_replace_ssin(text, text)",
        "raas_journal_identity(text, jsonb)",
        "raas_person_json(person)",
        "raas_journal_lock()",
        "raas_today()",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.drop_index("ix_journal_tenant_flow_sequence", table_name="journal")
    op.drop_table("journal")
    op.drop_index("ix_registration_ssin", table_name="registration")
    op.drop_index("ix_person_name_keys", table_name="person")
    op.drop_column("person", "birth_place")
    op.drop_column("person", "address")
