"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Tables and data only: the register's functions (raas_register, raas_unregister
and the ones they call) are SQL sources since revision 0006, applied after the
last revision (register/adapters/sql/registrations.sql, persons.sql, periods.sql).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("ssins", postgresql.ARRAY(sa.String(length=11)), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index("ix_audit_tenant_at", "audit", ["tenant_id", "at"], unique=False)
    op.create_table(
        "instance_secret",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_instance_secret_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_secret")),
    )
    op.create_table(
        "person",
        sa.Column("ssin", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="ACTIVE", nullable=False),
        sa.Column("replaced_by", sa.String(length=11), nullable=True),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("nationality", sa.Text(), nullable=True),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("last_name_key", sa.Text(), nullable=False),
        sa.Column("first_name_key", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("(status = 'REPLACED') = (replaced_by IS NOT NULL)", name=op.f("ck_person_replaced_by")),
        sa.CheckConstraint("birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'", name=op.f("ck_person_birth_date_shape")),
        sa.CheckConstraint("gender IN ('M', 'F')", name=op.f("ck_person_gender")),
        sa.CheckConstraint("kind IN ('NR', 'BIS')", name=op.f("ck_person_kind")),
        sa.CheckConstraint("ssin ~ '^[0-9]{11}$'", name=op.f("ck_person_ssin_digits")),
        sa.CheckConstraint("status IN ('ACTIVE', 'REPLACED', 'CANCELED')", name=op.f("ck_person_status")),
        sa.ForeignKeyConstraint(["replaced_by"], ["person.ssin"], name=op.f("fk_person_replaced_by")),
        sa.PrimaryKeyConstraint("ssin", name=op.f("pk_person")),
    )
    op.create_table(
        "tenant",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("bce", sa.String(length=10), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("bce ~ '^[01][0-9]{9}$'", name=op.f("ck_tenant_bce_digits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("bce", name=op.f("uq_tenant_bce")),
    )
    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_client_tenant_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("username", name=op.f("uq_client_username")),
    )
    op.create_index(op.f("ix_client_tenant_id"), "client", ["tenant_id"], unique=False)
    op.create_table(
        "dossier_type",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.CheckConstraint("length(code) BETWEEN 1 AND 64", name=op.f("ck_dossier_type_code_length")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_dossier_type_tenant_id")),
        sa.PrimaryKeyConstraint("tenant_id", "code", name=op.f("pk_dossier_type")),
    )
    op.create_table(
        "registration",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("ssin", sa.String(length=11), nullable=False),
        sa.Column("dossier_type", sa.Text(), nullable=False),
        sa.Column("period", postgresql.DATERANGE(), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("tenant_id"), "="),
            (sa.column("ssin"), "="),
            (sa.column("dossier_type"), "="),
            (sa.column("period"), "&&"),
            using="gist",
            name="registration_no_overlap",
        ),
        sa.CheckConstraint(
            "NOT isempty(period) AND NOT lower_inf(period)", name=op.f("ck_registration_period_bounded_start")
        ),
        sa.ForeignKeyConstraint(["ssin"], ["person.ssin"], name=op.f("fk_registration_ssin")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dossier_type"],
            ["dossier_type.tenant_id", "dossier_type.code"],
            name=op.f("fk_registration_tenant_id_dossier_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
    )
    op.create_index(
        "ix_registration_listing",
        "registration",
        ["tenant_id", "ssin", "dossier_type", sa.literal_column("lower(period)")],
        unique=False,
    )
    op.execute(
        "INSERT INTO instance_secret (id, secret) VALUES (1, gen_random_uuid()::text || gen_random_uuid()::text)"
    )


def downgrade() -> None:
    # The SQL sources' functions that later downgrades left (they work on these tables) go first.
    op.execute(DROP_SOURCE_FUNCTIONS)
    op.drop_index("ix_registration_listing", table_name="registration")
    op.drop_table("registration")
    op.drop_table("dossier_type")
    op.drop_index(op.f("ix_client_tenant_id"), table_name="client")
    op.drop_table("client")
    op.drop_table("tenant")
    op.drop_table("person")
    op.drop_table("instance_secret")
    op.drop_index("ix_audit_tenant_at", table_name="audit")
    op.drop_table("audit")


# Every raas_ function of schema public that no extension owns: base is an empty schema.
DROP_SOURCE_FUNCTIONS = """
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'raas\\_%'
             AND NOT EXISTS (SELECT FROM pg_depend d
                             WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP FUNCTION %s', f);
  END LOOP;
END
$$
"""
