"""The served WSDL: equal to the committed one, addressed at RAAS_PUBLIC_URL, its schemas sound and as the contract says."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
import requests
import xmlschema
import zeep
from lxml import etree

from tests.e2e.helpers import (
    COMMITTED_ADDRESS,
    COMMON,
    PERSON,
    REGISTER,
    ROOT,
    ROUTING,
    SAFE_PARSER,
    SUBSCRIPTION,
    WSDL,
    WSDL_FILE,
    WSDL_SOAP,
    XS,
    canonical,
    write_schema_files,
    wsdl_schemas,
)
from tests.e2e.routing_contract import ROUTING_CONTRACT, ROUTING_SIMPLE

UNBOUNDED = "unbounded"

# Every complex content of the contract (CONTRACT.md sections 1-3), as a path from a global element:
# its children in order, with 1 (required), 0 (optional) or UNBOUNDED (a list's items).
CONTRACT = {
    "registerPerson": {"ssin": 1, "dossierType": 1, "period": 1, "identity": 0},
    "registerPerson/period": {"startDate": 1, "endDate": 0},
    "registerPerson/identity": {"lastName": 0, "firstName": 0, "birthDate": 0, "gender": 0},
    "registerPersonResponse": {"registration": 1, "mergedCount": 1, "changed": 1},
    "registerPersonResponse/registration": {"ssin": 1, "dossierType": 1, "period": 1},
    "registerPersonResponse/registration/period": {"startDate": 1, "endDate": 0},
    "unregisterPerson": {"ssin": 1, "dossierType": 1, "period": 0},
    "unregisterPersonResponse": {"deletedCount": 1, "changedCount": 1, "remaining": 1},
    "unregisterPersonResponse/remaining": {"registration": UNBOUNDED},
    "unregisterPersonResponse/remaining/registration": {"ssin": 1, "dossierType": 1, "period": 1},
    "listRegistrations": {"ssin": 0, "dossierType": 0, "period": 0, "pageSize": 0, "pageToken": 0},
    "listRegistrationsResponse": {"registrations": 1, "nextPageToken": 0},
    "listRegistrationsResponse/registrations": {"registration": UNBOUNDED},
    "listRegistrationsResponse/registrations/registration": {"ssin": 1, "dossierType": 1, "period": 1},
    "listDossierTypes": {},
    "listDossierTypesResponse": {"dossierTypes": 1},
    "listDossierTypesResponse/dossierTypes": {"dossierType": UNBOUNDED},
    "listDossierTypesResponse/dossierTypes/dossierType": {"code": 1, "label": 1},
    "{urn:be:raas:common:v1}FaultDetail": {"reasonCode": 1, "diagnostic": 0, "information": UNBOUNDED},
    "{urn:be:raas:common:v1}FaultDetail/information": {"fieldName": 1, "fieldValue": 1},
}

# Simple types the contract names: (base, facets that must be there)
SIMPLE = {
    "registerPerson/ssin": (f"{{{XS}}}string", {"pattern": "[0-9]{11}"}),
    "listRegistrations/ssin": (f"{{{XS}}}string", {"pattern": "[0-9]{11}"}),
    "registerPerson/period/startDate": (f"{{{XS}}}date", {}),
    "registerPerson/period/endDate": (f"{{{XS}}}date", {}),
    "registerPerson/identity/birthDate": (f"{{{XS}}}string", {"pattern": "[0-9]{4}-[0-9]{2}-[0-9]{2}"}),
    "registerPerson/identity/gender": (f"{{{XS}}}string", {"enumeration": ["M", "F"]}),
    "registerPersonResponse/mergedCount": (f"{{{XS}}}int", {}),
    "registerPersonResponse/changed": (f"{{{XS}}}boolean", {}),
    "unregisterPersonResponse/deletedCount": (f"{{{XS}}}int", {}),
    "unregisterPersonResponse/changedCount": (f"{{{XS}}}int", {}),
    "listRegistrations/pageSize": (f"{{{XS}}}int", {"minInclusive": "1", "maxInclusive": "1000"}),
    "listRegistrationsResponse/nextPageToken": (f"{{{XS}}}string", {"minLength": "1"}),
    "listDossierTypesResponse/dossierTypes/dossierType/code": (f"{{{XS}}}string", {"minLength": "1"}),
    "listDossierTypesResponse/dossierTypes/dossierType/label": (f"{{{XS}}}string", {"minLength": "1"}),
    "registerPersonResponse/registration/dossierType": (f"{{{XS}}}string", {"minLength": "1"}),
}


@pytest.fixture(scope="module")
def served(server) -> bytes:
    answer = requests.get(server.wsdl_url, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/xml")
    return answer.content


@pytest.fixture(scope="module")
def wsdl(served):
    return etree.fromstring(served, SAFE_PARSER)


def _address(root) -> etree._Element:
    (address,) = root.iterfind(f"{{{WSDL}}}service/{{{WSDL}}}port/{{{WSDL_SOAP}}}address")
    return address


def _declarations_sorted(wsdl: etree._Element) -> etree._Element:
    """The WSDL with each schema's top-level declarations in name order (their order means nothing in XSD;
    spyne's varies between processes: see test_the_wsdl_does_not_depend_on_the_process)."""
    for schema in wsdl.iterfind(f"{{{WSDL}}}types/{{{XS}}}schema"):
        schema[:] = sorted(
            schema, key=lambda node: (etree.QName(node).localname != "import", node.tag, node.get("name") or "")
        )
    return wsdl


