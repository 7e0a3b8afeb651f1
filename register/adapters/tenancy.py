"""Row-level security: the second wall between tenants, behind the services' own filters.

The SOAP path runs as APP_ROLE, a role that owns nothing, has no BYPASSRLS and
sees a tenant-owned table's rows only where the tenant column equals the
transaction-local setting ``raas.tenant_id``. No setting, no rows. The CLI
and the migrations keep the owner role, which the policies do not bind (the
tables are not FORCEd).

The role is created by migration 0004; the policies and every grant to it are
stated in register/adapters/sql/tenancy.sql (a test holds its policies to
CURRENT_TENANT). This module holds what the running code needs.
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
