"""Golden samples (wsdl/examples/): each request, posted to the server, answers its golden response.

The samples settle naming questions the contract leaves open (CONTRACT.md). They
use fixed SSINs, a fixed tenant (its id too: the server's workers cache a
verified caller, tenant id included, for 60 s) and the credential named in their
UsernameToken. Responses are compared as canonical XML with prefixes rewritten,
so only names, namespaces, order and values count.

RAAS_UPDATE_GOLDEN=1 rewrites the response files from what the server answers
(then review the diff).
"""

from __future__ import annotations

import os
from datetime import date

import pytest
import xmlschema
from lxml import etree
from sqlalchemy import text

from register.adapters.network_clients import NetworkClients
from register.domain.bis import candidates
from register.domain.dates import IncompleteDate
from register.domain.flows import Authorization
from register.domain.person_row import person_row
from register.services.auth import hash_password
from register.services.network_flows import NetworkFlows
from register.services.source_import import import_persons
from tests.e2e.helpers import COMMON, EXAMPLES, ROOT, SAFE_PARSER, SOAP_ENV, canonical, post, write_schema_files

USERNAME, PASSWORD = "golden-client", "golden-password-2024"
TENANT_ID, BCE = 900001, "0203040596"
OTHER_ID, OTHER_BCE = 900002, "0304050656"
HUB, HUB_PASSWORD = "golden-hub", "golden-hub-password-2024"  # RoutingService's samples
PERSONS = [
    ("85073003328", "Peeters", "Jan", "1985-07-30", "M"),
    ("90020212372", "Janssens", "Marie", "1990-02-02", "F"),
    ("77123145624", "Dubois", "Luc", "1977-12-31", "M"),
    ("90431000246", "Nowak", "Ania", "1990-03-10", "F"),  # a BIS number
]
DOSSIER_TYPES = [("SOCIAL", "Social assistance"), ("ALLOWANCE", "Family allowance")]

# Lines in the register before each sample's request: (ssin, dossier type, first day, last day or None)
SEEDS = {
    "registerPerson": [
        ("85073003328", "SOCIAL", "2024-01-01", "2024-02-29"),
        ("85073003328", "SOCIAL", "2024-04-01", "2024-12-31"),
    ],
    "unregisterPerson": [("85073003328", "SOCIAL", "2024-01-01", "2024-12-31")],
    "listRegistrations": [
        ("85073003328", "SOCIAL", "2024-07-01", None),
        ("85073003328", "SOCIAL", "2024-01-01", "2024-05-31"),
        ("85073003328", "ALLOWANCE", "2024-01-01", None),
        ("90020212372", "SOCIAL", "2023-01-01", "2024-01-15"),
        ("77123145624", "SOCIAL", "2020-01-01", "2020-12-31"),
    ],
    "listDossierTypes": [],
    "fault-InvalidSsin": [("85073003328", "SOCIAL", "2024-01-01", "2024-01-31")],
    "getPerson": [("85073003328", "SOCIAL", "2024-01-01", None)],
    "createBisNumber": [],
    "updateBisPerson": [("90431000246", "SOCIAL", "2024-01-01", None)],
    "searchPersonByPhoneticCriteria": [],
    "subscribe": [],
    "unsubscribe": [],
    "listSubscriptions": [],
    "listDeliveries": [],
    "getDelivery": [],
    "fault-UnknownDelivery": [],
    # 1.1: network flows (the golden world defines DIMONA, authorizes the tenant for SOCIAL lines)
    "listFlows": [],
    "fault-UnknownFlow": [],
    "fault-NotAuthorized": [],
    "findHolders": [
        ("85073003328", "SOCIAL", "2024-01-01", None),
        ("85073003328", "ALLOWANCE", "2023-01-01", "2024-06-30"),
        ("85073003328", "ALLOWANCE", "2024-07-01", None),  # not yet on the day asked
        ("85073003328", "PENSION", "2020-01-01", None, OTHER_ID),
        ("90020212372", "SOCIAL", "2024-01-01", None),  # another person
    ],
    "checkAuthorization": [
        ("85073003328", "SOCIAL", "2024-01-01", None),
        ("85073003328", "ALLOWANCE", "2023-01-01", "2024-06-30"),
    ],
}
# Subscriptions (flow, since) and deliveries (flow, run date, record count) before the request: a
# subscription made today would change the sample every day
SUBSCRIPTIONS = {
    "subscribe": [("SSIN_REPLACED", "2024-01-15")],
    "unsubscribe": [("IDENTITY_CHANGED", "2024-01-15")],
    "listSubscriptions": [("SSIN_REPLACED", "2024-01-15"), ("IDENTITY_CHANGED", "2024-02-01")],
}
DELIVERIES = {
    "listDeliveries": [
        ("SSIN_REPLACED", "2024-02-29", 1),
        ("SSIN_REPLACED", "2024-03-01", 0),
        ("IDENTITY_CHANGED", "2024-03-01", 2),
        ("SSIN_REPLACED", "2024-03-02", 1),
    ],
    "getDelivery": [("IDENTITY_CHANGED", "2024-03-01", 2)],
    "fault-UnknownDelivery": [("SSIN_REPLACED", "2024-03-01", 0)],
}
SAMPLES = list(SEEDS)
OPERATION = {
    "fault-InvalidSsin": "registerPerson",
    "fault-UnknownDelivery": "getDelivery",
    "fault-UnknownFlow": "subscribe",
    "fault-NotAuthorized": "subscribe",
}
# the samples of PersonService's and SubscriptionService's operations (the others are RegisterService's)
PERSON_OPERATIONS = {"getPerson", "createBisNumber", "updateBisPerson", "searchPersonByPhoneticCriteria"}
SUBSCRIPTION_OPERATIONS = {
    "subscribe",
    "unsubscribe",
    "listSubscriptions",
    "listDeliveries",
    "getDelivery",
    "listFlows",
}
ROUTING_OPERATIONS = {"findHolders", "checkAuthorization"}
# createBisNumber's sample: every BIS number of its birth date and gender is taken but one, so the answer is known
BIS_LEFT_FREE = "90430050042"
READABLE_PREFIXES = {"soap11env": "soapenv", "s0": "com"}
SERVICE_PREFIXES = {
    "RegisterService": "reg",
    "PersonService": "per",
    "SubscriptionService": "sub",
    "RoutingService": "rou",
}


