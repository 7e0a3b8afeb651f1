-- The journal (table journal): the facts the nightly files report, per tenant concerned
-- (CONTRACT.md section 6), written in the transaction of the change that causes them.

-- The contract's day: the nightly run's date is a day in Brussels (CONTRACT.md section 6).
CREATE OR REPLACE FUNCTION raas_today() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'Europe/Brussels')::date $$;

-- Every journal writer takes this lock first, so sequence numbers are handed out in commit order:
-- a reader that saw sequence n committed has seen every smaller one too (the batch's cursor relies
-- on it). The number is register.adapters.locks.JOURNAL (a test holds them equal).
CREATE OR REPLACE FUNCTION raas_journal_lock() RETURNS void
LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(7247002) $$;

-- An IDENTITY_CHANGED row for each tenant concerned: a line of the SSIN not ended before today; the
-- row carries those lines' dossier types (a subscription's filter, CONTRACT.md section 5).
-- updateBisPerson (the SOAP path, role raas_app) calls it for tenants whose lines and journal rows
-- the caller cannot see: it runs as its owner, and does only that.
CREATE OR REPLACE FUNCTION raas_journal_identity(p_ssin text, p_changes jsonb) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_today date := raas_today();
  v_count int;
BEGIN
  PERFORM raas_journal_lock();
  INSERT INTO journal (recorded_on, tenant_id, flow, ssin, dossier_types, changes, person)
  SELECT v_today, t.tenant_id, 'IDENTITY_CHANGED', p_ssin, t.types, p_changes,
         (SELECT raas_person_json(p) FROM person p WHERE p.ssin = p_ssin)
  FROM (SELECT r.tenant_id, array_agg(DISTINCT r.dossier_type ORDER BY r.dossier_type) AS types
        FROM registration r
        WHERE r.ssin = p_ssin AND (upper_inf(r.period) OR upper(r.period) > v_today)
        GROUP BY r.tenant_id) t
  ORDER BY t.tenant_id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;
REVOKE ALL ON FUNCTION raas_journal_identity(text, jsonb) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_journal_identity(text, jsonb) TO raas_app;

-- The journal's head, for a new subscription's cursor: raas_app cannot read the journal itself.
CREATE OR REPLACE FUNCTION raas_journal_head() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(max(sequence), 0) FROM public.journal
$$;
REVOKE ALL ON FUNCTION raas_journal_head() FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_journal_head() TO raas_app;
