"""The main calls from node-soap (tests/e2e/node/client.js, subscriptions.js), where node and npm are installed."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

NODE_DIR = Path(__file__).resolve().parent / "node"


@pytest.fixture(scope="session")
def node_soap() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node-soap checks need node and npm on the PATH")
    if not (NODE_DIR / "node_modules" / "soap").is_dir():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True, timeout=300
        )
        assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}\n{installed.stderr}"
    return Path(node)


def run_client(node: Path, server, username: str, password: str, ssin: str, mode: str) -> dict:
    done = subprocess.run(
        [str(node), "client.js", server.wsdl_url, username, password, ssin, mode],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out.pop("warnings") == []
    return out


def _day(value: str) -> str:
    """node-soap turns an xs:date into a Date: its JSON is the UTC midnight of that day."""
    assert value.endswith("T00:00:00.000Z"), value
    return value[:10]


def _lines(wrapper) -> list[tuple]:
    items = wrapper["registration"]
    items = items if isinstance(items, list) else [items]  # node-soap gives one item as an object
    return [(r["ssin"], r["dossierType"], _day(r["period"]["startDate"]), _day(r["period"]["endDate"])) for r in items]


@pytest.mark.parametrize("mode", ["text", "full"])
def test_node_soap_calls_every_operation(node_soap, world, caller, server, mode):
    ssin = world.person(last_name="Peeters", first_name="Jan", birth_date="1985-07-30", gender="M")
    out = run_client(node_soap, server, caller.username, caller.password, ssin, mode)

    january = out["registerJanuary"]["result"]
    assert _lines({"registration": january["registration"]}) == [(ssin, "A", "2024-01-01", "2024-01-31")]
    assert (january["mergedCount"], january["changed"]) == (0, True)

    february = out["registerFebruary"]["result"]
    assert _lines({"registration": february["registration"]}) == [(ssin, "A", "2024-01-01", "2024-02-29")]
    assert (february["mergedCount"], february["changed"]) == (1, True)

    listed = out["listRegistrations"]["result"]
    assert _lines(listed["registrations"]) == [(ssin, "A", "2024-01-01", "2024-02-29")]
    assert "nextPageToken" not in listed

    unregistered = out["unregisterPerson"]["result"]
    assert (unregistered["deletedCount"], unregistered["changedCount"]) == (0, 1)
    assert _lines(unregistered["remaining"]) == [
        (ssin, "A", "2024-01-01", "2024-01-09"),
        (ssin, "A", "2024-01-21", "2024-02-29"),
    ]

    assert out["listDossierTypes"]["result"] == {
        "dossierTypes": {
            "dossierType": [{"code": "A", "label": "Dossier type A"}, {"code": "B", "label": "Dossier type B"}]
        }
    }

    assert out["invalidSsin"] == {
        "fault": {
            "faultcode": "soapenv:Client.InvalidSsin",
            "faultstring": "The SSIN has wrong check digits or an impossible birth date.",
            "detail": {
                "FaultDetail": {
                    "reasonCode": "InvalidSsin",
                    "information": {"fieldName": "ssin", "fieldValue": out["invalidSsinSent"]},
                }
            },
        }
    }


def test_node_soap_password_digest_is_refused(node_soap, world, caller, server, unchanged):
    out = run_client(node_soap, server, caller.username, caller.password, world.person(), "digest")
    fault = out["listDossierTypes"]["fault"]
    assert fault["faultcode"] == "soapenv:Client.Authentication"
    assert fault["detail"] == {"FaultDetail": {"reasonCode": "Authentication"}}


def test_node_soap_calls_every_subscription_operation(node_soap, world, caller, server):
    name = world.delivery(server.outbox, caller.bce, "SSIN_REPLACED", "2024-03-01", record_count=1)
    done = subprocess.run(
        [str(node_soap), "subscriptions.js", f"{server.base}/ws/SubscriptionService?wsdl", caller.username,
         caller.password, name],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out.pop("warnings") == []

    made = out["subscribe"]["result"]["subscription"]
    assert made["flow"] == "IDENTITY_CHANGED"
    (listed,) = out["listSubscriptions"]["result"]["subscriptions"]["subscription"]
    assert listed == made and out["unsubscribe"] == {"result": None}

    (delivery,) = out["listDeliveries"]["result"]["deliveries"]["delivery"]
    content = (server.outbox / caller.bce / name).read_bytes()
    assert (delivery["fileName"], _day(delivery["runDate"]), delivery["recordCount"], delivery["sizeBytes"]) == (
        name, "2024-03-01", 1, len(content),
    )  # fmt: skip
    got = out["getDelivery"]["result"]
    assert got["fileName"] == name and base64.b64decode(got["content"]) == content
    assert base64.b64decode(got["voucher"]) == (server.outbox / caller.bce / delivery["voucherName"]).read_bytes()

    refused = out["unknownDelivery"]["fault"]
    assert refused["faultcode"] == "soapenv:Client.UnknownDelivery"
    assert refused["detail"]["FaultDetail"]["information"] == {"fieldName": "fileName", "fieldValue": f"../{name}"}


def test_node_soap_calls_routing_service_with_a_network_credential(node_soap, world, server):
    """RoutingService's WSDL loads in node-soap without warnings; both operations and a fault."""
    from datetime import date

    from register.adapters.network_clients import NetworkClients
    from register.domain.flows import Authorization
    from register.services.auth import hash_password
    from register.services.network_flows import NetworkFlows

    NetworkClients(world.engine).add("node-hub", hash_password("node hub password"))
    bce, ssin = world.tenant("A"), world.person()
    flows = NetworkFlows(world.engine)
    flows.define("DIMONA", "Employment declarations")
    flows.grant(Authorization(bce, "DIMONA", "SCSZ/24/001", date(2020, 1, 1)))
    with world.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " SELECT id, :s, 'A', daterange('2024-01-01', NULL) FROM tenant WHERE bce = :b"
            ),
            {"s": ssin, "b": bce},
        )
    done = subprocess.run(
        [str(node_soap), "routing.js", f"{server.base}/ws/RoutingService?wsdl", "node-hub", "node hub password", ssin,
         bce],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out.pop("warnings") == []
    (holder,) = _items(out["findHolders"]["result"]["holders"]["holder"])
    assert (holder["bce"], holder["dossierType"], _day(holder["period"]["startDate"])) == (bce, "A", "2024-01-01")
    checked = out["checkAuthorization"]["result"]
    assert (checked["authorized"], checked["reason"]) == (True, "AUTHORIZED")
    assert [r["ssin"] for r in _items(checked["registrations"]["registration"])] == [ssin]
    refused = out["unknownFlow"]["fault"]
    assert refused["faultcode"] == "soapenv:Client.UnknownFlow"
    assert refused["detail"]["FaultDetail"]["information"] == {"fieldName": "flow", "fieldValue": "NOPE"}


def _items(value) -> list:
    return value if isinstance(value, list) else [value]