def test_the_served_wsdl_is_the_committed_one(served, server):
    committed = etree.parse(str(WSDL_FILE), SAFE_PARSER).getroot()
    assert _address(committed).get("location") == COMMITTED_ADDRESS
    root = etree.fromstring(served, SAFE_PARSER)
    assert _address(root).get("location") == server.endpoint
    _address(root).set("location", COMMITTED_ADDRESS)
    assert canonical(_declarations_sorted(root)) == canonical(_declarations_sorted(committed))


# Rebuilds the service classes 40 times in one process (new class objects, new id()s) and counts the
# different WSDLs they give.
_REBUILD = """
import importlib, sys
import register.soap.application, register.soap.wsdl
modules = ["register.soap.types", "register.soap.register_service", "register.soap.person_service",
           "register.soap.subscription_service", "register.soap.routing_service", "register.soap.application"]
seen = {}
for _ in range(40):
    for name in modules:
        importlib.reload(sys.modules[name])
    for service, document in register.soap.wsdl.documents().items():
        seen.setdefault(service, set()).add(document)
print(sorted(len(documents) for documents in seen.values()))
"""


def test_the_wsdl_does_not_depend_on_the_process():
    done = subprocess.run(
        [sys.executable, "-c", _REBUILD], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[1, 1, 1, 1]"


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example:9999"},
        {"Host": "10.0.0.1", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    ],
)
def test_the_soap_address_is_the_public_url_whatever_the_host_header(server, headers):
    for url in (server.wsdl_url, server.wsdl_url.replace("?wsdl", "?WSDL")):
        answer = requests.get(url, headers=headers, timeout=10)
        assert answer.status_code == 200
        assert _address(etree.fromstring(answer.content, SAFE_PARSER)).get("location") == server.endpoint
        assert b"evil.example" not in answer.content and b"10.0.0.1" not in answer.content


def test_zeep_loads_the_wsdl_strictly_without_warnings(server):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = zeep.Client(server.wsdl_url, settings=zeep.Settings(strict=True))
    operations = client.wsdl.services["RegisterService"].ports["RegisterService"].binding._operations
    client.transport.session.close()
    assert sorted(operations) == ["listDossierTypes", "listRegistrations", "registerPerson", "unregisterPerson"]


def test_the_schemas_compile_in_libxml2(wsdl, tmp_path):
    schema = etree.XMLSchema(etree.parse(str(write_schema_files(wsdl, tmp_path))))
    assert schema.error_log.last_error is None


