-- The search quota (CONTRACT.md section 4, 1.1): a token bucket per tenant in table search_quota,
-- shared by every worker and pod. It holds at most p_rate tokens and refills p_rate a minute; a
-- search takes one. Refused (no token): nothing changes, the search counts as none, and retry_after
-- says in how many seconds a token is there. Runs as the caller (raas_app) with its tenant set:
-- row-level security keeps each tenant to its own bucket. The row lock serialises one tenant's
-- concurrent searches for the length of this function only.
CREATE OR REPLACE FUNCTION raas_search_take(p_rate int, OUT retry_after float8, OUT remaining float8)
LANGUAGE plpgsql AS $$
DECLARE
  v_tenant int := nullif(current_setting('raas.tenant_id', true), '')::int;
  v_tokens float8;
  v_updated timestamptz;
  v_now timestamptz;
BEGIN
  SELECT q.tokens, q.updated_at INTO v_tokens, v_updated FROM search_quota q WHERE q.tenant_id = v_tenant FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO search_quota (tenant_id, tokens, updated_at) VALUES (v_tenant, p_rate, clock_timestamp())
    ON CONFLICT (tenant_id) DO NOTHING;
    SELECT q.tokens, q.updated_at INTO v_tokens, v_updated FROM search_quota q WHERE q.tenant_id = v_tenant FOR UPDATE;
  END IF;
  v_now := clock_timestamp();  -- after the lock: a bucket never refills backwards
  v_tokens := least(p_rate, v_tokens + greatest(0, extract(epoch FROM v_now - v_updated)) * p_rate / 60.0);
  IF v_tokens >= 1 THEN
    UPDATE search_quota SET tokens = v_tokens - 1, updated_at = v_now WHERE tenant_id = v_tenant;
    retry_after := 0;
    remaining := v_tokens - 1;
  ELSE
    retry_after := (1 - v_tokens) * 60.0 / p_rate;
    remaining := v_tokens;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION raas_search_take(int) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_search_take(int) TO raas_app;