def service_of(name: str) -> str:
    operation = OPERATION.get(name, name)
    if operation in PERSON_OPERATIONS:
        return "PersonService"
    if operation in ROUTING_OPERATIONS:
        return "RoutingService"
    return "SubscriptionService" if operation in SUBSCRIPTION_OPERATIONS else "RegisterService"


@pytest.fixture
def golden_world(world):
    with world.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO tenant (id, bce, name) OVERRIDING SYSTEM VALUE VALUES (:id, :bce, 'Golden tenant')"),
            {"id": TENANT_ID, "bce": BCE},
        )
    for code, label in DOSSIER_TYPES:
        world.tenants.add_dossier_type(BCE, code, label)
    world.tenants.add_client(BCE, USERNAME, hash_password(PASSWORD))
    for ssin, last_name, first_name, birth_date, gender in PERSONS:
        world.person(last_name, first_name, birth_date, gender, ssin=ssin)
    # 1.1: another tenant, the network flows, the tenant's authorization, RoutingService's credential
    with world.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO tenant (id, bce, name) OVERRIDING SYSTEM VALUE VALUES (:id, :bce, 'Other tenant')"),
            {"id": OTHER_ID, "bce": OTHER_BCE},
        )
    world.tenants.add_dossier_type(OTHER_BCE, "PENSION", "Pensions")
    flows = NetworkFlows(world.engine)
    flows.define("DIMONA", "Employment declarations (Dimona)")
    flows.define("ACTIVA", "Activation measures")  # no authorization: not listed
    flows.grant(Authorization(BCE, "DIMONA", "SCSZ/24/001", date(2024, 1, 1), None, ("SOCIAL",)))
    NetworkClients(world.engine).add(HUB, hash_password(HUB_PASSWORD))
    return world


