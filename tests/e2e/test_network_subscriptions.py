"""SubscriptionService 1.1 end to end (CONTRACT.md section 5): listFlows, filters, network flows under an
authorization, UnknownFlow and NotAuthorized; then a network record ingested, `raas batch run`, getDelivery."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import text
from zeep.exceptions import Fault

from register.domain.flows import Authorization
from register.services.network_flows import NetworkFlows
from tests.e2e.helpers import assert_fault


@pytest.fixture
def flows(world) -> NetworkFlows:
    found = NetworkFlows(world.engine)
    found.define("DIMONA", "Employment declarations")
    found.define("ACTIVA", "Activation measures")
    return found


@pytest.fixture
def subscriber(world, make_client, flows):
    bce = world.tenant("A", "B")
    username, password = world.client(bce)
    flows.grant(Authorization(bce, "DIMONA", "SCSZ/24/001", date(2024, 1, 1), None, ("A",)))
    return make_client(username, password, service="SubscriptionService").service, bce


def test_list_flows_gives_the_register_flows_then_the_authorized_network_flows(subscriber):
    service, _ = subscriber
    listed = service.listFlows()
    assert [(f.code, f.kind) for f in listed] == [
        ("IDENTITY_CHANGED", "REGISTER"), ("SSIN_REPLACED", "REGISTER"), ("DIMONA", "NETWORK"),
    ]  # fmt: skip
    grant = listed[2].authorization
    assert (grant.reference, grant.validFrom, grant.validTo, grant.dossierTypes.dossierType) == (
        "SCSZ/24/001", date(2024, 1, 1), None, ["A"],
    )  # fmt: skip
    assert listed[0].authorization is None and listed[2].label == "Employment declarations"


def test_a_filter_is_stored_listed_and_replaced(subscriber):
    service, _ = subscriber
    made = service.subscribe(flow="SSIN_REPLACED", dossierTypes={"dossierType": ["B", "A"]})
    assert made.dossierTypes.dossierType == ["A", "B"]
    assert service.subscribe(flow="SSIN_REPLACED").dossierTypes is None
    assert [s.dossierTypes for s in service.listSubscriptions()] == [None]


def test_network_flow_refusals(subscriber, world):
    service, bce = subscriber
    with pytest.raises(Fault) as refused:
        service.subscribe(flow="ACTIVA")
    assert_fault(refused, "NotAuthorized", [("flow", "ACTIVA")])
    with pytest.raises(Fault) as refused:
        service.subscribe(flow="DIMONA", dossierTypes={"dossierType": ["A", "B"]})
    assert_fault(refused, "NotAuthorized", [("flow", "DIMONA"), ("dossierType", "B")])
    with pytest.raises(Fault) as refused:
        service.subscribe(flow="DIMONA", dossierTypes={"dossierType": ["C"]})
    assert_fault(refused, "UnknownDossierType", [("dossierType", "C")])
    with pytest.raises(Fault) as refused:
        service.subscribe(flow="BELCOTAX")
    assert_fault(refused, "UnknownFlow", [("flow", "BELCOTAX")])
    assert service.listSubscriptions() is None
    assert service.subscribe(flow="DIMONA", dossierTypes={"dossierType": ["A"]}).flow == "DIMONA"


def test_an_ingested_record_reaches_the_subscriber_in_its_nightly_network_file(
    subscriber, world, flows, server, database_url, tmp_path
):
    service, bce = subscriber
    service.subscribe(flow="DIMONA")
    jan = world.person()
    with world.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " SELECT id, :s, 'A', daterange('2024-01-01', NULL) FROM tenant WHERE bce = :b"
            ),
            {"s": jan, "b": bce},
        )
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<n:NetworkFeed xmlns:n="urn:be:raas:network:v1"><n:flow>DIMONA</n:flow><n:record>'
        f"<n:reference>D-1</n:reference><n:ssin>{jan}</n:ssin><n:eventDate>2024-06-01</n:eventDate>"
        '<n:kind>IN</n:kind><n:payload><d:x xmlns:d="urn:d">hired</d:x></n:payload></n:record></n:NetworkFeed>'
    )
    env = {"DATABASE_URL": database_url, "RAAS_OUTBOX": str(server.outbox), "PATH": "/usr/bin:/bin"}
    for args in (["flow", "ingest", str(feed)], ["batch", "run"]):
        done = subprocess.run([sys.executable, "-m", "register", *args], env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr

    (delivery,) = service.listDeliveries()
    got = service.getDelivery(fileName=delivery.fileName)
    assert (delivery.flow, delivery.recordCount) == ("DIMONA", 1)
    assert b'<n:payload><d:x xmlns:d="urn:d">hired</d:x></n:payload>' in got.content
    assert b"<schema>urn:be:raas:network:v1</schema>" in got.voucher
