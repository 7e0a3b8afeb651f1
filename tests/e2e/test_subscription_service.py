"""SubscriptionService end to end: the real `raas serve`, called with zeep (strict), for every operation
and every fault it can answer (CONTRACT.md section 5; the WSDL: test_wsdl.py; samples: test_golden.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from zeep.exceptions import Fault

from register.domain.person import PersonIdentity
from register.services import source_feed
from register.services.source_feed import PersonChanged, SsinReplaced
from tests.e2e.helpers import SUBSCRIPTION, assert_fault, assert_raw_fault, envelope, information_of, post

REPLACED, CHANGED = "SSIN_REPLACED", "IDENTITY_CHANGED"


@pytest.fixture
def subscriber(world, make_client):
    """(the SubscriptionService of a new tenant's client, that tenant's BCE, its username and password)."""
    bce = world.tenant("A")
    username, password = world.client(bce)
    return make_client(username, password, service="SubscriptionService").service, bce, username, password


_AUDIT = "SELECT operation, outcome FROM audit WHERE tenant_id = (SELECT id FROM tenant WHERE bce = :b) ORDER BY id"


def _audit(world, bce: str) -> list[tuple[str, str]]:
    """(operation, outcome) of the tenant's audit rows, oldest first."""
    with world.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(_AUDIT), {"b": bce})]


def test_subscribe_list_and_unsubscribe(subscriber, world):
    service, bce, _, _ = subscriber
    assert service.listSubscriptions() is None  # zeep reads an empty wrapper as None
    before = datetime.now(ZoneInfo("Europe/Brussels")).date()
    made = service.subscribe(flow=REPLACED)
    assert made.flow == REPLACED and made.since in {before, datetime.now(ZoneInfo("Europe/Brussels")).date()}
    with world.engine.begin() as conn:  # as if made long ago: subscribing again keeps it
        conn.execute(text("UPDATE subscription SET since = '2024-01-15'"))
    assert service.subscribe(flow=REPLACED).since == date(2024, 1, 15)
    service.subscribe(flow=CHANGED)
    listed = service.listSubscriptions()
    assert [(s.flow, s.since) for s in listed] == [(CHANGED, made.since), (REPLACED, date(2024, 1, 15))]
    assert service.unsubscribe(flow=REPLACED) is None
    assert service.unsubscribe(flow=REPLACED) is None  # idempotent
    assert [s.flow for s in service.listSubscriptions()] == [CHANGED]
    assert _audit(world, bce) == [
        ("listSubscriptions", "OK"), ("subscribe", "OK"), ("subscribe", "OK"), ("subscribe", "OK"),
        ("listSubscriptions", "OK"), ("unsubscribe", "OK"), ("unsubscribe", "OK"), ("listSubscriptions", "OK"),
    ]  # fmt: skip


def test_list_deliveries_within_inclusive_bounds(subscriber, world, server):
    service, bce, _, _ = subscriber
    assert service.listDeliveries() is None
    for flow, day, count in ((REPLACED, "2024-03-02", 0), (CHANGED, "2024-03-01", 12), (REPLACED, "2024-03-01", 3)):
        world.delivery(server.outbox, bce, flow, day, record_count=count)
    listed = service.listDeliveries()
    assert [(x.runDate, x.flow, x.recordCount) for x in listed] == [
        (date(2024, 3, 1), CHANGED, 12), (date(2024, 3, 1), REPLACED, 3), (date(2024, 3, 2), REPLACED, 0),
    ]  # fmt: skip
    first = listed[0]
    folder = server.outbox / bce
    assert first.fileName == f"RAAS_{bce}_IDENTITY_CHANGED_20240301.xml"
    assert first.voucherName == f"RAAS_{bce}_IDENTITY_CHANGED_20240301.voucher.xml"
    assert first.sizeBytes == (folder / first.fileName).stat().st_size and len(first.sha256) == 64
    assert [x.runDate for x in service.listDeliveries(fromDate=date(2024, 3, 2))] == [date(2024, 3, 2)]
    assert [x.flow for x in service.listDeliveries(toDate=date(2024, 3, 1))] == [CHANGED, REPLACED]
    same_day = service.listDeliveries(fromDate=date(2024, 3, 2), toDate=date(2024, 3, 2))
    assert [x.runDate for x in same_day] == [date(2024, 3, 2)]


def test_get_delivery_answers_both_files_byte_for_byte(subscriber, world, server):
    service, bce, _, _ = subscriber
    name = world.delivery(server.outbox, bce, CHANGED, "2024-03-01", record_count=2)
    got = service.getDelivery(fileName=name)
    folder = server.outbox / bce
    assert got.fileName == name
    assert got.content == (folder / name).read_bytes()
    assert got.voucher == (folder / name.replace(".xml", ".voucher.xml")).read_bytes()
    assert _audit(world, bce) == [("getDelivery", "OK")]


# --- faults -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation, arguments",
    [
        ("subscribe", {"flow": REPLACED}),
        ("unsubscribe", {"flow": REPLACED}),
        ("listSubscriptions", {}),
        ("listDeliveries", {}),
        ("getDelivery", {"fileName": "RAAS_x.xml"}),
    ],
)
def test_every_operation_needs_a_valid_username_token(subscriber, make_client, world, operation, arguments):
    _, bce, username, _ = subscriber
    for client in (make_client(username, "wrong password", service="SubscriptionService"),
                   make_client(None, service="SubscriptionService")):  # fmt: skip
        with pytest.raises(Fault) as refused:
            getattr(client.service, operation)(**arguments)
        assert_fault(refused, "Authentication")
    with world.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM subscription")).scalar_one() == 0
    assert _audit(world, bce) == [(operation, "Client.Authentication")]  # the refused login of its username


