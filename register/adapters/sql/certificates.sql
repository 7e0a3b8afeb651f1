-- Authentication by X.509 certificate (CONTRACT.md section 1, 1.1; register.services.certificates).
-- Like raas_login (logins.sql), a certificate is looked up before any tenant is known: this function
-- runs as its owner and returns that one row, so the table client_certificate stays closed to raas_app.
-- No cache in the workers: a removed certificate fails the next call.
CREATE OR REPLACE FUNCTION raas_certificate_login(p_fingerprint text,
    OUT tenant_id int, OUT bce text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.tenant_id, t.bce::text
  FROM public.client_certificate c JOIN public.tenant t ON t.id = c.tenant_id
  WHERE c.fingerprint = p_fingerprint
$$;
REVOKE ALL ON FUNCTION raas_certificate_login(text) FROM PUBLIC, raas_app;
GRANT EXECUTE ON FUNCTION raas_certificate_login(text) TO raas_app;
