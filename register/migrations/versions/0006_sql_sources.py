"""SQL sources: functions, triggers, policies and grants leave the migrations

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

From here on, what has a body (functions, the audit trigger, row-level security's
policies, the grants to raas_app) is current source in register/adapters/sql/*.sql,
applied after the last revision of every upgrade when its SHA-256 differs from the
one this table records (register.adapters.sql_source). Revisions 0001-0005 were
rewritten to make tables and data only; a database migrated before gets the same
objects from the sources, in the transaction that creates this table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sql_source",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sql_source")),
    )


def downgrade() -> None:
    # The sources' objects stay: they work on revision 0005's tables (code of that revision
    # finds the functions it expects). An upgrade applies every source again.
    op.drop_table("sql_source")
