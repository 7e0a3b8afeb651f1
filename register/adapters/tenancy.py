"""Row-level security: the second wall between tenants, behind the services' own filters.

The SOAP path runs as APP_ROLE, a role that owns nothing, has no BYPASSRLS and
sees a tenant-owned table's rows only where the tenant column equals the
transaction-local setting ``raas.tenant_id`` (set by ``set_tenant``). No
setting, no rows. The CLI and the migrations keep the owner role, which the
policies do not bind (the tables are not FORCEd).

Migrations call ``tenant_owned`` for every table that carries a tenant
(revision 0004 for the first ones; later tables use the same helper).
"""

from __future__ import annotations

# Cluster-wide, like every role: several databases on one server share it (each grants on its own objects).
APP_ROLE = "raas_app"
SETTING = "raas.tenant_id"

# The setting reads '' (not null) once a transaction that set it has ended: both mean "no tenant".
CURRENT_TENANT = f"nullif(current_setting('{SETTING}', true), '')::int"

# One statement for the pipeline that precedes a tenant's statements (register.adapters.database.run).
SET_TENANT = f"SELECT set_config('{SETTING}', %(tenant)s::text, true)"

# For a call of a function (the register's writes), the same in the statement itself, at no cost:
# ``SELECT f.* FROM {AS_TENANT}, LATERAL raas_register(tenant.id, ...) f``. The function takes
# the tenant from set_config's result, so the setting is in place before the function runs.
# (Not for a plain query: its scans may read the setting before set_config has run.)
AS_TENANT = f"set_config('{SETTING}', %(tenant)s::text, true) AS tenant(id)"


def create_app_role() -> list[str]:
    """Statements creating APP_ROLE if missing, safe when several databases migrate at once."""
    return [
        f"""
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
          END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
          NULL;  -- another database's migration created it meanwhile
        END
        $$
        """,
        # the migrating (owner) role must be able to SET ROLE to it; a superuser already can
        f"""
        DO $$
        BEGIN
          IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
            EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
          END IF;
        EXCEPTION WHEN unique_violation OR duplicate_object THEN
          NULL;
        END
        $$
        """,
        f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}",
    ]


def tenant_owned(table: str, privileges: str, column: str = "tenant_id", *, unattributed: bool = False) -> list[str]:
    """Statements putting ``table`` behind row-level security keyed on its ``column``.

    ``privileges`` is what APP_ROLE may do with the rows of its tenant, e.g.
    "SELECT, INSERT, DELETE". ``unattributed``: rows with a null tenant may be
    inserted too (audit rows of callers not yet authenticated).
    """
    check = f"{column} = {CURRENT_TENANT}"
    if unattributed:
        check = f"({column} IS NULL OR {check})"
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {table}_of_tenant ON {table}",
        f"CREATE POLICY {table}_of_tenant ON {table} TO {APP_ROLE}"
        f" USING ({column} = {CURRENT_TENANT}) WITH CHECK ({check})",
    ]
    if privileges:
        statements.append(f"GRANT {privileges} ON {table} TO {APP_ROLE}")
    return statements


def not_tenant_owned(table: str) -> list[str]:
    """The reverse of ``tenant_owned`` (downgrades)."""
    return [
        f"REVOKE ALL ON {table} FROM {APP_ROLE}",
        f"DROP POLICY IF EXISTS {table}_of_tenant ON {table}",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]