@pytest.mark.parametrize("operation", ["subscribe", "unsubscribe"])
def test_a_flow_that_is_not_a_code_is_a_schema_error(subscriber, operation):
    service, _, _, _ = subscriber
    for flow in ("address_changed", "X", "A" * 33):
        with pytest.raises(Fault) as refused:
            getattr(service, operation)(flow=flow)
        assert_fault(refused, "SchemaValidationError", [("element", "flow")])


@pytest.mark.parametrize("operation", ["subscribe", "unsubscribe"])
def test_a_code_that_is_no_flow_is_an_unknown_flow(subscriber, world, operation):
    """1.1 widened v1's enumeration to a code (CONTRACT.md section 5): an undefined one is Client.UnknownFlow."""
    service, bce, _, _ = subscriber
    with pytest.raises(Fault) as refused:
        getattr(service, operation)(flow="ADDRESS_CHANGED")
    assert_fault(refused, "UnknownFlow", [("flow", "ADDRESS_CHANGED")])
    assert _audit(world, bce) == [(operation, "Client.UnknownFlow")]


def test_a_from_date_after_the_to_date_is_an_invalid_period(subscriber, world):
    service, bce, _, _ = subscriber
    with pytest.raises(Fault) as refused:
        service.listDeliveries(fromDate=date(2024, 3, 2), toDate=date(2024, 3, 1))
    assert_fault(refused, "InvalidPeriod", [("fromDate", "2024-03-02")])
    assert _audit(world, bce) == [("listDeliveries", "Client.InvalidPeriod")]


def test_a_date_past_year_9999_is_an_invalid_period_not_an_internal_error(subscriber, server):
    _, _, username, password = subscriber
    body = f'<s:listDeliveries xmlns:s="{SUBSCRIPTION}"><s:toDate>10000-01-01</s:toDate></s:listDeliveries>'
    answer = post(f"{server.base}/ws/SubscriptionService", envelope(body, username, password))
    assert_raw_fault(answer, "InvalidPeriod", [("toDate", "10000-01-01")])


def test_another_tenants_file_is_an_unknown_delivery_even_by_its_exact_name(subscriber, world, server):
    service, bce, _, _ = subscriber
    other = world.tenant("A")
    name = world.delivery(server.outbox, other, REPLACED, "2024-03-01")
    for asked in (name, f"../{other}/{name}", "../x", "RAAS_unknown.xml"):
        with pytest.raises(Fault) as refused:
            service.getDelivery(fileName=asked)
        assert_fault(refused, "UnknownDelivery", [("fileName", asked)])
    assert service.listDeliveries() is None
    assert _audit(world, bce) == [("getDelivery", "Client.UnknownDelivery")] * 4 + [("listDeliveries", "OK")]


def test_an_altered_file_is_an_internal_error_with_an_incident_id_never_its_bytes(subscriber, world, server):
    service, bce, _, _ = subscriber
    name = world.delivery(server.outbox, bce, REPLACED, "2024-03-01")
    path = server.outbox / bce / name
    path.write_bytes(path.read_bytes().replace(b"SSIN_REPLACED</flow>", b"SSIN_REPLACED</flow><!---->"))
    with pytest.raises(Fault) as failed:
        service.getDelivery(fileName=name)
    assert_fault(failed, "Internal", side="Server")
    ((field, incident),) = information_of(failed.value)
    assert field == "incidentId" and incident in server.output()
    assert b"<!---->" not in str(failed.value.detail).encode()
    assert _audit(world, bce) == [("getDelivery", "Server.Internal")]


def test_a_subscriber_gets_the_files_of_a_real_batch_run_byte_for_byte(subscriber, world, server, database_url):
    """subscribe, a mutation from the source, `raas batch run`, then listDeliveries and getDelivery."""
    service, bce, _, _ = subscriber
    service.subscribe(flow=CHANGED)
    ssin, other = world.person("Peeters"), world.person("Peeters")
    with world.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " SELECT id, :s, 'A', daterange('2020-01-01', NULL) FROM tenant WHERE bce = :b"
            ),
            {"s": ssin, "b": bce},
        )
    source_feed.apply(world.engine, [PersonChanged(1, ssin, PersonIdentity("Peters", "Jan", "1985-07-30", "M"))])
    source_feed.apply(world.engine, [SsinReplaced(2, other, ssin)])  # no line of other: not for this tenant
    env = {"DATABASE_URL": database_url, "RAAS_OUTBOX": str(server.outbox), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "register", "batch", "run"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    (delivery,) = service.listDeliveries()
    got = service.getDelivery(fileName=delivery.fileName)
    folder = server.outbox / bce
    assert got.content == (folder / delivery.fileName).read_bytes()
    assert got.voucher == (folder / delivery.voucherName).read_bytes()
    assert (delivery.flow, delivery.recordCount) == (CHANGED, 1)
    assert b"<new>Peters</new>" in got.content