def test_the_schemas_compile_in_xmlschema(wsdl, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = xmlschema.XMLSchema(str(write_schema_files(wsdl, tmp_path)))
    assert schema.maps.validation_attempted == "full" and schema.maps.validity == "valid"
    assert f"{{{REGISTER}}}registerPerson" in schema.maps.elements
    assert f"{{{COMMON}}}FaultDetail" in schema.maps.elements


def test_the_namespaces_are_the_contracts(wsdl):
    assert wsdl.get("targetNamespace") == REGISTER
    assert set(wsdl_schemas(wsdl)) == {REGISTER, COMMON}
    common = wsdl_schemas(wsdl)[COMMON]
    names = {e.get("name") for e in common}
    # shared types live in the common namespace, identical in every WSDL
    assert {"Period", "Identity", "ssin", "FaultDetail", "Information", "incompleteDate", "gender"} <= names


def test_the_binding_is_soap_11_document_literal_without_declared_faults(wsdl):
    binding = wsdl.find(f"{{{WSDL}}}binding")
    assert binding.find(f"{{{WSDL_SOAP}}}binding").get("style") == "document"
    assert binding.find(f"{{{WSDL_SOAP}}}binding").get("transport") == "http://schemas.xmlsoap.org/soap/http"
    for body in binding.iter(f"{{{WSDL_SOAP}}}body"):
        assert body.get("use") == "literal"
    assert wsdl.find(f".//{{{WSDL}}}fault") is None  # faults are not declared per operation


class Schemas:
    """Follows element paths through the WSDL's schemas."""

    def __init__(self, wsdl) -> None:
        self.schemas = wsdl_schemas(wsdl)

    def _global(self, kind: str, qname: str) -> etree._Element:
        ns, name = qname[1:].split("}")
        found = self.schemas[ns].find(f"{{{XS}}}{kind}[@name='{name}']")
        assert found is not None, f"no global {kind} {qname}"
        return found

    def _qname(self, node, value: str) -> str:
        prefix, _, local = value.rpartition(":")
        return f"{{{node.nsmap[prefix or None]}}}{local}"

    def element(self, path: str) -> etree._Element:
        first, *rest = path.split("/")
        node = self._global("element", first if first.startswith("{") else f"{{{REGISTER}}}{first}")
        for name in rest:
            children = self.children(node)
            assert name in children, f"{path}: no {name} in {list(children)}"
            node = children[name]
        return node

    def complex_type(self, element) -> etree._Element:
        return self._global("complexType", self._qname(element, element.get("type")))

    def is_complex(self, element) -> bool:
        ns, name = self._qname(element, element.get("type"))[1:].split("}")
        return ns != XS and self.schemas[ns].find(f"{{{XS}}}complexType[@name='{name}']") is not None

    def children(self, element) -> dict[str, etree._Element]:
        complex_type = self.complex_type(element)
        assert complex_type.find(f"{{{XS}}}complexContent") is None, "no derived types in the contract"
        return {child.get("name"): child for child in complex_type.iterfind(f"{{{XS}}}sequence/{{{XS}}}element")}

    def simple(self, element) -> tuple[str, dict]:
        """(XSD built-in base, facets) of a simple-typed element."""
        qname = self._qname(element, element.get("type"))
        if qname.startswith(f"{{{XS}}}"):
            return qname, {}
        restriction = self._global("simpleType", qname).find(f"{{{XS}}}restriction")
        facets: dict = {}
        for facet in restriction:
            name = etree.QName(facet).localname
            if name == "enumeration":
                facets.setdefault(name, []).append(facet.get("value"))
            else:
                facets[name] = facet.get("value")
        return self._qname(restriction, restriction.get("base")), facets


@pytest.fixture(scope="module")
def schemas(wsdl) -> Schemas:
    return Schemas(wsdl)


@pytest.mark.parametrize("path", list(CONTRACT))
def test_each_element_is_required_optional_or_a_list_as_the_contract_says(schemas, path):
    children = schemas.children(schemas.element(path))
    assert list(children) == list(CONTRACT[path]), "the contract's element names, in its order"
    for name, occurs in CONTRACT[path].items():
        child = children[name]
        expected_min = "0" if occurs in (0, UNBOUNDED) else "1"
        assert child.get("minOccurs", "1") == expected_min, (name, child.attrib)
        assert child.get("maxOccurs", "1") == ("unbounded" if occurs == UNBOUNDED else "1"), (name, child.attrib)
        assert child.get("nillable", "false") == "false", (name, child.attrib)


def test_nothing_is_nillable(wsdl):
    nillable = [e.get("name") for e in wsdl.iter(f"{{{XS}}}element") if e.get("nillable") not in (None, "false")]
    assert nillable == []


@pytest.mark.parametrize("path", list(SIMPLE))
def test_simple_types_are_the_contracts(schemas, path):
    base, facets = schemas.simple(schemas.element(path))
    expected_base, expected_facets = SIMPLE[path]
    assert base == expected_base
    for name, value in expected_facets.items():
        assert facets.get(name) == value, (path, facets)


def _required_strings(schemas):
    for path, children in CONTRACT.items():
        for name, occurs in children.items():
            if occurs != 1:
                continue
            element = schemas.element(f"{path}/{name}")
            if not schemas.is_complex(element):
                yield f"{path}/{name}", schemas.simple(element)


def test_required_strings_cannot_be_empty_except_field_value(schemas):
    strings = [(path, facets) for path, (base, facets) in _required_strings(schemas) if base == f"{{{XS}}}string"]
    assert len(strings) >= 8
    for path, facets in strings:
        if not path.endswith("/fieldValue"):  # see the next test
            assert int(facets.get("minLength", 0)) >= 1 or "pattern" in facets or "enumeration" in facets, path


def test_the_field_value_of_a_fault_information_cannot_be_empty(schemas):
    base, facets = schemas.simple(schemas.element("{urn:be:raas:common:v1}FaultDetail/information/fieldValue"))
    assert base == f"{{{XS}}}string" and int(facets.get("minLength", 0)) >= 1


# --- PersonService and SubscriptionService (CONTRACT.md sections 4 and 5) ---------------------------

PERSON_CONTRACT = {
    "searchPersonByPhoneticCriteria": {
        "lastName": 1,
        "firstName": 0,
        "birthDate": 0,
        "tolerance": 0,
        "gender": 0,
        "maxResults": 0,
    },
    "searchPersonByPhoneticCriteriaResponse": {"results": 1},
    "searchPersonByPhoneticCriteriaResponse/results": {"result": UNBOUNDED},
    "searchPersonByPhoneticCriteriaResponse/results/result": {
        "ssin": 1,
        "lastName": 1,
        "firstName": 1,
        "birthDate": 1,
        "gender": 0,
        "score": 1,
    },
    "getPerson": {"ssin": 1},
    "getPersonResponse": {"person": 1},
    "getPersonResponse/person": {
        "ssin": 1, "kind": 1, "status": 1, "replacedBy": 0, "lastName": 1, "firstName": 1, "birthDate": 1,
        "gender": 0, "deathDate": 0, "nationality": 0, "birthPlace": 0, "address": 0,
    },
    "getPersonResponse/person/address": {
        "street": 0, "houseNumber": 0, "box": 0, "postalCode": 0, "municipality": 0, "country": 0,
    },
    "createBisNumber": {
        "lastName": 1, "firstName": 1, "birthDate": 1, "gender": 0, "nationality": 0, "birthPlace": 0,
        "address": 0, "force": 0,
    },
    "createBisNumberResponse": {"ssin": 1, "person": 1},
    "updateBisPerson": {
        "ssin": 1, "lastName": 0, "firstName": 0, "birthDate": 0, "gender": 0, "nationality": 0, "address": 0,
    },
    "updateBisPersonResponse": {"person": 1},
}  # fmt: skip
PERSON_SIMPLE = {
    "searchPersonByPhoneticCriteria/lastName": (f"{{{XS}}}string", {"minLength": "1"}),
    "searchPersonByPhoneticCriteria/birthDate": (f"{{{XS}}}string", {"pattern": "[0-9]{4}-[0-9]{2}-[0-9]{2}"}),
    "searchPersonByPhoneticCriteria/tolerance": (f"{{{XS}}}int", {"minInclusive": "0"}),
    "searchPersonByPhoneticCriteria/gender": (f"{{{XS}}}string", {"enumeration": ["M", "F"]}),
    "searchPersonByPhoneticCriteria/maxResults": (f"{{{XS}}}int", {"minInclusive": "1", "maxInclusive": "100"}),
    "searchPersonByPhoneticCriteriaResponse/results/result/ssin": (f"{{{XS}}}string", {"pattern": "[0-9]{11}"}),
    "searchPersonByPhoneticCriteriaResponse/results/result/score": (f"{{{XS}}}double", {}),
    "getPersonResponse/person/kind": (f"{{{XS}}}string", {"enumeration": ["NR", "BIS"]}),
    "getPersonResponse/person/status": (f"{{{XS}}}string", {"enumeration": ["ACTIVE", "REPLACED", "CANCELED"]}),
    "createBisNumber/birthDate": (f"{{{XS}}}string", {"pattern": "[0-9]{4}-[0-9]{2}-[0-9]{2}"}),
    "createBisNumber/force": (f"{{{XS}}}boolean", {}),
    "updateBisPerson/ssin": (f"{{{XS}}}string", {"pattern": "[0-9]{11}"}),
}

SUBSCRIPTION_CONTRACT = {
    "subscribe": {"flow": 1, "dossierTypes": 0},
    "subscribe/dossierTypes": {"dossierType": UNBOUNDED},
    "subscribeResponse": {"subscription": 1},
    "subscribeResponse/subscription": {"flow": 1, "since": 1, "dossierTypes": 0},
    "subscribeResponse/subscription/dossierTypes": {"dossierType": UNBOUNDED},
    "unsubscribe": {"flow": 1},
    "unsubscribeResponse": {},
    "listSubscriptions": {},
    "listSubscriptionsResponse": {"subscriptions": 1},
    "listSubscriptionsResponse/subscriptions": {"subscription": UNBOUNDED},
    "listSubscriptionsResponse/subscriptions/subscription": {"flow": 1, "since": 1, "dossierTypes": 0},
    "listFlows": {},
    "listFlowsResponse": {"flows": 1},
    "listFlowsResponse/flows": {"flow": UNBOUNDED},
    "listFlowsResponse/flows/flow": {"code": 1, "label": 1, "kind": 1, "authorization": 0},
    "listFlowsResponse/flows/flow/authorization": {"reference": 1, "validFrom": 1, "validTo": 0, "dossierTypes": 0},
    "listFlowsResponse/flows/flow/authorization/dossierTypes": {"dossierType": UNBOUNDED},
    "listDeliveries": {"fromDate": 0, "toDate": 0},
    "listDeliveriesResponse": {"deliveries": 1},
    "listDeliveriesResponse/deliveries": {"delivery": UNBOUNDED},
    "listDeliveriesResponse/deliveries/delivery": {
        "fileName": 1, "voucherName": 1, "flow": 1, "runDate": 1, "recordCount": 1, "sizeBytes": 1, "sha256": 1,
    },
    "getDelivery": {"fileName": 1},
    "getDeliveryResponse": {"fileName": 1, "content": 1, "voucher": 1},
}  # fmt: skip
# 1.1 widens v1's enumeration (SSIN_REPLACED, IDENTITY_CHANGED) to a code (CONTRACT.md section 5)
FLOWS = {"pattern": "[A-Z][A-Z0-9_]{1,31}"}
SUBSCRIPTION_SIMPLE = {
    "subscribe/flow": (f"{{{XS}}}string", FLOWS),
    "unsubscribe/flow": (f"{{{XS}}}string", FLOWS),
    "subscribeResponse/subscription/since": (f"{{{XS}}}date", {}),
    "listDeliveries/fromDate": (f"{{{XS}}}date", {}),
    "listDeliveries/toDate": (f"{{{XS}}}date", {}),
    "listDeliveriesResponse/deliveries/delivery/fileName": (f"{{{XS}}}string", {"minLength": "1"}),
    "listDeliveriesResponse/deliveries/delivery/flow": (f"{{{XS}}}string", FLOWS),
    "listDeliveriesResponse/deliveries/delivery/runDate": (f"{{{XS}}}date", {}),
    "listDeliveriesResponse/deliveries/delivery/recordCount": (f"{{{XS}}}int", {}),
    "listDeliveriesResponse/deliveries/delivery/sizeBytes": (f"{{{XS}}}long", {}),
    "listDeliveriesResponse/deliveries/delivery/sha256": (f"{{{XS}}}string", {"pattern": "[0-9a-f]{64}"}),
    "getDelivery/fileName": (f"{{{XS}}}string", {"minLength": "1"}),
    "getDeliveryResponse/content": (f"{{{XS}}}base64Binary", {}),
    "getDeliveryResponse/voucher": (f"{{{XS}}}base64Binary", {}),
    "subscribe/dossierTypes/dossierType": (f"{{{XS}}}string", {"minLength": "1", "maxLength": "64"}),
    "listFlowsResponse/flows/flow/code": (f"{{{XS}}}string", FLOWS),
    "listFlowsResponse/flows/flow/label": (f"{{{XS}}}string", {"minLength": "1"}),
    "listFlowsResponse/flows/flow/kind": (f"{{{XS}}}string", {"enumeration": ["REGISTER", "NETWORK"]}),
    "listFlowsResponse/flows/flow/authorization/reference": (f"{{{XS}}}string", {"minLength": "1", "maxLength": "100"}),
    "listFlowsResponse/flows/flow/authorization/validFrom": (f"{{{XS}}}date", {}),
}

# name -> (target namespace, operations, element contract, simple types)
OTHER_SERVICES = {
    "PersonService": (
        PERSON,
        ["createBisNumber", "getPerson", "searchPersonByPhoneticCriteria", "updateBisPerson"],
        PERSON_CONTRACT,
        PERSON_SIMPLE,
    ),
    "SubscriptionService": (
        SUBSCRIPTION,
        ["getDelivery", "listDeliveries", "listFlows", "listSubscriptions", "subscribe", "unsubscribe"],
        SUBSCRIPTION_CONTRACT,
        SUBSCRIPTION_SIMPLE,
    ),
    "RoutingService": (ROUTING, ["checkAuthorization", "findHolders"], ROUTING_CONTRACT, ROUTING_SIMPLE),
}


@pytest.fixture(scope="module")
def service_wsdl(server):
    """The served WSDL of a service, by name, fetched once."""
    fetched: dict[str, etree._Element] = {}

    def of(name: str) -> etree._Element:
        if name not in fetched:
            answer = requests.get(f"{server.base}/ws/{name}?wsdl", timeout=10)
            assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/xml")
            fetched[name] = etree.fromstring(answer.content, SAFE_PARSER)
        return fetched[name]

    return of


class ServiceSchemas(Schemas):
    """Paths from a global element of the service's own namespace."""

    def __init__(self, wsdl, namespace: str) -> None:
        super().__init__(wsdl)
        self.namespace = namespace

    def element(self, path: str) -> etree._Element:
        return super().element(path if path.startswith("{") else f"{{{self.namespace}}}{path}")


@pytest.mark.parametrize("name", list(OTHER_SERVICES))
def test_the_served_wsdl_of_each_other_service_is_the_committed_one(service_wsdl, server, name):
    committed = etree.parse(str(ROOT / "wsdl" / f"{name}.wsdl"), SAFE_PARSER).getroot()
    served = service_wsdl(name)
    assert _address(committed).get("location") == COMMITTED_ADDRESS.replace("RegisterService", name)
    assert _address(served).get("location") == f"{server.base}/ws/{name}"
    served = etree.fromstring(etree.tostring(served))  # a copy: the fixture's is shared
    _address(served).set("location", _address(committed).get("location"))
    assert canonical(_declarations_sorted(served)) == canonical(_declarations_sorted(committed))


@pytest.mark.parametrize("name", list(OTHER_SERVICES))
def test_zeep_loads_each_other_wsdl_strictly_without_warnings(server, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = zeep.Client(f"{server.base}/ws/{name}?wsdl", settings=zeep.Settings(strict=True))
    operations = client.wsdl.services[name].ports[name].binding._operations
    client.transport.session.close()
    assert sorted(operations) == OTHER_SERVICES[name][1]


@pytest.mark.parametrize("name", list(OTHER_SERVICES))
def test_the_schemas_of_each_other_service_compile_in_libxml2_and_xmlschema(service_wsdl, tmp_path, name):
    path = write_schema_files(service_wsdl(name), tmp_path)
    assert etree.XMLSchema(etree.parse(str(path))).error_log.last_error is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = xmlschema.XMLSchema(str(path))
    namespace, operations, _, _ = OTHER_SERVICES[name]
    assert {f"{{{namespace}}}{operation}" for operation in operations} <= set(schema.maps.elements)


@pytest.mark.parametrize("name", list(OTHER_SERVICES))
def test_each_other_services_namespaces_and_common_schema_are_the_contracts(service_wsdl, wsdl, name):
    other = service_wsdl(name)
    assert other.get("targetNamespace") == OTHER_SERVICES[name][0]
    assert set(wsdl_schemas(other)) == {OTHER_SERVICES[name][0], COMMON}
    # the shared types are identical in every WSDL (CONTRACT.md section 1)
    assert _declarations_sorted_schema(other) == _declarations_sorted_schema(wsdl)
    assert wsdl_nillable(other) == [] and other.find(f".//{{{WSDL}}}fault") is None


def _declarations_sorted_schema(root) -> list[str]:
    schema = wsdl_schemas(root)[COMMON]
    return sorted(canonical(etree.fromstring(etree.tostring(child))) for child in schema)


def wsdl_nillable(root) -> list[str]:
    return [e.get("name") for e in root.iter(f"{{{XS}}}element") if e.get("nillable") not in (None, "false")]


@pytest.mark.parametrize(
    "name, path", [(name, path) for name, (_, _, contract, _) in OTHER_SERVICES.items() for path in contract]
)
def test_each_element_of_the_other_services_is_as_the_contract_says(service_wsdl, name, path):
    namespace, _, contract, _ = OTHER_SERVICES[name]
    schemas = ServiceSchemas(service_wsdl(name), namespace)
    children = schemas.children(schemas.element(path))
    assert list(children) == list(contract[path])
    for child_name, occurs in contract[path].items():
        child = children[child_name]
        assert child.get("minOccurs", "1") == ("0" if occurs in (0, UNBOUNDED) else "1"), (child_name, child.attrib)
        assert child.get("maxOccurs", "1") == ("unbounded" if occurs == UNBOUNDED else "1"), (child_name, child.attrib)


@pytest.mark.parametrize(
    "name, path", [(name, path) for name, (_, _, _, simple) in OTHER_SERVICES.items() for path in simple]
)
def test_simple_types_of_the_other_services_are_the_contracts(service_wsdl, name, path):
    namespace, _, _, simple = OTHER_SERVICES[name]
    schemas = ServiceSchemas(service_wsdl(name), namespace)
    base, facets = schemas.simple(schemas.element(path))
    expected_base, expected_facets = simple[path]
    assert base == expected_base
    for facet, value in expected_facets.items():
        assert facets.get(facet) == value, (path, facets)
