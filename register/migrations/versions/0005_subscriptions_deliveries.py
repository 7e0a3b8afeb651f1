"""subscriptions and deliveries: the nightly files' cursor and record

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

A subscription (tenant, flow) carries its cursor: the journal's sequences up to
``delivered_through`` have been delivered to it (or predate it: a new
subscription starts at the journal's head, CONTRACT.md section 5). The batch
(the owner role) advances the cursor in the transaction that records the
delivery, after the data file and its voucher are in place (batch/). The SOAP
path (raas_app) subscribes, unsubscribes and reads its own deliveries: the
policies and grants that allow it, and raas_journal_head, are SQL sources since
revision 0006 (register/adapters/sql/tenancy.sql, journal.sql).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FLOWS = "flow IN ('SSIN_REPLACED', 'IDENTITY_CHANGED')"


def upgrade() -> None:
    op.create_table(
        "subscription",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("delivered_through", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(FLOWS, name=op.f("ck_subscription_flow")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_subscription_tenant_id")),
        sa.PrimaryKeyConstraint("tenant_id", "flow", name=op.f("pk_subscription")),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("voucher_name", sa.Text(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("first_sequence", sa.BigInteger(), nullable=True),
        sa.Column("last_sequence", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(FLOWS, name=op.f("ck_delivery_flow")),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_delivery_sha256_hex")),
        sa.CheckConstraint(
            "(record_count = 0) = (first_sequence IS NULL AND last_sequence IS NULL)",
            name=op.f("ck_delivery_sequence_range"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_delivery_tenant_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("tenant_id", "flow", "run_date", name=op.f("uq_delivery_tenant_id_flow_run_date")),
        sa.UniqueConstraint("tenant_id", "file_name", name=op.f("uq_delivery_tenant_id_file_name")),
    )
    op.create_index("ix_delivery_run_date", "delivery", ["run_date"])  # the retention purge


def downgrade() -> None:
    # the tables' policies and grants go with them
    op.execute("DROP FUNCTION IF EXISTS raas_journal_head()")
    op.drop_table("delivery")
    op.drop_table("subscription")
