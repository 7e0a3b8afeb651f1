"""trust: certificates of tenants, the search quota's buckets, the audit's seals

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Tables only (CONTRACT.md 1.1, sections 1, 4 and 8): ``client_certificate``
(X.509 certificates whose WS-Security signatures authenticate as a tenant, by
SHA-256 fingerprint), ``search_quota`` (a token bucket per tenant, shared by
every worker) and ``audit_seal`` (signed SHA-256 chains over the audit rows).
Their functions, triggers, policies and grants are SQL sources
(register/adapters/sql/certificates.sql, search_quota.sql, audit_seal.sql,
tenancy.sql).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_certificate",
        sa.Column("id", sa.Integer(), sa.Identity(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("fingerprint ~ '^[0-9a-f]{64}$'", name=op.f("ck_client_certificate_fingerprint_hex")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_client_certificate_tenant_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_certificate")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_client_certificate_fingerprint")),
    )
    op.create_index(op.f("ix_client_certificate_tenant_id"), "client_certificate", ["tenant_id"])
    op.create_table(
        "search_quota",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_search_quota_tenant_id")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_search_quota")),
    )
    op.create_table(
        "audit_seal",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("digests", sa.LargeBinary(), nullable=False),
        sa.Column("previous_head", sa.LargeBinary(), nullable=False),
        sa.Column("head", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_seal")),
    )


def downgrade() -> None:
    op.drop_table("audit_seal")
    op.drop_table("search_quota")
    op.drop_index(op.f("ix_client_certificate_tenant_id"), table_name="client_certificate")
    op.drop_table("client_certificate")
