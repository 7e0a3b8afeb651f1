"""network flows: flows, authorizations, network records and credentials; subscription filters

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

CONTRACT.md 1.1 sections 5, 9 and 10. Every flow a tenant may subscribe to
becomes a row of ``flow`` (the register's two are written here), which
subscriptions and deliveries now reference instead of a list in a check. A
tenant's authorization to receive a network flow lives in
``flow_authorization`` (no two of one tenant and flow overlap: an exclusion
constraint); ingested records in ``network_record``; the journal gains a
reference to the record it reports (no foreign keys from records and journal
rows: register/adapters/tables.py says why). Subscriptions carry an optional filter of
dossier types, and deliveries the filter their file was written with.
RoutingService's credentials (``network_client``) are apart from the tenants'.
The lines by SSIN get a covering index in the "C" collation (RoutingService's
index-only plan: register/adapters/tables.py says why that collation).

Functions, policies and grants are SQL sources (register/adapters/sql/network.sql,
routing.sql, subscriptions.sql, tenancy.sql), applied after the last revision.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REGISTER_FLOWS = "flow IN ('SSIN_REPLACED', 'IDENTITY_CHANGED')"
OLD_FLOW_FACTS = (
    "(flow = 'SSIN_REPLACED' AND new_ssin IS NOT NULL AND cardinality(dossier_types) > 0"
    " AND changes IS NULL AND person IS NULL)"
    " OR (flow = 'IDENTITY_CHANGED' AND new_ssin IS NULL AND dossier_types IS NULL"
    " AND jsonb_array_length(changes) > 0 AND person IS NOT NULL)"
)
FLOW_FACTS = (
    "(flow = 'SSIN_REPLACED' AND new_ssin IS NOT NULL AND cardinality(dossier_types) > 0"
    " AND changes IS NULL AND person IS NULL AND network_record IS NULL)"
    " OR (flow = 'IDENTITY_CHANGED' AND new_ssin IS NULL"
    " AND (dossier_types IS NULL OR cardinality(dossier_types) > 0)"
    " AND jsonb_array_length(changes) > 0 AND person IS NOT NULL AND network_record IS NULL)"
    " OR (flow NOT IN ('SSIN_REPLACED', 'IDENTITY_CHANGED') AND network_record IS NOT NULL AND new_ssin IS NULL"
    " AND cardinality(dossier_types) > 0 AND changes IS NULL AND person IS NULL)"
)

# raas_journal_identity as revision 0006 left it (frozen): the downgrade puts it back, since the
# source's version writes dossier types that revision 0006's check refuses.
JOURNAL_IDENTITY_0006 = """
CREATE OR REPLACE FUNCTION raas_journal_identity(p_ssin text, p_changes jsonb) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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


