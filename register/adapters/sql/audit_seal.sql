-- The audit's seals (table audit_seal, register/services/audit_seal.py): append-only like the audit
-- itself (audit.sql's function). A seal removed or changed is a deliberate act of a database
-- administrator who dropped this trigger first, and `raas audit verify` names what it finds.

DROP TRIGGER IF EXISTS audit_seal_append_only ON audit_seal;
CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal
FOR EACH ROW EXECUTE FUNCTION raas_audit_is_append_only();
