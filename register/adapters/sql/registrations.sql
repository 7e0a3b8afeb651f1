-- The register's writes (table registration): registerPerson and unregisterPerson, each one
-- plpgsql function so that a SOAP call is one database round trip (DESIGN.md measured 3,000 TPS
-- against 1,500 for the same merge done in round trips). Each takes, in this order, the SSIN's
-- shared person lock (persons.sql) before reading its status, then its key's advisory lock, so
-- calls on one (tenant, ssin, dossier type) serialise instead of tripping the exclusion
-- constraint; and audits a success in the same transaction (a refusal is audited by the fault
-- handler, like every fault). The rule for periods is periods.sql's.

CREATE OR REPLACE FUNCTION raas_register(
    p_tenant int, p_username text, p_request_id text,
    p_ssin text, p_dossier_type text, p_period daterange,
    p_last_name_key text, p_first_name_key text, p_birth_date text, p_gender text,
    OUT outcome text, OUT info text[], OUT line_start date, OUT line_end date,
    OUT merged_count int, OUT changed boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_person person%ROWTYPE;
  v_line daterange;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(raas_person_lock(p_ssin));
  SELECT * INTO v_person FROM person WHERE ssin = p_ssin;  -- read once: the hot path of the service
  IF NOT FOUND THEN
    outcome := 'UnknownSsin';
  ELSIF v_person.status = 'REPLACED' THEN
    outcome := 'ReplacedSsin';
    info := ARRAY[raas_last_of_chain(p_ssin)];
  ELSIF v_person.status = 'CANCELED' THEN
    outcome := 'CanceledSsin';
  ELSIF NOT EXISTS (
      SELECT 1 FROM dossier_type d WHERE d.tenant_id = p_tenant AND d.code = p_dossier_type) THEN
    outcome := 'UnknownDossierType';
  ELSE
    info := array_remove(ARRAY[
      CASE WHEN p_last_name_key <> v_person.last_name_key THEN 'lastName' END,
      CASE WHEN p_first_name_key <> v_person.first_name_key THEN 'firstName' END,
      CASE WHEN NOT raas_birth_dates_match(p_birth_date, v_person.birth_date) THEN 'birthDate' END,
      CASE WHEN p_gender <> v_person.gender THEN 'gender' END], NULL);
    IF cardinality(info) > 0 THEN
      outcome := 'IdentityMismatch';
    ELSE
      outcome := 'OK';
      info := NULL;
      PERFORM pg_advisory_xact_lock(hashtextextended(p_tenant || '/' || p_ssin || '/' || p_dossier_type, 0));
      SELECT r.period INTO v_line FROM registration r
      WHERE r.tenant_id = p_tenant AND r.ssin = p_ssin AND r.dossier_type = p_dossier_type
        AND r.period @> p_period;
      IF FOUND THEN
        merged_count := 0;
        changed := false;
      ELSE
        WITH absorbed AS (
          DELETE FROM registration r
          WHERE r.tenant_id = p_tenant AND r.ssin = p_ssin AND r.dossier_type = p_dossier_type
            AND r.period && raas_reach(p_period)  -- overlapping or touching it
          RETURNING r.period
        ), merged AS (
          INSERT INTO registration (tenant_id, ssin, dossier_type, period)
          -- one line, since every absorbed one touches p_period: range_merge takes it out of its multirange
          SELECT p_tenant, p_ssin, p_dossier_type, range_merge(raas_lines_of(array_agg(a.period) || p_period))
          FROM absorbed a
          RETURNING period
        )
        SELECT m.period, (SELECT count(*) FROM absorbed) INTO v_line, merged_count FROM merged m;
        changed := true;
      END IF;
      -- inclusive days: an end of 9999-12-31 is stored as [.., 10000-01-01), which Python cannot hold
      line_start := lower(v_line);
      line_end := upper(v_line) - 1;
    END IF;
  END IF;
  IF outcome = 'OK' THEN  -- a refusal is audited by the fault handler, like every fault
    INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)
    VALUES (p_tenant, p_username, 'registerPerson', ARRAY[p_ssin], 'OK', p_request_id);
  END IF;
END
$$;

-- p_period null: every line of the key goes. Otherwise its days are cut out of the lines.
CREATE OR REPLACE FUNCTION raas_unregister(
    p_tenant int, p_username text, p_request_id text,
    p_ssin text, p_dossier_type text, p_period daterange,
    OUT outcome text, OUT info text[], OUT deleted_count int, OUT changed_count int,
    OUT remaining_starts date[], OUT remaining_ends date[])
LANGUAGE plpgsql AS $$
DECLARE
  v_refusal record;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(raas_person_lock(p_ssin));
  -- a canceled ssin keeps its lines (CONTRACT.md section 7): its owner may still remove them
  SELECT * INTO v_refusal FROM raas_person_refusal(p_ssin, true);
  outcome := v_refusal.reason;
  IF outcome = 'ReplacedSsin' THEN
    info := ARRAY[v_refusal.info];
  ELSIF outcome IS NULL AND NOT EXISTS (
      SELECT 1 FROM dossier_type d WHERE d.tenant_id = p_tenant AND d.code = p_dossier_type) THEN
    outcome := 'UnknownDossierType';
  ELSIF outcome IS NULL THEN
    outcome := 'OK';
    PERFORM pg_advisory_xact_lock(hashtextextended(p_tenant || '/' || p_ssin || '/' || p_dossier_type, 0));
    IF p_period IS NULL THEN
      WITH gone AS (
        DELETE FROM registration r
        WHERE r.tenant_id = p_tenant AND r.ssin = p_ssin AND r.dossier_type = p_dossier_type
        RETURNING 1
      )
      SELECT count(*), 0 INTO deleted_count, changed_count FROM gone;
    ELSE
      WITH hit AS (
        DELETE FROM registration r
        WHERE r.tenant_id = p_tenant AND r.ssin = p_ssin AND r.dossier_type = p_dossier_type
          AND r.period && p_period
        RETURNING r.period
      ), rest AS (
        SELECT raas_line_without(h.period, p_period) AS pieces FROM hit h
      ), kept AS (
        INSERT INTO registration (tenant_id, ssin, dossier_type, period)
        SELECT p_tenant, p_ssin, p_dossier_type, piece FROM rest, unnest(rest.pieces) AS piece
      )
      SELECT count(*) FILTER (WHERE isempty(pieces)), count(*) FILTER (WHERE NOT isempty(pieces))
      INTO deleted_count, changed_count FROM rest;
    END IF;
    SELECT coalesce(array_agg(lower(r.period) ORDER BY lower(r.period)), '{}'),
           coalesce(array_agg(upper(r.period) - 1 ORDER BY lower(r.period)), '{}')
    INTO remaining_starts, remaining_ends
    FROM registration r
    WHERE r.tenant_id = p_tenant AND r.ssin = p_ssin AND r.dossier_type = p_dossier_type;
  END IF;
  IF outcome = 'OK' THEN  -- a refusal is audited by the fault handler, like every fault
    INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)
    VALUES (p_tenant, p_username, 'unregisterPerson', ARRAY[p_ssin], 'OK', p_request_id);
  END IF;
END
$$;
