-- SubscriptionService's subscribe (CONTRACT.md section 5, 1.1): one statement per call, as the
-- application role with the caller's tenant set (row-level security: it sees the tenant's own dossier
-- types and authorizations, and the flows' codes). Checks in the contract's order; a success is
-- audited here, a refusal by the SOAP layer's fault handler.
--
-- A new subscription starts from the journal's present (its head) and today; subscribing again
-- replaces the filter and keeps since and the cursor. p_dossier_types: the filter, null or empty
-- for none; stored sorted and without repeats.
CREATE OR REPLACE FUNCTION raas_subscribe(p_tenant int, p_username text, p_request_id text,
    p_flow text, p_dossier_types text[],
    OUT outcome text, OUT info text[], OUT bce text, OUT since date, OUT delivered_through bigint,
    OUT dossier_types text[])
LANGUAGE plpgsql AS $$
DECLARE
  v_kind text;
  v_allowed text[];
  v_filter text[];
  v_missing text;
BEGIN
  SELECT f.kind INTO v_kind FROM flow f WHERE f.code = p_flow;
  IF NOT FOUND THEN
    outcome := 'UnknownFlow';
    RETURN;
  END IF;
  SELECT d.code INTO v_missing FROM unnest(p_dossier_types) WITH ORDINALITY AS d (code, i)
  WHERE NOT EXISTS (SELECT 1 FROM dossier_type t WHERE t.tenant_id = p_tenant AND t.code = d.code)
  ORDER BY d.i LIMIT 1;
  IF v_missing IS NOT NULL THEN
    outcome := 'UnknownDossierType';
    info := ARRAY[v_missing];
    RETURN;
  END IF;
  IF v_kind = 'NETWORK' THEN
    SELECT a.dossier_types INTO v_allowed FROM flow_authorization a
    WHERE a.tenant_id = p_tenant AND a.flow = p_flow AND a.validity @> raas_today();
    IF NOT FOUND THEN
      outcome := 'NotAuthorized';
      RETURN;
    END IF;
    SELECT d.code INTO v_missing FROM unnest(p_dossier_types) WITH ORDINALITY AS d (code, i)
    WHERE v_allowed IS NOT NULL AND NOT d.code = ANY (v_allowed)
    ORDER BY d.i LIMIT 1;
    IF v_missing IS NOT NULL THEN
      outcome := 'NotAuthorized';
      info := ARRAY[v_missing];
      RETURN;
    END IF;
  END IF;
  SELECT nullif(array_agg(DISTINCT d ORDER BY d), '{}') INTO v_filter FROM unnest(p_dossier_types) d;
  outcome := 'OK';
  INSERT INTO subscription AS s (tenant_id, flow, since, delivered_through, dossier_types)
  VALUES (p_tenant, p_flow, raas_today(), raas_journal_head(), v_filter)
  ON CONFLICT (tenant_id, flow) DO UPDATE SET dossier_types = excluded.dossier_types
  RETURNING s.since, s.delivered_through, s.dossier_types INTO since, delivered_through, dossier_types;
  SELECT t.bce INTO bce FROM tenant t WHERE t.id = p_tenant;
  INSERT INTO audit (tenant_id, username, operation, outcome, request_id)
  VALUES (p_tenant, p_username, 'subscribe', 'OK', p_request_id);
END
$$;
