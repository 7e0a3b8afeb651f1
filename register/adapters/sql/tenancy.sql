-- Row-level security and the application role's rights: the second wall between tenants, behind
-- the services' own filters (DESIGN.md). The SOAP path runs as raas_app (created by migration 0004;
-- register.adapters.tenancy.APP_ROLE): it owns nothing, has no BYPASSRLS, and sees a tenant-owned
-- table's rows only where the tenant column equals the transaction-local setting raas.tenant_id
-- (register.adapters.tenancy.SETTING; '' once a transaction that set it has ended: no tenant, no
-- rows). The owner role (CLI, batch, migrations) is not bound: the tables are not FORCEd.
--
-- This file states every right raas_app has on a table: each is revoked first, then granted again,
-- so a right taken out of this file is taken from the role too. A table added later that carries
-- a tenant gets the same three statements and its grant here.

-- PostgreSQL 15's default, stated for 14: nobody but the owner creates objects in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO raas_app;

REVOKE ALL ON tenant, client, dossier_type, registration, audit, journal, subscription, delivery,
  person, instance_secret, alembic_version, sql_source, auth_failure FROM raas_app;

ALTER TABLE tenant ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_of_tenant ON tenant;
CREATE POLICY tenant_of_tenant ON tenant TO raas_app
  USING (id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (id = nullif(current_setting('raas.tenant_id', true), '')::int);
GRANT SELECT ON tenant TO raas_app;

-- no grant: credentials are read only through raas_login (logins.sql)
ALTER TABLE client ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS client_of_tenant ON client;
CREATE POLICY client_of_tenant ON client TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);

ALTER TABLE dossier_type ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS dossier_type_of_tenant ON dossier_type;
CREATE POLICY dossier_type_of_tenant ON dossier_type TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);
GRANT SELECT ON dossier_type TO raas_app;

ALTER TABLE registration ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS registration_of_tenant ON registration;
CREATE POLICY registration_of_tenant ON registration TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);
GRANT SELECT, INSERT, UPDATE, DELETE ON registration TO raas_app;

-- append-only: no SELECT, UPDATE or DELETE; a null tenant is allowed (callers not yet authenticated)
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS audit_of_tenant ON audit;
CREATE POLICY audit_of_tenant ON audit TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK ((tenant_id IS NULL OR tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int));
GRANT INSERT ON audit TO raas_app;

-- no grant: raas_app writes it only through raas_journal_identity, reads its head through
-- raas_journal_head (journal.sql); the batch (owner) reads it
ALTER TABLE journal ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS journal_of_tenant ON journal;
CREATE POLICY journal_of_tenant ON journal TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);

-- UPDATE of since and the filter alone: subscribing again replaces the filter (raas_subscribe in
-- subscriptions.sql); the application role never moves a cursor
ALTER TABLE subscription ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS subscription_of_tenant ON subscription;
CREATE POLICY subscription_of_tenant ON subscription TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);
GRANT SELECT, INSERT, DELETE, UPDATE (since, dossier_types) ON subscription TO raas_app;

-- the batch (owner) records deliveries; a tenant reads its own
ALTER TABLE delivery ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS delivery_of_tenant ON delivery;
CREATE POLICY delivery_of_tenant ON delivery TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);
GRANT SELECT ON delivery TO raas_app;

-- The authentic source is shared by every tenant (BIS numbers are created through the service).
GRANT SELECT, INSERT, UPDATE ON person TO raas_app;
-- Page tokens' key; /readyz's check that the schema and these sources are this code's.
GRANT SELECT ON instance_secret, alembic_version, sql_source TO raas_app;

-- (1.1) Certificates of tenants: no grant, read only through raas_certificate_login (certificates.sql).
REVOKE ALL ON client_certificate FROM raas_app;
ALTER TABLE client_certificate ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS client_certificate_of_tenant ON client_certificate;
CREATE POLICY client_certificate_of_tenant ON client_certificate TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);

-- (1.1) The search quota's buckets: each tenant takes from its own (raas_search_take, search_quota.sql).
REVOKE ALL ON search_quota FROM raas_app;
ALTER TABLE search_quota ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS search_quota_of_tenant ON search_quota;
CREATE POLICY search_quota_of_tenant ON search_quota TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);
GRANT SELECT, INSERT, UPDATE (tokens, updated_at) ON search_quota TO raas_app;

-- (1.1) The audit's seals: written and read by the owner (`raas audit seal|verify`) only.
REVOKE ALL ON audit_seal FROM raas_app;

-- Network flows (CONTRACT.md sections 9 and 10, migration 0007).
REVOKE ALL ON flow, flow_authorization, network_record, network_client FROM raas_app;

-- Every tenant may read which flows exist (subscribe's UnknownFlow, listFlows), not their payload schemas.
GRANT SELECT (code, label, kind) ON flow TO raas_app;

-- A tenant reads its own authorizations (subscribe, listFlows); the operator (owner) grants them.
ALTER TABLE flow_authorization ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS flow_authorization_of_tenant ON flow_authorization;
CREATE POLICY flow_authorization_of_tenant ON flow_authorization TO raas_app
  USING (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int)
  WITH CHECK (tenant_id = nullif(current_setting('raas.tenant_id', true), '')::int);
GRANT SELECT ON flow_authorization TO raas_app;

-- no grant: the records reach tenants through the journal and the nightly files (the batch, owner);
-- network credentials are read only through raas_network_login (routing.sql). Row-level security
-- without a policy: nothing, even were a grant added by mistake.
ALTER TABLE network_record ENABLE ROW LEVEL SECURITY;
ALTER TABLE network_client ENABLE ROW LEVEL SECURITY;
