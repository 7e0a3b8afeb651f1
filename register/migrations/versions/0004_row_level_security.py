"""row-level security, the application role, credential lookup before any tenant is known, login throttling

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

The SOAP path runs as register.adapters.tenancy.APP_ROLE: it owns nothing and
sees a tenant-owned table's rows only for the tenant set in the transaction.
A table added later that carries a tenant gets the same treatment with
tenancy.tenant_owned(...) in its own migration.
"""

import sqlalchemy as sa
from alembic import op

from register.adapters.tenancy import APP_ROLE, create_app_role, not_tenant_owned, tenant_owned

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# table, what the application may do with its tenant's rows, tenant column, null tenant allowed
TENANT_OWNED = (
    ("tenant", "SELECT", "id", False),
    ("client", "", "tenant_id", False),  # read only through raas_login below
    ("dossier_type", "SELECT", "tenant_id", False),
    ("registration", "SELECT, INSERT, UPDATE, DELETE", "tenant_id", False),
    ("audit", "INSERT", "tenant_id", True),  # append-only: no SELECT, UPDATE or DELETE
    ("journal", "", "tenant_id", False),  # written only by raas_journal_identity below, read by the batch (owner)
)

# Authentication needs a credential by username before any tenant is known: raas_login (run as
# its owner) returns that one row and nothing else, so the client table stays closed. One call
# per login (register.services.auth): the credential, and for how many more seconds its
# username or the caller's address is throttled (failures past the limit double
# the wait, up to p_max_wait; failures older than 15 minutes are forgotten: no permanent lockout).
LOGIN = f"""
CREATE FUNCTION raas_login(p_username text, p_address text,
    p_username_limit int, p_address_limit int, p_max_wait float8,
    OUT tenant_id int, OUT bce text, OUT username text, OUT password_hash text,
    OUT username_failures int, OUT retry_after float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH keys (key, lim) AS (VALUES ('u:' || p_username, p_username_limit), ('a:' || p_address, p_address_limit)),
  recent AS (
    SELECT f.key, f.failures, k.lim, f.last_at FROM public.auth_failure f JOIN keys k ON k.key = f.key
    WHERE f.last_at > clock_timestamp() - interval '15 minutes')
  SELECT c.tenant_id, t.bce::text, c.username, c.password_hash,
    coalesce((SELECT r.failures FROM recent r WHERE r.key = 'u:' || p_username), 0),
    coalesce((SELECT max(extract(epoch FROM r.last_at - clock_timestamp())::float8
                        + least(p_max_wait, 2 ^ (r.failures - r.lim)))
              FROM recent r WHERE r.failures >= r.lim), 0)
  FROM (VALUES (1)) one (x)
  LEFT JOIN public.client c ON c.username = p_username
  LEFT JOIN public.tenant t ON t.id = c.tenant_id
$$;
REVOKE ALL ON FUNCTION raas_login(text, text, int, int, float8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION raas_login(text, text, int, int, float8) TO {APP_ROLE};

CREATE FUNCTION raas_login_failed(p_username text, p_address text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO public.auth_failure AS f (key, failures, last_at)
  SELECT k, 1, clock_timestamp() FROM unnest(ARRAY['u:' || p_username, 'a:' || p_address]) k WHERE k IS NOT NULL
  ON CONFLICT (key) DO UPDATE
  SET failures = CASE WHEN f.last_at < clock_timestamp() - interval '15 minutes' THEN 1 ELSE f.failures + 1 END,
      last_at = clock_timestamp();
  -- now and then, forget what is forgotten anyway (random usernames must not grow the table forever)
  DELETE FROM public.auth_failure WHERE random() < 0.01 AND last_at < clock_timestamp() - interval '15 minutes';
$$;
REVOKE ALL ON FUNCTION raas_login_failed(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION raas_login_failed(text, text) TO {APP_ROLE};

CREATE FUNCTION raas_login_succeeded(p_username text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DELETE FROM public.auth_failure WHERE key = 'u:' || p_username;
$$;
REVOKE ALL ON FUNCTION raas_login_succeeded(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION raas_login_succeeded(text) TO {APP_ROLE};

-- Workers remember verified passwords; they ask this (once a second) to forget them all when
-- any credential was added, rotated or removed. One short scan of a small table.
CREATE FUNCTION raas_credentials_version() RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(sum(hashtextextended(c.username || ':' || c.password_hash, 0)), 0) + count(*) FROM public.client c
$$;
REVOKE ALL ON FUNCTION raas_credentials_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION raas_credentials_version() TO {APP_ROLE};
"""


# Append-only for everyone, the owner included: a retention purge must first drop this trigger,
# a deliberate act of a database administrator rather than a slip of any program.
APPEND_ONLY_AUDIT = """
CREATE FUNCTION raas_audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION raas_audit_is_append_only();
"""


# updateBisPerson (the SOAP path) journals an identity change to every tenant concerned, whose
# lines and journal rows the caller cannot see: the fan-out runs as its owner, and does only that.
JOURNAL_IDENTITY_AS_OWNER = f"""
ALTER FUNCTION raas_journal_identity(text, jsonb) SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE ALL ON FUNCTION raas_journal_identity(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION raas_journal_identity(text, jsonb) TO {APP_ROLE};
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
    # failed logins per username ('u:<name>') and per client address ('a:<address>'), shared by every worker
    op.create_table(
        "auth_failure",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_failure")),
    )
    op.execute(LOGIN)
    op.execute(JOURNAL_IDENTITY_AS_OWNER)
    op.execute(APPEND_ONLY_AUDIT)


def downgrade() -> None:
    op.execute("ALTER FUNCTION raas_journal_identity(text, jsonb) SECURITY INVOKER RESET search_path")
    op.execute("GRANT EXECUTE ON FUNCTION raas_journal_identity(text, jsonb) TO PUBLIC")
    op.execute("DROP TRIGGER audit_append_only ON audit")
    op.execute("DROP FUNCTION raas_audit_is_append_only()")
    for function in (
        "raas_credentials_version()",
        "raas_login_succeeded(text)",
        "raas_login_failed(text, text)",
        "raas_login(text, text, int, int, float8)",
    ):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table("auth_failure")
    op.execute(f"REVOKE ALL ON person, instance_secret, alembic_version FROM {APP_ROLE}")
    for table, *_ in TENANT_OWNED:
        for statement in not_tenant_owned(table):
            op.execute(statement)
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    # the role stays: it is cluster-wide and other databases of the server may use it
