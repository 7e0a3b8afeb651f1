-- The authentic source's persons (table person): identity comparison, replacement chains, the
-- person lock, and an SSIN's replacement, which moves every tenant's lines to the new SSIN.

-- Incomplete dates yyyy-mm-dd: a 00 month or day on either side matches anything
-- (the same rule as register.domain.dates.IncompleteDate.matches; a test holds them equal).
CREATE OR REPLACE FUNCTION raas_birth_dates_match(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT split_part(a, '-', 1) = split_part(b, '-', 1)
     AND (split_part(a, '-', 2) = split_part(b, '-', 2)
          OR split_part(a, '-', 2) = '00' OR split_part(b, '-', 2) = '00')
     AND (split_part(a, '-', 3) = split_part(b, '-', 3)
          OR split_part(a, '-', 3) = '00' OR split_part(b, '-', 3) = '00')
$$;

-- Where a chain of replacements (A -> B, then B -> C) ends: C.
CREATE OR REPLACE FUNCTION raas_last_of_chain(p_ssin text) RETURNS text
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain (ssin, next, depth) AS (
      SELECT ssin, replaced_by, 0 FROM person WHERE ssin = p_ssin
    UNION ALL
      SELECT p.ssin, p.replaced_by, c.depth + 1
      FROM person p JOIN chain c ON p.ssin = c.next
      WHERE c.depth < 1000
  )
  SELECT ssin FROM chain WHERE next IS NULL
$$;

-- Why a person cannot be used: null when it can. info = the chain's end for a replaced ssin.
CREATE OR REPLACE FUNCTION raas_person_refusal(p_ssin text, p_allow_canceled boolean, OUT reason text, OUT info text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_status text;
BEGIN
  SELECT status INTO v_status FROM person WHERE ssin = p_ssin;
  IF NOT FOUND THEN
    reason := 'UnknownSsin';
  ELSIF v_status = 'REPLACED' THEN
    reason := 'ReplacedSsin';
    info := raas_last_of_chain(p_ssin);
  ELSIF v_status = 'CANCELED' AND NOT p_allow_canceled THEN
    reason := 'CanceledSsin';
  END IF;
END
$$;

-- The person lock: registerPerson and unregisterPerson take it shared before they read the SSIN's
-- status, a replacement takes it exclusively. So no line can be written on an SSIN while it is
-- being replaced, and none after (the status read follows the lock).
CREATE OR REPLACE FUNCTION raas_person_lock(p_ssin text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT hashtextextended('person/' || p_ssin, 0) $$;

-- The identity as the nightly files' <person> shows it (absent fields left out).
CREATE OR REPLACE FUNCTION raas_person_json(p person) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'ssin', p.ssin, 'kind', p.kind, 'status', p.status,
    'replacedBy', CASE WHEN p.status = 'REPLACED' THEN raas_last_of_chain(p.ssin) END,
    'lastName', p.last_name, 'firstName', p.first_name, 'birthDate', p.birth_date, 'gender', p.gender,
    'deathDate', p.death_date, 'nationality', p.nationality, 'address', p.address))
$$;

-- Moves every tenant's lines of p_old to the end of p_new's chain, merged with the lines there by
-- the registerPerson rule (raas_lines_of, periods.sql), and journals SSIN_REPLACED for each tenant
-- concerned. The caller has checked the records. Locks, in this order: the old SSIN's person lock,
-- the journal lock, then the target's register keys sorted (as registerPerson takes one).
CREATE OR REPLACE FUNCTION raas_replace_ssin(p_old text, p_new text, OUT target text, OUT moved int, OUT notified int)
LANGUAGE plpgsql AS $$
DECLARE
  v_today date := raas_today();
BEGIN
  PERFORM pg_advisory_xact_lock(raas_person_lock(p_old));  -- waits for registers in flight on p_old
  target := raas_last_of_chain(p_new);
  UPDATE person SET status = 'REPLACED', replaced_by = p_new, updated_at = now() WHERE ssin = p_old;
  PERFORM raas_journal_lock();
  INSERT INTO journal (recorded_on, tenant_id, flow, ssin, new_ssin, dossier_types)
  SELECT v_today, r.tenant_id, 'SSIN_REPLACED', p_old, target, array_agg(DISTINCT r.dossier_type ORDER BY r.dossier_type)
  FROM registration r WHERE r.ssin = p_old
  GROUP BY r.tenant_id
  HAVING bool_or(upper_inf(r.period) OR upper(r.period) > v_today)
  ORDER BY r.tenant_id;
  GET DIAGNOSTICS notified = ROW_COUNT;
  -- the target's keys, in a fixed order: registerPerson calls on them wait, then see the merged lines
  PERFORM pg_advisory_xact_lock(hashtextextended(k.tenant_id || '/' || target || '/' || k.dossier_type, 0))
  FROM (SELECT DISTINCT tenant_id, dossier_type FROM registration WHERE ssin = p_old ORDER BY 1, 2) k;
  WITH keys AS (
    SELECT DISTINCT tenant_id, dossier_type FROM registration WHERE ssin = p_old
  ), taken AS (
    DELETE FROM registration r USING keys k
    WHERE r.ssin IN (p_old, target) AND r.tenant_id = k.tenant_id AND r.dossier_type = k.dossier_type
    RETURNING r.tenant_id, r.dossier_type, r.period, r.ssin
  ), merged AS (
    INSERT INTO registration (tenant_id, ssin, dossier_type, period)
    SELECT t.tenant_id, target, t.dossier_type, unnest(raas_lines_of(array_agg(t.period)))
    FROM taken t GROUP BY t.tenant_id, t.dossier_type
  )
  SELECT count(*) FILTER (WHERE t.ssin = p_old) INTO moved FROM taken t;
END
$$;
