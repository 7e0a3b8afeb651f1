"""The database tables, as SQLAlchemy Core metadata (the migrations create them).

Invariants the database itself keeps (DESIGN.md, "The data and its invariants"):
no two lines of one (tenant, ssin, dossier type) overlap; every line belongs to
a known person and to a dossier type of its own tenant; periods are never empty.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, DATERANGE, JSONB, ExcludeConstraint

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SSIN = String(11)

tenant = Table(
    "tenant",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("bce", String(10), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("bce ~ '^[01][0-9]{9}$'", name="bce_digits"),
)

client = Table(
    "client",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("tenant_id", Integer, ForeignKey("tenant.id"), nullable=False, index=True),
    Column("username", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

dossier_type = Table(
    "dossier_type",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenant.id"), primary_key=True),
    Column("code", Text, primary_key=True),
    Column("label", Text, nullable=False),
    CheckConstraint("length(code) BETWEEN 1 AND 64", name="code_length"),
)

person = Table(
    "person",
    metadata,
    Column("ssin", SSIN, primary_key=True),
    Column("kind", String(3), nullable=False),
    Column("status", String(8), nullable=False, server_default="ACTIVE"),
    Column("replaced_by", SSIN, ForeignKey("person.ssin"), nullable=True),
    Column("last_name", Text, nullable=False),
    Column("first_name", Text, nullable=False),
    Column("birth_date", String(10), nullable=False),  # incomplete date yyyy-mm-dd, 00 = unknown
    Column("gender", String(1), nullable=True),
    Column("nationality", Text, nullable=True),
    Column("death_date", Date, nullable=True),
    Column("address", JSONB, nullable=True),  # register.domain.person.Address, camelCase keys
    Column("birth_place", Text, nullable=True),
    # comparison keys (register.domain.names.normalise), written with the names
    Column("last_name_key", Text, nullable=False),
    Column("first_name_key", Text, nullable=False),
    # phonetic search keys (register.domain.phonetic.person_keys), written with the names
    Column("last_name_phonetic", Text, nullable=False),
    Column("first_name_phonetic", Text, nullable=False),
    Column("search_keys", ARRAY(Text), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("ssin ~ '^[0-9]{11}$'", name="ssin_digits"),
    CheckConstraint("kind IN ('NR', 'BIS')", name="kind"),
    CheckConstraint("status IN ('ACTIVE', 'REPLACED', 'CANCELED')", name="status"),
    CheckConstraint("(status = 'REPLACED') = (replaced_by IS NOT NULL)", name="replaced_by"),
    CheckConstraint("gender IN ('M', 'F')", name="gender"),
    CheckConstraint("birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'", name="birth_date_shape"),
)

# createBisNumber's duplicate check: equal normalised names
Index("ix_person_name_keys", person.c.last_name_key, person.c.first_name_key)
# the phonetic search's candidates (name keys with birth decades) and the span of decades stored,
# over the persons it can return (register.adapters.person_search)
Index(
    "ix_person_search_keys",
    person.c.search_keys,
    postgresql_using="gin",
    postgresql_where=person.c.status == "ACTIVE",
)
Index("ix_person_birth_date", person.c.birth_date, postgresql_where=person.c.status == "ACTIVE")

registration = Table(
    "registration",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", Integer, nullable=False),
    Column("ssin", SSIN, ForeignKey("person.ssin"), nullable=False),
    Column("dossier_type", Text, nullable=False),
    Column("period", DATERANGE, nullable=False),
    ForeignKeyConstraint(["tenant_id", "dossier_type"], ["dossier_type.tenant_id", "dossier_type.code"]),
    CheckConstraint("NOT isempty(period) AND NOT lower_inf(period)", name="period_bounded_start"),
    ExcludeConstraint(
        ("tenant_id", "="),
        ("ssin", "="),
        ("dossier_type", "="),
        ("period", "&&"),
        name="registration_no_overlap",
        using="gist",
    ),
)
# listRegistrations' order and keyset: (ssin, dossier_type, startDate) within a tenant
Index(
    "ix_registration_listing",
    registration.c.tenant_id,
    registration.c.ssin,
    registration.c.dossier_type,
    func.lower(registration.c.period),
)
# a person's lines across tenants: replacement, identity-change journal
Index("ix_registration_ssin", registration.c.ssin)
# RoutingService and the routing at ingestion (migration 0007): covering, so they read the index alone.
# In the "C" collation, which their queries name: the exclusion constraint's GiST index (tenant first)
# cannot answer them then. The planner rates it about as cheap as this one for an index-only read by
# SSIN, but it must search every tenant's part of it: some hundred pages where this reads three.
Index(
    "ix_registration_holders",
    registration.c.ssin.collate("C"),
    postgresql_include=["tenant_id", "dossier_type", "period"],
)

# Mutations, per tenant concerned, in commit order (migration 0002); the nightly files' source.
journal = Table(
    "journal",
    metadata,
    Column("sequence", BigInteger, Identity(always=True), primary_key=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("recorded_on", Date, nullable=False),  # the day in Brussels
    Column("tenant_id", Integer, ForeignKey("tenant.id"), nullable=False),
    Column("flow", Text, nullable=False),  # SSIN_REPLACED | IDENTITY_CHANGED
    Column("ssin", SSIN, nullable=False),  # the old SSIN of a replacement
    Column("new_ssin", SSIN, nullable=True),  # SSIN_REPLACED: where the lines went (end of the chain)
    Column("dossier_types", ARRAY(Text), nullable=True),  # SSIN_REPLACED: the tenant's dossier types moved
    Column("changes", JSONB, nullable=True),  # IDENTITY_CHANGED: [{name, old?, new?}]
    Column("person", JSONB, nullable=True),  # IDENTITY_CHANGED: the identity after the change
    # a network flow's record (migration 0007); dossier_types: the lines' types that made the tenant concerned.
    # No foreign key (nor from network_record to person and flow): records, persons and flows are never
    # deleted, the ingest checks what it references in set-based statements, and per-row foreign-key
    # triggers cost as much as the rest of an ingest (bench/flows.py)
    Column("network_record", BigInteger, nullable=True),
    CheckConstraint(
        "(flow = 'SSIN_REPLACED' AND new_ssin IS NOT NULL AND cardinality(dossier_types) > 0"
        " AND changes IS NULL AND person IS NULL AND network_record IS NULL)"
        " OR (flow = 'IDENTITY_CHANGED' AND new_ssin IS NULL"
        " AND (dossier_types IS NULL OR cardinality(dossier_types) > 0)"
        " AND jsonb_array_length(changes) > 0 AND person IS NOT NULL AND network_record IS NULL)"
        " OR (flow NOT IN ('SSIN_REPLACED', 'IDENTITY_CHANGED') AND network_record IS NOT NULL AND new_ssin IS NULL"
        " AND cardinality(dossier_types) > 0 AND changes IS NULL AND person IS NULL)",
        name="flow_facts",
    ),
    Index("ix_journal_tenant_flow_sequence", "tenant_id", "flow", "sequence"),
)

# A tenant's subscription to a flow and its cursor in the journal (migration 0005): sequences up to
# delivered_through are delivered, or predate the subscription (which starts at the journal's head).
subscription = Table(
    "subscription",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenant.id"), primary_key=True),
    Column("flow", Text, ForeignKey("flow.code"), primary_key=True),
    Column("since", Date, nullable=False),  # the day in Brussels it was made (listSubscriptions)
    Column("delivered_through", BigInteger, nullable=False),
    Column("dossier_types", ARRAY(Text), nullable=True),  # the filter (1.1); None: every mutation
)

# One row per nightly data file with its voucher, stored once both are in place (batch/).
delivery = Table(
    "delivery",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", Integer, ForeignKey("tenant.id"), nullable=False),
    Column("flow", Text, ForeignKey("flow.code"), nullable=False),
    Column("run_date", Date, nullable=False, index=True),
    Column("file_name", Text, nullable=False),
    Column("voucher_name", Text, nullable=False),
    Column("record_count", Integer, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("first_sequence", BigInteger, nullable=True),
    Column("last_sequence", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("dossier_types", ARRAY(Text), nullable=True),  # the subscription's filter the file was written with
    CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
    CheckConstraint("(record_count = 0) = (first_sequence IS NULL AND last_sequence IS NULL)", name="sequence_range"),
    UniqueConstraint("tenant_id", "flow", "run_date"),
    UniqueConstraint("tenant_id", "file_name"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.clock_timestamp()),
    Column("tenant_id", Integer, nullable=True),  # null: the caller could not be authenticated
    Column("username", Text, nullable=True),
    Column("operation", Text, nullable=False),
    Column("ssins", ARRAY(SSIN), nullable=True),
    Column("outcome", Text, nullable=False),  # "OK" or the fault code
    Column("request_id", Text, nullable=True),
    Index("ix_audit_tenant_at", "tenant_id", "at"),
)

instance_secret = Table(
    "instance_secret",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("secret", Text, nullable=False),  # keys page tokens; shared by every worker
    CheckConstraint("id = 1", name="single_row"),
)

# failed logins, per username ('u:<name>') and per client address ('a:<address>'): the throttle's
# state, shared by every worker; written only through the raas_login_* functions (migration 0004)
auth_failure = Table(
    "auth_failure",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
)

# The SQL sources applied (register.adapters.sql_source, migration 0006): file name and the SHA-256
# of the text that ran. A file whose checksum differs runs again at the next upgrade.
sql_source = Table(
    "sql_source",
    metadata,
    Column("name", Text, primary_key=True),
    Column("sha256", Text, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# X.509 certificates whose WS-Security signatures authenticate as a tenant (CONTRACT.md section 1, 1.1;
# migration 0008): the SHA-256 fingerprint of the certificate's DER, read only through the SECURITY
# DEFINER function raas_certificate_login (register/adapters/sql/certificates.sql).
client_certificate = Table(
    "client_certificate",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("tenant_id", Integer, ForeignKey("tenant.id"), nullable=False, index=True),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("subject", Text, nullable=False),
    Column("not_before", DateTime(timezone=True), nullable=False),
    Column("not_after", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("fingerprint ~ '^[0-9a-f]{64}$'", name="fingerprint_hex"),
)

# The search quota's token bucket per tenant (CONTRACT.md section 4, 1.1; migration 0008), shared by
# every worker and pod: raas_search_take (register/adapters/sql/search_quota.sql) refills and takes.
search_quota = Table(
    "search_quota",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenant.id"), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The sealed audit (migration 0008, register/services/audit_seal.py): each seal chains the audit rows
# with ids in (the previous seal's last_id, last_id] into a SHA-256 chain from the previous seal's
# head, signed with the signing key. Append-only, like the audit (sql/audit_seal.sql).
audit_seal = Table(
    "audit_seal",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # 1, 2, 3 ...: the chain's order
    Column("sealed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("cutoff", DateTime(timezone=True), nullable=False),  # rows from before it were all committed
    Column("last_id", BigInteger, nullable=False),  # the highest audit id sealed so far
    Column("row_count", Integer, nullable=False),
    Column("ids", ARRAY(BigInteger), nullable=False),  # the rows sealed, in chain order
    Column("digests", LargeBinary, nullable=False),  # their SHA-256 digests, 32 bytes each: names an altered row
    Column("previous_head", LargeBinary, nullable=False),
    Column("head", LargeBinary, nullable=False),
    Column("fingerprint", String(64), nullable=False),  # the signing certificate's SHA-256
    Column("signature", LargeBinary, nullable=False),
)

# Network flows (CONTRACT.md section 9, migration 0007). Every flow a tenant may subscribe to is a row:
# the register's two (kind REGISTER, written by the migration) and those the operator defines.
flow = Table(
    "flow",
    metadata,
    Column("code", Text, primary_key=True),
    Column("label", Text, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("payload_schema", Text, nullable=True),  # an XSD's text: every payload must be valid against it
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("code ~ '^[A-Z][A-Z0-9_]{1,31}$'", name="code_pattern"),
    CheckConstraint("kind IN ('REGISTER', 'NETWORK')", name="kind"),
    CheckConstraint(
        "(kind = 'REGISTER') = (code IN ('SSIN_REPLACED', 'IDENTITY_CHANGED'))"
        " AND (kind = 'NETWORK' OR payload_schema IS NULL)",
        name="register_flows",
    ),
    CheckConstraint("length(label) BETWEEN 1 AND 256", name="label_length"),
)

# A tenant's authorization to receive a network flow; no two of one tenant and flow overlap.
flow_authorization = Table(
    "flow_authorization",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_id", Integer, ForeignKey("tenant.id"), nullable=False),
    Column("flow", Text, ForeignKey("flow.code"), nullable=False),
    Column("reference", Text, nullable=False),  # the deliberation
    Column("validity", DATERANGE, nullable=False),
    Column("dossier_types", ARRAY(Text), nullable=True),  # None: all of the tenant's
    Column("granted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True), nullable=True),  # when `raas authorization revoke` ended it
    CheckConstraint("length(reference) BETWEEN 1 AND 100", name="reference_length"),
    CheckConstraint("NOT isempty(validity) AND NOT lower_inf(validity)", name="validity_bounded_start"),
    CheckConstraint("dossier_types IS NULL OR cardinality(dossier_types) > 0", name="dossier_types_named"),
    ExcludeConstraint(
        ("tenant_id", "="), ("flow", "="), ("validity", "&&"), name="flow_authorization_no_overlap", using="gist"
    ),
)

# The records of network feeds (`raas flow ingest`), one per (flow, reference).
network_record = Table(
    "network_record",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("flow", Text, nullable=False),  # a network flow's code (no foreign key: see journal.network_record)
    Column("reference", Text, nullable=False),
    Column("ssin", SSIN, nullable=False),  # as ingested, known to the source
    Column("routed_ssin", SSIN, nullable=False),  # the end of its replacement chain when ingested
    Column("event_date", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("payload", Text, nullable=False),  # the payload element, exclusive C14N (compared as it is)
    Column("ingested_on", Date, nullable=False),  # the day in Brussels
    CheckConstraint("length(reference) BETWEEN 1 AND 64", name="reference_length"),
    CheckConstraint("kind ~ '^[A-Z][A-Z0-9_]{0,31}$'", name="kind_pattern"),
    UniqueConstraint("flow", "reference"),
)

# RoutingService's callers (the network's own components), apart from every tenant's credentials.
network_client = Table(
    "network_client",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
