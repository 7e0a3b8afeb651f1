-- RoutingService (CONTRACT.md section 10): who handles a person on a day, and may a tenant receive a
-- flow about them. Its callers are the network's components, not tenants: the SOAP path (raas_app)
-- reads every tenant's lines through raas_routing alone, which runs as its owner, answers only what
-- the contract's two operations answer and audits the call. register.domain.routing is the rule's
-- executable specification.

-- The lines of p_target (an SSIN at the end of its chain) containing p_day, of p_dossier_type and of
-- tenant p_tenant when given, by BCE, dossier type and start, each with whether p_flow (when given)
-- is allowed for it on p_day. A LANGUAGE sql function of one SELECT, STABLE, not SECURITY DEFINER:
-- PostgreSQL inlines it into raas_routing's query, and a test EXPLAINs it (an index-only scan of
-- ix_registration_holders). Not for raas_app: as that role it would see one tenant's rows at most.
CREATE OR REPLACE FUNCTION raas_holders(p_target text, p_day date, p_dossier_type text, p_tenant int, p_flow text)
RETURNS TABLE (ssin text, bce text, dossier_type text, first_day date, last_day date, allowed boolean)
LANGUAGE sql STABLE AS $$
  SELECT r.ssin::text, t.bce::text, r.dossier_type, lower(r.period), upper(r.period) - 1,
         p_flow IS NULL OR EXISTS (
           SELECT 1 FROM flow_authorization a
           WHERE a.tenant_id = r.tenant_id AND a.flow = p_flow AND a.validity @> p_day
             AND (a.dossier_types IS NULL OR r.dossier_type = ANY (a.dossier_types)))
  FROM registration r JOIN tenant t ON t.id = r.tenant_id
  -- ssin in the "C" collation: ix_registration_holders answers, never the exclusion constraint's GiST
  -- index, which the planner rates as cheap but which must search every tenant's part (tables.py)
  WHERE r.ssin COLLATE "C" = p_target AND r.period @> p_day
    AND (p_dossier_type IS NULL OR r.dossier_type = p_dossier_type)
    AND (p_tenant IS NULL OR r.tenant_id = p_tenant)
  ORDER BY t.bce, r.dossier_type, lower(r.period)
$$;
REVOKE ALL ON FUNCTION raas_holders(text, date, text, int, text) FROM PUBLIC;

-- findHolders (p_bce null) and checkAuthorization (p_bce given). A refusal is one row whose outcome
-- is the contract's reason (UnknownSsin, UnknownFlow: faults, audited by the SOAP layer) or
-- UNKNOWN_TENANT (an answer); otherwise outcome OK on every line found (none: no row), and the call
-- is audited here with the network username and the SSIN (and its chain's end when it differs).
CREATE OR REPLACE FUNCTION raas_routing(
    p_operation text, p_username text, p_request_id text,
    p_ssin text, p_day date, p_dossier_type text, p_bce text, p_flow text)
RETURNS TABLE (outcome text, ssin text, bce text, dossier_type text, first_day date, last_day date, allowed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_status text;
  v_target text;
  v_tenant int;
  v_day date := coalesce(p_day, raas_today());
BEGIN
  SELECT p.status INTO v_status FROM person p WHERE p.ssin = p_ssin;
  IF NOT FOUND THEN
    outcome := 'UnknownSsin';
    RETURN NEXT;
    RETURN;
  END IF;
  IF p_flow IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow f WHERE f.code = p_flow AND f.kind = 'NETWORK') THEN
    outcome := 'UnknownFlow';
    RETURN NEXT;
    RETURN;
  END IF;
  v_target := CASE WHEN v_status = 'REPLACED' THEN raas_last_of_chain(p_ssin) ELSE p_ssin END;
  -- The audit row is this read's only write, committed like every other (flushed, and applied on the
  -- synchronous standby): a disclosure is never answered without its record. On the bench machine the
  -- flush is most of a call (~1.4 ms at the median, its disk's fsync); docs/OPERATIONS.md, routing.
  INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)
  VALUES (NULL, p_username, p_operation, array_remove(ARRAY[p_ssin, nullif(v_target, p_ssin)], NULL), 'OK',
          p_request_id);
  IF p_bce IS NOT NULL THEN
    SELECT t.id INTO v_tenant FROM tenant t WHERE t.bce = p_bce;
    IF NOT FOUND THEN
      outcome := 'UNKNOWN_TENANT';
      RETURN NEXT;
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT 'OK'::text, h.* FROM raas_holders(v_target, v_day, p_dossier_type, v_tenant, p_flow) h;
END
$$;
REVOKE ALL ON FUNCTION raas_routing(text, text, text, text, date, text, text, text) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_routing(text, text, text, text, date, text, text, text) TO raas_app;

-- A network credential by username (register.services.auth, as raas_login in logins.sql does for
-- tenants' credentials): the table network_client stays closed to raas_app. The failed-login throttle
-- is the tenants' one (raas_login_failed, raas_login_succeeded: keyed by username and address).
CREATE OR REPLACE FUNCTION raas_network_login(p_username text, p_address text,
    p_username_limit int, p_address_limit int, p_max_wait float8,
    OUT username text, OUT password_hash text, OUT username_failures int, OUT retry_after float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH keys (key, lim) AS (VALUES ('u:' || p_username, p_username_limit), ('a:' || p_address, p_address_limit)),
  recent AS (
    SELECT f.key, f.failures, k.lim, f.last_at FROM public.auth_failure f JOIN keys k ON k.key = f.key
    WHERE f.last_at > clock_timestamp() - interval '15 minutes')
  SELECT c.username, c.password_hash,
    coalesce((SELECT r.failures FROM recent r WHERE r.key = 'u:' || p_username), 0),
    coalesce((SELECT max(extract(epoch FROM r.last_at - clock_timestamp())::float8
                        + least(p_max_wait, 2 ^ (r.failures - r.lim)))
              FROM recent r WHERE r.failures >= r.lim), 0)
  FROM (VALUES (1)) one (x)
  LEFT JOIN public.network_client c ON c.username = p_username
$$;
REVOKE ALL ON FUNCTION raas_network_login(text, text, int, int, float8) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_network_login(text, text, int, int, float8) TO raas_app;

-- As raas_credentials_version (logins.sql), over the network's credentials.
CREATE OR REPLACE FUNCTION raas_network_credentials_version() RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(sum(hashtextextended(c.username || ':' || c.password_hash, 0)), 0) + count(*)
  FROM public.network_client c
$$;
REVOKE ALL ON FUNCTION raas_network_credentials_version() FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_network_credentials_version() TO raas_app;
