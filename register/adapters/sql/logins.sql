-- Authentication (register.services.auth) needs a credential by username before any tenant is
-- known. These functions run as their owner and return or change that one row and nothing else,
-- so the tables client and auth_failure stay closed to raas_app.

-- One call per login: the credential, and for how many more seconds its username or the caller's
-- address is throttled (failures past the limit double the wait, up to p_max_wait; failures older
-- than 15 minutes are forgotten: no permanent lockout).
CREATE OR REPLACE FUNCTION raas_login(p_username text, p_address text,
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
REVOKE ALL ON FUNCTION raas_login(text, text, int, int, float8) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_login(text, text, int, int, float8) TO raas_app;

-- Failed logins per username ('u:<name>') and per client address ('a:<address>'), shared by every worker.
CREATE OR REPLACE FUNCTION raas_login_failed(p_username text, p_address text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO public.auth_failure AS f (key, failures, last_at)
  SELECT k, 1, clock_timestamp() FROM unnest(ARRAY['u:' || p_username, 'a:' || p_address]) k WHERE k IS NOT NULL
  ON CONFLICT (key) DO UPDATE
  SET failures = CASE WHEN f.last_at < clock_timestamp() - interval '15 minutes' THEN 1 ELSE f.failures + 1 END,
      last_at = clock_timestamp();
  -- now and then, forget what is forgotten anyway (random usernames must not grow the table forever)
  DELETE FROM public.auth_failure WHERE random() < 0.01 AND last_at < clock_timestamp() - interval '15 minutes';
$$;
REVOKE ALL ON FUNCTION raas_login_failed(text, text) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_login_failed(text, text) TO raas_app;

CREATE OR REPLACE FUNCTION raas_login_succeeded(p_username text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DELETE FROM public.auth_failure WHERE key = 'u:' || p_username;
$$;
REVOKE ALL ON FUNCTION raas_login_succeeded(text) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_login_succeeded(text) TO raas_app;

-- Workers remember verified passwords; they ask this (once a second) to forget them all when
-- any credential was added, rotated or removed. One short scan of a small table.
CREATE OR REPLACE FUNCTION raas_credentials_version() RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(sum(hashtextextended(c.username || ':' || c.password_hash, 0)), 0) + count(*) FROM public.client c
$$;
REVOKE ALL ON FUNCTION raas_credentials_version() FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_credentials_version() TO raas_app;
