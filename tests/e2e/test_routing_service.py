"""RoutingService end to end (CONTRACT.md section 10): the real `raas serve` called with zeep (strict) on a
network credential; tenant and network credentials kept apart in both directions; every call audited."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text
from zeep.exceptions import Fault

from register.adapters.network_clients import NetworkClients
from register.domain.flows import Authorization
from register.services.auth import hash_password
from register.services.network_flows import NetworkFlows
from tests.conftest import new_ssin, wrong_check_digits
from tests.e2e.helpers import assert_fault

PASSWORD = "network password 2024"


@pytest.fixture
def hub(world, make_client):
    """A network credential (a username of its own: workers remember a verified one) and its RoutingService."""
    username = f"hub-{uuid.uuid4().hex[:10]}"
    NetworkClients(world.engine).add(username, hash_password(PASSWORD))
    return username, make_client(username, PASSWORD, service="RoutingService").service


@pytest.fixture
def held(world):
    """Jan, held by two tenants; the first authorized for DIMONA for its dossier type B only."""
    first, second = sorted((world.tenant("A", "B"), world.tenant("A")))
    jan = world.person()
    with world.engine.begin() as c:
        for bce, dossier_type, start, end in ((first, "A", "2024-01-01", None), (first, "B", "2023-01-01", None),
                                              (second, "A", "2024-03-01", "2024-03-31")):  # fmt: skip
            c.execute(
                text(
                    "INSERT INTO registration (tenant_id, ssin, dossier_type, period) SELECT id, :s, :d,"
                    " daterange(CAST(:start AS date), CAST(:end AS date), '[]') FROM tenant WHERE bce = :b"
                ),
                {"s": jan, "d": dossier_type, "start": start, "end": end, "b": bce},
            )
    flows = NetworkFlows(world.engine)
    flows.define("DIMONA", "Employment declarations")
    flows.grant(Authorization(first, "DIMONA", "SCSZ/24/001", date(2020, 1, 1), None, ("B",)))
    return first, second, jan


def audited(world, username: str) -> list[tuple]:
    with world.engine.connect() as c:
        return [
            tuple(r)
            for r in c.execute(
                text("SELECT tenant_id, operation, ssins, outcome FROM audit WHERE username = :u ORDER BY id"),
                {"u": username},
            )
        ]


def test_find_holders_answers_every_tenants_lines_on_the_day(hub, held):
    _, service = hub
    first, second, jan = held
    found = service.findHolders(ssin=jan, date=date(2024, 3, 15))
    assert [(h.bce, h.dossierType, h.period.startDate, h.period.endDate) for h in found] == [
        (first, "A", date(2024, 1, 1), None),
        (first, "B", date(2023, 1, 1), None),
        (second, "A", date(2024, 3, 1), date(2024, 3, 31)),
    ]
    assert [h.dossierType for h in service.findHolders(ssin=jan, date=date(2024, 3, 15), dossierType="B")] == ["B"]
    assert service.findHolders(ssin=jan, date=date(2022, 1, 1)) is None  # zeep reads an empty wrapper as None


def test_check_authorization_answers_its_reason_and_the_lines_that_qualify(hub, held):
    _, service = hub
    first, second, jan = held
    day = date(2024, 3, 15)
    allowed = service.checkAuthorization(bce=first, ssin=jan, date=day, flow="DIMONA")
    assert (allowed.authorized, allowed.reason) == (True, "AUTHORIZED")
    assert [(r.ssin, r.dossierType) for r in allowed.registrations.registration] == [(jan, "B")]
    refused = service.checkAuthorization(bce=second, ssin=jan, date=day, flow="DIMONA")
    assert (refused.authorized, refused.reason, refused.registrations) == (False, "NO_FLOW_AUTHORIZATION", None)
    assert service.checkAuthorization(bce=second, ssin=jan, date=date(2024, 4, 1)).reason == "NO_LINE"
    assert service.checkAuthorization(bce="0999999927", ssin=jan).reason == "UNKNOWN_TENANT"


def test_faults_come_in_the_contracts_order_and_are_audited(hub, held, world):
    username, service = hub
    first, _, jan = held
    bad, unknown = wrong_check_digits(jan), new_ssin()
    with pytest.raises(Fault) as refused:
        service.findHolders(ssin=bad)
    assert_fault(refused, "InvalidSsin", [("ssin", bad)])
    with pytest.raises(Fault) as refused:
        service.checkAuthorization(bce=first, ssin=unknown, flow="NOPE")
    assert_fault(refused, "UnknownSsin", [("ssin", unknown)])
    with pytest.raises(Fault) as refused:
        service.checkAuthorization(bce=first, ssin=jan, flow="SSIN_REPLACED")
    assert_fault(refused, "UnknownFlow", [("flow", "SSIN_REPLACED")])
    service.findHolders(ssin=jan)
    assert audited(world, username) == [
        (None, "findHolders", [bad], "Client.InvalidSsin"),
        (None, "checkAuthorization", [unknown], "Client.UnknownSsin"),
        (None, "checkAuthorization", [jan], "Client.UnknownFlow"),
        (None, "findHolders", [jan], "OK"),
    ]


def test_a_tenant_credential_is_refused_by_routing_service(world, make_client, held):
    _, _, jan = held
    bce = world.tenant("A")
    username, password = world.client(bce)
    with pytest.raises(Fault) as refused:
        make_client(username, password, service="RoutingService").service.findHolders(ssin=jan)
    assert_fault(refused, "Authentication")
    # the network's credentials do not know the username: audited without a tenant
    assert audited(world, username) == [(None, "findHolders", [jan], "Client.Authentication")]


@pytest.mark.parametrize(
    "service, operation, arguments",
    [
        ("RegisterService", "listDossierTypes", {}),
        ("PersonService", "getPerson", {"ssin": "85073003328"}),
        ("SubscriptionService", "listFlows", {}),
    ],
)
def test_a_network_credential_is_refused_by_the_tenant_services(hub, make_client, world, service, operation, arguments):
    username, _ = hub
    with pytest.raises(Fault) as refused:
        getattr(make_client(username, PASSWORD, service=service).service, operation)(**arguments)
    assert_fault(refused, "Authentication")
    assert [row[1:] for row in audited(world, username)][-1][:1] == (operation,)
