"""row-level security, the application role, credential lookup before any tenant is known

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26

The SOAP path runs as register.adapters.tenancy.APP_ROLE: it owns nothing and
sees a tenant-owned table's rows only for the tenant set in the transaction.
A table added later that carries a tenant gets the same treatment with
tenancy.tenant_owned(...) in its own migration.
"""

from alembic import op

from register.adapters.tenancy import APP_ROLE, create_app_role, not_tenant_owned, tenant_owned

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

# table, what the application may do with its tenant's rows, tenant column, null tenant allowed
TENANT_OWNED = (
    ("tenant", "SELECT", "id", False),
    ("client", "", "tenant_id", False),  # read only through raas_credential below
    ("dossier_type", "SELECT", "tenant_id", False),
    ("registration", "SELECT, INSERT, UPDATE, DELETE", "tenant_id", False),
    ("audit", "INSERT", "tenant_id", True),  # append-only: no SELECT, UPDATE or DELETE
)

# Authentication needs a credential by username before any tenant is known: this function (run
# as its owner) returns that one row and nothing else, so the client table stays closed.
CREDENTIAL = f"""
CREATE FUNCTION raas_credential(p_username text,
    OUT tenant_id int, OUT bce text, OUT username text, OUT password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.tenant_id, t.bce::text, c.username, c.password_hash
  FROM public.client c JOIN public.tenant t ON t.id = c.tenant_id
  WHERE c.username = p_username
$$;
REVOKE ALL ON FUNCTION raas_credential(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION raas_credential(text) TO {APP_ROLE};
"""


def upgrade() -> None:
    for statement in create_app_role():
        op.execute(statement)
    # PostgreSQL 15's default, stated for 14: nobody but the owner creates objects in public
    op.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    for table, privileges, column, unattributed in TENANT_OWNED:
        for statement in tenant_owned(table, privileges, column, unattributed=unattributed):
            op.execute(statement)
    # the authentic source is shared by every tenant (BIS numbers are created through the service)
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON person TO {APP_ROLE}")
    op.execute(f"GRANT SELECT ON instance_secret, alembic_version TO {APP_ROLE}")
    op.execute(CREDENTIAL)


def downgrade() -> None:
    op.execute("DROP FUNCTION raas_credential(text)")
    op.execute(f"REVOKE ALL ON person, instance_secret, alembic_version FROM {APP_ROLE}")
    for table, *_ in TENANT_OWNED:
        for statement in not_tenant_owned(table):
            op.execute(statement)
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    # the role stays: it is cluster-wide and other databases of the server may use it
