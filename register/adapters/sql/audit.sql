-- The audit trail (table audit): append-only for everyone, the owner included. A retention purge
-- must first drop this trigger, a deliberate act of a database administrator rather than a slip
-- of any program.

CREATE OR REPLACE FUNCTION raas_audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS audit_append_only ON audit;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION raas_audit_is_append_only();