def upgrade() -> None:
    flow = op.create_table(
        "flow",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("payload_schema", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("code ~ '^[A-Z][A-Z0-9_]{1,31}$'", name=op.f("ck_flow_code_pattern")),
        sa.CheckConstraint("kind IN ('REGISTER', 'NETWORK')", name=op.f("ck_flow_kind")),
        sa.CheckConstraint(
            "(kind = 'REGISTER') = (code IN ('SSIN_REPLACED', 'IDENTITY_CHANGED'))"
            " AND (kind = 'NETWORK' OR payload_schema IS NULL)",
            name=op.f("ck_flow_register_flows"),
        ),
        sa.CheckConstraint("length(label) BETWEEN 1 AND 256", name=op.f("ck_flow_label_length")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_flow")),
    )
    op.bulk_insert(
        flow,
        [
            {"code": "IDENTITY_CHANGED", "label": "Identity changed in the authentic source", "kind": "REGISTER"},
            {"code": "SSIN_REPLACED", "label": "SSIN replaced by another", "kind": "REGISTER"},
        ],
    )
    for table in ("subscription", "delivery"):
        op.drop_constraint(op.f(f"ck_{table}_flow"), table, type_="check")
        op.create_foreign_key(op.f(f"fk_{table}_flow"), table, "flow", ["flow"], ["code"])
        op.add_column(table, sa.Column("dossier_types", postgresql.ARRAY(sa.Text()), nullable=True))

    op.create_table(
        "flow_authorization",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("validity", postgresql.DATERANGE(), nullable=False),
        sa.Column("dossier_types", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(reference) BETWEEN 1 AND 100", name=op.f("ck_flow_authorization_reference_length")),
        sa.CheckConstraint(
            "NOT isempty(validity) AND NOT lower_inf(validity)",
            name=op.f("ck_flow_authorization_validity_bounded_start"),
        ),
        sa.CheckConstraint(
            "dossier_types IS NULL OR cardinality(dossier_types) > 0",
            name=op.f("ck_flow_authorization_dossier_types_named"),
        ),
        sa.ForeignKeyConstraint(["flow"], ["flow.code"], name=op.f("fk_flow_authorization_flow")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_flow_authorization_tenant_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_authorization")),
        postgresql.ExcludeConstraint(
            (sa.column("tenant_id"), "="),
            (sa.column("flow"), "="),
            (sa.column("validity"), "&&"),
            using="gist",
            name="flow_authorization_no_overlap",
        ),
    )
    op.create_table(
        "network_record",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("ssin", sa.String(length=11), nullable=False),
        sa.Column("routed_ssin", sa.String(length=11), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("ingested_on", sa.Date(), nullable=False),
        sa.CheckConstraint("length(reference) BETWEEN 1 AND 64", name=op.f("ck_network_record_reference_length")),
        sa.CheckConstraint("kind ~ '^[A-Z][A-Z0-9_]{0,31}$'", name=op.f("ck_network_record_kind_pattern")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_record")),
        sa.UniqueConstraint("flow", "reference", name=op.f("uq_network_record_flow_reference")),
    )
    op.add_column("journal", sa.Column("network_record", sa.BigInteger(), nullable=True))
    op.drop_constraint(op.f("ck_journal_flow_facts"), "journal", type_="check")
    op.create_check_constraint(op.f("ck_journal_flow_facts"), "journal", FLOW_FACTS)

    op.create_table(
        "network_client",
        sa.Column("id", sa.Integer(), sa.Identity(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_client")),
        sa.UniqueConstraint("username", name=op.f("uq_network_client_username")),
    )
    op.create_index(
        "ix_registration_holders",
        "registration",
        [sa.text('ssin COLLATE "C"')],
        postgresql_include=["tenant_id", "dossier_type", "period"],
    )


def downgrade() -> None:
    # The sources' functions for this revision's tables go first; network flows' rows go with them.
    for signature in (
        "raas_routing(text, text, text, text, date, text, text, text)",
        "raas_route_network(text, bigint, bigint)",
        "raas_network_login(text, text, int, int, float8)",
        "raas_network_credentials_version()",
        "raas_subscribe(int, text, text, text, text[])",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.execute(JOURNAL_IDENTITY_0006)
    op.drop_index("ix_registration_holders", table_name="registration")
    op.drop_table("network_client")
    op.execute(f"DELETE FROM journal WHERE NOT {REGISTER_FLOWS}")
    op.execute("UPDATE journal SET dossier_types = NULL WHERE flow = 'IDENTITY_CHANGED'")
    op.drop_constraint(op.f("ck_journal_flow_facts"), "journal", type_="check")
    op.create_check_constraint(op.f("ck_journal_flow_facts"), "journal", OLD_FLOW_FACTS)
    op.drop_column("journal", "network_record")
    op.drop_table("network_record")
    op.drop_table("flow_authorization")
    for table in ("delivery", "subscription"):
        op.execute(f"DELETE FROM {table} WHERE NOT {REGISTER_FLOWS}")
        op.drop_column(table, "dossier_types")
        op.drop_constraint(op.f(f"fk_{table}_flow"), table, type_="foreignkey")
        op.create_check_constraint(op.f(f"ck_{table}_flow"), table, REGISTER_FLOWS)
    op.drop_table("flow")
