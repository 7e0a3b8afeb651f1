"""row-level security, the application role, credential lookup before any tenant is known, login throttling

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Creates the application role raas_app (the SOAP path's: it owns nothing and sees
a tenant-owned table's rows only for the tenant set in the transaction) and the
login throttle's table. The policies, the grants and the login functions are
SQL sources since revision 0006 (register/adapters/sql/tenancy.sql, logins.sql,
audit.sql), applied after the last revision. Statements are written out here,
frozen: a migration imports nothing that later code may change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Cluster-wide, like every role: several databases on one server share it (each grants on its own
# objects). Safe when several databases migrate at once.
CREATE_APP_ROLE = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'raas_app') THEN
    CREATE ROLE raas_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;  -- another database's migration created it meanwhile
END
$$
"""

# The migrating (owner) role must be able to SET ROLE to it; a superuser already can.
JOIN_APP_ROLE = """
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'raas_app', 'MEMBER') THEN
    EXECUTE format('GRANT raas_app TO %I', current_user);
  END IF;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
  NULL;
END
$$
"""

# Tables under row-level security at this revision (the sources' tenancy.sql put them there).
TENANT_OWNED = ("tenant", "client", "dossier_type", "registration", "audit", "journal")


def upgrade() -> None:
    op.execute(CREATE_APP_ROLE)
    op.execute(JOIN_APP_ROLE)
    # failed logins per username ('u:<name>') and per client address ('a:<address>'), shared by every worker
    op.create_table(
        "auth_failure",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_failure")),
    )


def downgrade() -> None:
    # What the SQL sources made for this revision's purpose, undone before its table goes.
    op.execute("ALTER FUNCTION raas_journal_identity(text, jsonb) SECURITY INVOKER RESET search_path")
    op.execute("GRANT EXECUTE ON FUNCTION raas_journal_identity(text, jsonb) TO PUBLIC")
    op.execute("DROP TRIGGER IF EXISTS audit_append_only ON audit")
    op.execute("DROP FUNCTION IF EXISTS raas_audit_is_append_only()")
    for function in (
        "raas_credentials_version()",
        "raas_login_succeeded(text)",
        "raas_login_failed(text, text)",
        "raas_login(text, text, int, int, float8)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_table("auth_failure")
    op.execute("REVOKE ALL ON person, instance_secret, alembic_version FROM raas_app")
    for table in TENANT_OWNED:
        op.execute(f"REVOKE ALL ON {table} FROM raas_app")
        op.execute(f"DROP POLICY IF EXISTS {table}_of_tenant ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("REVOKE USAGE ON SCHEMA public FROM raas_app")
    # the role stays: it is cluster-wide and other databases of the server may use it
