"""authentic source: addresses, birth places, the journal, SSIN replacement

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The journal holds, per tenant concerned, the facts the nightly files report
(CONTRACT.md section 6). Its writers take one transaction-level lock, so
sequence numbers are handed out in commit order: a reader that saw sequence n
committed has seen every smaller one too (the batch's cursor relies on it).

Person locks: registerPerson and unregisterPerson take a shared advisory lock
on the SSIN before they read its status; a replacement takes it exclusively.
So no line can be written on an SSIN while it is being replaced, and none
after (the status read follows the lock).
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("address", postgresql.JSONB(), nullable=True))
    op.add_column("person", sa.Column("birth_place", sa.Text(), nullable=True))
    op.create_index("ix_registration_ssin", "registration", ["ssin"], unique=False)
    op.create_index("ix_person_name_keys", "person", ["last_name_key", "first_name_key"], unique=False)
    op.create_table(
        "journal",
        sa.Column("sequence", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("ssin", sa.String(length=11), nullable=False),
        sa.Column("new_ssin", sa.String(length=11), nullable=True),
        sa.Column("dossier_types", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("changes", postgresql.JSONB(), nullable=True),
        sa.Column("person", postgresql.JSONB(), nullable=True),
        sa.CheckConstraint(
            "(flow = 'SSIN_REPLACED' AND new_ssin IS NOT NULL AND cardinality(dossier_types) > 0"
            " AND changes IS NULL AND person IS NULL)"
            " OR (flow = 'IDENTITY_CHANGED' AND new_ssin IS NULL AND dossier_types IS NULL"
            " AND jsonb_array_length(changes) > 0 AND person IS NOT NULL)",
            name=op.f("ck_journal_flow_facts"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_journal_tenant_id")),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_journal")),
    )
    op.create_index("ix_journal_tenant_flow_sequence", "journal", ["tenant_id", "flow", "sequence"], unique=False)
    for statement in FUNCTIONS:
        op.execute(statement)


def downgrade() -> None:
    for signature in (
        "raas_replace_ssin(text, text)",
        "raas_journal_identity(text, jsonb)",
        "raas_person_json(person)",
        "raas_journal_lock()",
        "raas_today()",
        "raas_person_lock(text)",
    ):
        op.execute(f"DROP FUNCTION {signature}")
    op.drop_index("ix_journal_tenant_flow_sequence", table_name="journal")
    op.drop_table("journal")
    op.drop_index("ix_registration_ssin", table_name="registration")
    op.drop_index("ix_person_name_keys", table_name="person")
    op.drop_column("person", "birth_place")
    op.drop_column("person", "address")
    for statement in (_initial().REGISTER, _initial().UNREGISTER):
        op.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))


def _initial():
    """Revision 0001's module, whose function bodies a downgrade puts back."""
    spec = importlib.util.spec_from_file_location("raas_0001", Path(__file__).with_name("0001_initial_schema.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PERSON_LOCK = """
CREATE FUNCTION raas_person_lock(p_ssin text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT hashtextextended('person/' || p_ssin, 0) $$
"""

# The contract's day: the nightly run's date is a day in Brussels (CONTRACT.md section 6).
TODAY = """
CREATE FUNCTION raas_today() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'Europe/Brussels')::date $$
"""

JOURNAL_LOCK = """
CREATE FUNCTION raas_journal_lock() RETURNS void
LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(7247002) $$
"""

# The identity as the nightly files' <person> shows it (absent fields left out).
PERSON_JSON = """
CREATE FUNCTION raas_person_json(p person) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'ssin', p.ssin, 'kind', p.kind, 'status', p.status,
    'replacedBy', CASE WHEN p.status = 'REPLACED' THEN raas_last_of_chain(p.ssin) END,
    'lastName', p.last_name, 'firstName', p.first_name, 'birthDate', p.birth_date, 'gender', p.gender,
    'deathDate', p.death_date, 'nationality', p.nationality, 'address', p.address))
$$
"""

# An IDENTITY_CHANGED row for each tenant concerned: a line of the SSIN not ended before today.
JOURNAL_IDENTITY = """
CREATE FUNCTION raas_journal_identity(p_ssin text, p_changes jsonb) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_today date := raas_today();
  v_count int;
BEGIN
  PERFORM raas_journal_lock();
  INSERT INTO journal (recorded_on, tenant_id, flow, ssin, changes, person)
  SELECT v_today, t.tenant_id, 'IDENTITY_CHANGED', p_ssin, p_changes, (SELECT raas_person_json(p) FROM person p WHERE p.ssin = p_ssin)
  FROM (SELECT DISTINCT r.tenant_id FROM registration r
        WHERE r.ssin = p_ssin AND (upper_inf(r.period) OR upper(r.period) > v_today)) t
  ORDER BY t.tenant_id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$
"""

# Moves every tenant's lines of p_old to the end of p_new's chain, merged with the lines
# there by the registerPerson rule (range_agg joins overlapping and touching periods), and
# journals SSIN_REPLACED for each tenant concerned. The caller has checked the records.
REPLACE_SSIN = """
CREATE FUNCTION raas_replace_ssin(p_old text, p_new text, OUT target text, OUT moved int, OUT notified int)
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
    SELECT g.tenant_id, target, g.dossier_type, piece
    FROM (SELECT t.tenant_id, t.dossier_type, range_agg(t.period) AS periods FROM taken t GROUP BY 1, 2) g,
         unnest(g.periods) AS piece
  )
  SELECT count(*) FILTER (WHERE t.ssin = p_old) INTO moved FROM taken t;
END
$$
"""

# registerPerson and unregisterPerson as in 0001, with the SSIN's shared person lock taken
# before its status is read (see the module's docstring).
REGISTER = """
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
            -- overlapping or touching: overlapping the period widened by a day each side (one index probe)
            AND r.period && daterange(lower(p_period) - 1, upper(p_period) + 1)
          RETURNING r.period
        ), merged AS (
          INSERT INTO registration (tenant_id, ssin, dossier_type, period)
          SELECT p_tenant, p_ssin, p_dossier_type, range_merge(range_agg(u.period))
          FROM (SELECT a.period FROM absorbed a UNION ALL SELECT p_period) u
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
$$
"""

UNREGISTER = """
CREATE OR REPLACE FUNCTION raas_unregister(
    p_tenant int, p_username text, p_request_id text,
    p_ssin text, p_dossier_type text, p_period daterange,
    OUT outcome text, OUT info text[], OUT deleted_count int, OUT changed_count int,
    OUT remaining_starts date[], OUT remaining_ends date[])
LANGUAGE plpgsql AS $$
DECLARE
  v_refusal record;
  v_removed daterange;
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
      -- no day follows 9999-12-31: removing up to it leaves no tail of an open line
      v_removed := CASE WHEN upper(p_period) = DATE '10000-01-01'
                        THEN daterange(lower(p_period), NULL) ELSE p_period END;
      WITH hit AS (
        DELETE FROM registration r
        WHERE r.tenant_id = p_tenant AND r.ssin = p_ssin AND r.dossier_type = p_dossier_type
          AND r.period && p_period
        RETURNING r.period
      ), rest AS (
        SELECT datemultirange(h.period) - datemultirange(v_removed) AS pieces FROM hit h
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
$$
"""

FUNCTIONS = (PERSON_LOCK, TODAY, JOURNAL_LOCK, PERSON_JSON, JOURNAL_IDENTITY, REPLACE_SSIN, REGISTER, UNREGISTER)