def _seed(world, name: str, outbox) -> None:
    if name == "createBisNumber":
        taken = [n for n in candidates(IncompleteDate.parse("1990-03-00"), "F") if n != BIS_LEFT_FREE]
        import_persons(world.engine, (person_row(n, "Taken", "Number", "1990-03-00", "F") for n in taken))
    with world.engine.begin() as conn:
        for ssin, dossier_type, first, last, *tenant in SEEDS[name]:
            conn.execute(
                text(
                    "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                    " VALUES (:tenant, :ssin, :type, daterange(CAST(:first AS date), CAST(:last AS date), '[]'))"
                ),
                {
                    "tenant": tenant[0] if tenant else TENANT_ID,
                    "ssin": ssin,
                    "type": dossier_type,
                    "first": first,
                    "last": last,
                },  # fmt: skip
            )
        for flow, since in SUBSCRIPTIONS.get(name, []):
            conn.execute(
                text("INSERT INTO subscription VALUES (:tenant, :flow, :since, 0)"),
                {"tenant": TENANT_ID, "flow": flow, "since": since},
            )
    for flow, run_date, record_count in DELIVERIES.get(name, []):
        world.delivery(outbox, BCE, flow, run_date, record_count)


def _readable(response: bytes, name: str) -> bytes:
    """The server's answer pretty-printed, with the prefixes the request samples use."""
    root = etree.fromstring(response, SAFE_PARSER)
    text_form = etree.tostring(root).decode()
    prefixes = READABLE_PREFIXES | {"tns": SERVICE_PREFIXES[service_of(name)]}
    for old, new in prefixes.items():
        text_form = text_form.replace(f"<{old}:", f"<{new}:").replace(f"</{old}:", f"</{new}:")
        text_form = text_form.replace(f"xmlns:{old}=", f"xmlns:{new}=")
    root = etree.fromstring(text_form.encode(), SAFE_PARSER)
    for node in root.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    # the faultcode is a QName in the envelope's namespace: declare the prefix it uses
    if root.find(f".//{{{SOAP_ENV}}}Fault") is not None and root.nsmap.get("soapenv") != SOAP_ENV:
        raise AssertionError("write the fault sample with the soapenv prefix bound")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, pretty_print=True, encoding="UTF-8")


@pytest.mark.parametrize("name", SAMPLES)
def test_the_golden_request_answers_the_golden_response(golden_world, server, name):
    _seed(golden_world, name, server.outbox)
    answer = post(f"{server.base}/ws/{service_of(name)}", (EXAMPLES / f"{name}.request.xml").read_bytes())
    assert answer.status_code == (500 if name.startswith("fault-") else 200), answer.text
    golden = EXAMPLES / f"{name}.response.xml"
    if os.environ.get("RAAS_UPDATE_GOLDEN"):
        golden.write_bytes(_readable(answer.content, name))
    assert canonical(answer.content, rewrite_prefixes=True) == canonical(golden.read_bytes(), rewrite_prefixes=True)


@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    """Each committed WSDL's schemas (the served ones equal them: test_wsdl.py), in libxml2 and in xmlschema."""
    loaded = {}

    def of(service: str):
        if service not in loaded:
            wsdl = etree.parse(str(ROOT / "wsdl" / f"{service}.wsdl"), SAFE_PARSER).getroot()
            wrapper = write_schema_files(wsdl, tmp_path_factory.mktemp("xsd"))
            loaded[service] = etree.XMLSchema(etree.parse(str(wrapper))), xmlschema.XMLSchema(str(wrapper))
        return loaded[service]

    return of


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("name", SAMPLES)
def test_the_golden_sample_conforms_to_the_wsdl_schemas(schemas, name, kind):
    libxml2_schema, python_schema = schemas(service_of(name))
    document = (EXAMPLES / f"{name}.{kind}.xml").read_bytes()
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = etree.fromstring(document, SAFE_PARSER)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    (payload,) = root.find(f"{{{SOAP_ENV}}}Body")
    if payload.tag == f"{{{SOAP_ENV}}}Fault":
        assert name.startswith("fault-") and kind == "response"
        fault_code = payload.findtext("faultcode")
        prefix, _, reason = fault_code.partition(":")
        assert payload.nsmap[prefix] == SOAP_ENV and reason == f"Client.{name.removeprefix('fault-')}"
        (payload,) = payload.find("detail")
        assert payload.tag == f"{{{COMMON}}}FaultDetail"
    else:
        operation = OPERATION.get(name, name)
        assert etree.QName(payload).localname == operation + ("Response" if kind == "response" else "")
    standalone = etree.fromstring(etree.tostring(payload))
    libxml2_schema.assertValid(standalone)
    python_schema.validate(etree.tostring(standalone).decode())
