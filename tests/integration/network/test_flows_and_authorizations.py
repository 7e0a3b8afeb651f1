"""Network flows and authorizations as the operator manages them (CONTRACT.md sections 8 and 9), and the
walls around them: an exclusion constraint, row-level security, the application role's narrow rights."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from register.adapters.database import run, statement_pool
from register.domain.errors import AlreadyExists, NotFound
from register.domain.flows import Authorization
from tests.integration.network.conftest import DIMONA_XSD, grant, today

D = date.fromisoformat


def test_a_flow_is_defined_listed_after_the_registers_and_redefined_with_a_new_label(flows):
    assert flows.define("DIMONA", "Employment declarations", DIMONA_XSD) is True
    assert flows.define("ACTIVA", "Activation measures") is True
    assert flows.define("DIMONA", "Dimona declarations") is False
    listed = [(f.code, f.kind, f.label, f.payload_schema is not None) for f in flows.flows()]
    assert listed == [
        ("IDENTITY_CHANGED", "REGISTER", "Identity changed in the authentic source", False),
        ("SSIN_REPLACED", "REGISTER", "SSIN replaced by another", False),
        ("ACTIVA", "NETWORK", "Activation measures", False),
        ("DIMONA", "NETWORK", "Dimona declarations", False),  # redefined without a schema: none now
    ]


@pytest.mark.parametrize(
    "code, label, schema, message",
    [
        ("SSIN_REPLACED", "x", None, "is a register flow"),
        ("dimona", "x", None, "is not a flow code"),
        ("D", "x", None, "is not a flow code"),
        ("A" * 33, "x", None, "is not a flow code"),
        ("DIMONA", "  ", None, "1 to 256 characters"),
        ("DIMONA", "x", "<xs:schema", "not well-formed"),
        ("DIMONA", "x", "<schema/>", "not an XML Schema"),
        (
            "DIMONA",
            "x",
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n<xs:include schemaLocation="/etc/x.xsd"/>'
            "</xs:schema>",
            "line 2: xs:include of another file",
        ),
        ("DIMONA", "x", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element/></xs:schema>', "name"),
    ],
)
def test_a_bad_flow_definition_is_refused_and_nothing_is_stored(flows, code, label, schema, message):
    with pytest.raises(ValueError, match=message):
        flows.define(code, label, schema)
    assert [f.code for f in flows.flows()] == ["IDENTITY_CHANGED", "SSIN_REPLACED"]


def test_an_authorization_is_granted_listed_and_overlaps_are_refused(flows, dimona, world):
    bce, other = world.tenant("A", "B"), world.tenant("A")
    flows.grant(Authorization(bce, dimona, "SCSZ/24/001", D("2024-01-01"), D("2024-12-31"), ("A",)))
    flows.grant(Authorization(bce, dimona, "SCSZ/25/002", D("2025-01-01")))  # touching is no overlap
    flows.grant(Authorization(other, dimona, "SCSZ/24/003", D("2024-06-01")))  # another tenant
    with pytest.raises(AlreadyExists, match=r"overlaps: SCSZ/24/001, 2024-01-01 to 2024-12-31"):
        flows.grant(Authorization(bce, dimona, "late", D("2024-12-31"), D("2024-12-31")))
    with pytest.raises(AlreadyExists, match="SCSZ/25/002, 2025-01-01 to open-ended"):
        flows.grant(Authorization(bce, dimona, "later", D("2030-01-01")))
    assert [(a.bce, a.reference, a.valid_from, a.valid_to, a.dossier_types) for a in flows.authorizations()] == sorted(
        [
            (bce, "SCSZ/24/001", D("2024-01-01"), D("2024-12-31"), ("A",)),
            (bce, "SCSZ/25/002", D("2025-01-01"), None, None),
            (other, "SCSZ/24/003", D("2024-06-01"), None, None),
        ]
    )
    assert [a.reference for a in flows.authorizations(bce=other)] == ["SCSZ/24/003"]
    assert flows.authorizations(flow="ACTIVA") == []


def test_the_database_itself_refuses_overlapping_authorizations(flows, dimona, world, engine):
    bce = world.tenant("A")
    flows.grant(Authorization(bce, dimona, "first", D("2024-01-01")))
    with pytest.raises(IntegrityError, match="flow_authorization_no_overlap"), engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO flow_authorization (tenant_id, flow, reference, validity)"
                " SELECT id, 'DIMONA', 'sneaky', daterange('2030-01-01', NULL) FROM tenant WHERE bce = :b"
            ),
            {"b": bce},
        )


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"flow": "ACTIVA"}, NotFound, "no network flow ACTIVA"),
        ({"flow": "SSIN_REPLACED"}, NotFound, "is a register flow"),
        ({"bce": "0999999927"}, NotFound, "no tenant with BCE 0999999927"),
        ({"dossier_types": ("A", "NOPE")}, NotFound, "dossier type NOPE is not defined"),
        ({"dossier_types": ()}, ValueError, "names no dossier type"),
        ({"reference": " "}, ValueError, "1 to 100 characters"),
        ({"reference": "x" * 101}, ValueError, "1 to 100 characters"),
        ({"valid_to": date(2023, 12, 31)}, ValueError, "is before --from"),
    ],
)
def test_a_bad_grant_is_refused(flows, dimona, world, change, error, message):
    bce = world.tenant("A")
    fields = {"bce": bce, "flow": dimona, "reference": "SCSZ/24/001", "valid_from": D("2024-01-01")} | change
    with pytest.raises(error, match=message):
        flows.grant(Authorization(**fields))
    assert flows.authorizations() == []


def test_revoking_ends_the_current_authorization_the_day_before_and_removes_later_ones(flows, dimona, world):
    bce = world.tenant("A")
    grant(flows, bce, dimona, D("2024-01-01"), D("2024-12-31"), ref="current")
    grant(flows, bce, dimona, D("2025-01-01"), None, ref="next")
    revoked = flows.revoke(bce, dimona, D("2024-07-01"))
    assert (revoked.ended.reference, revoked.ended.valid_to) == ("current", D("2024-06-30"))
    assert [a.reference for a in revoked.removed] == ["next"]
    assert [(a.reference, a.valid_to) for a in flows.authorizations(bce)] == [("current", D("2024-06-30"))]
    with pytest.raises(NotFound, match="holds no authorization for DIMONA valid on or after 2024-07-01"):
        flows.revoke(bce, dimona, D("2024-07-01"))


def test_revoking_from_the_first_day_removes_the_authorization(flows, dimona, world):
    bce = world.tenant("A")
    grant(flows, bce, dimona, D("2024-01-01"), ref="current")
    revoked = flows.revoke(bce, dimona, D("2024-01-01"))
    assert revoked.ended is None and [a.reference for a in revoked.removed] == ["current"]
    assert flows.authorizations() == []


# --- the application role (the SOAP path) ---------------------------------------------------------


@pytest.fixture
def pool(engine):
    return statement_pool(engine)


def test_the_application_reads_only_its_tenants_authorizations(flows, dimona, world, pool):
    ours, theirs = world.tenant("A"), world.tenant("A")
    grant(flows, ours, dimona, ref="ours")
    grant(flows, theirs, dimona, ref="theirs")
    ours_id = world.tenants.id_of(ours)
    assert [r.reference for r in run(pool, "SELECT reference FROM flow_authorization", {}, ours_id)] == ["ours"]
    assert run(pool, "SELECT reference FROM flow_authorization", {}) == []
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(pool, "DELETE FROM flow_authorization", {}, ours_id)


def test_the_application_reads_flows_codes_and_labels_but_not_their_schemas(flows, dimona, pool):
    assert [r.code for r in run(pool, "SELECT code, label, kind FROM flow ORDER BY code", {})] == [
        "DIMONA", "IDENTITY_CHANGED", "SSIN_REPLACED",
    ]  # fmt: skip
    for statement in ("SELECT payload_schema FROM flow", "UPDATE flow SET label = 'x'", "DELETE FROM flow"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run(pool, statement, {})


@pytest.mark.parametrize("table", ["network_record", "network_client"])
def test_the_application_cannot_touch_network_records_or_credentials(pool, world, table):
    tenant_id = world.tenants.id_of(world.tenant("A"))
    for statement in (f"SELECT * FROM {table}", f"DELETE FROM {table}"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run(pool, statement, {}, tenant_id)


def test_the_only_cross_tenant_function_open_to_the_application_for_routing_is_raas_routing(engine):
    """Of the SECURITY DEFINER functions the application may call, the network flows add raas_routing
    (every tenant's lines, for RoutingService) and raas_network_login (a credential by username)."""
    with engine.connect() as c:
        callable_definers = set(
            c.execute(
                text(
                    "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"
                    " AND p.prosecdef AND has_function_privilege('raas_app', p.oid, 'EXECUTE')"
                )
            ).scalars()
        )
        opened = c.execute(
            text(
                "SELECT proname FROM pg_proc WHERE proname IN ('raas_holders', 'raas_route_network')"
                " AND has_function_privilege('raas_app', oid, 'EXECUTE')"
            )
        ).all()
    assert callable_definers == {
        "raas_login", "raas_login_failed", "raas_login_succeeded", "raas_credentials_version",
        "raas_journal_identity", "raas_journal_head", "raas_routing", "raas_network_login",
        "raas_network_credentials_version",
        "raas_certificate_login",  # (1.1) a tenant's certificate by fingerprint, X.509-signed calls
    }  # fmt: skip
    assert opened == []


def test_an_authorization_ending_yesterday_is_not_valid_today(flows, dimona, world, engine):
    bce = world.tenant("A")
    grant(flows, bce, dimona, today() - timedelta(days=30), today() - timedelta(days=1))
    with engine.connect() as c:
        valid = c.execute(text("SELECT count(*) FROM flow_authorization WHERE validity @> raas_today()")).scalar()
    assert valid == 0
