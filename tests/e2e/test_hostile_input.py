"""Raw HTTP with bad or hostile input: always a SOAP fault (never HTML, a traceback or SQL), nothing written."""

from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.helpers import SOAP_ENV, assert_raw_fault, envelope, post, read_fault, register_body, security_header

ONE_MIB = 1024 * 1024


@pytest.fixture
def call(world, caller):
    """A valid registerPerson envelope of a known person, as text."""
    ssin = world.person()
    return envelope(register_body(ssin, "A", "2024-01-01", "2024-01-31"), caller.username, caller.password)


def test_the_valid_call_these_tests_spoil_is_accepted(server, call, registrations):
    answer = post(server.endpoint, call)
    assert answer.status_code == 200 and answer.headers.get("X-Request-Id")
    assert len(registrations()) == 1


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda e: e[:-30], id="truncated"),
        pytest.param(lambda e: e.replace("</r:ssin>", "</r:sin>"), id="mismatched-tag"),
        pytest.param(lambda e: e.replace("<r:dossierType>A", "<r:dossierType>A & B"), id="bare-ampersand"),
        pytest.param(lambda e: e.replace("<r:dossierType>A", "<r:dossierType>&nbsp;A"), id="undefined-entity"),
        pytest.param(lambda e: e + "<extra/>", id="two-roots"),
        pytest.param(lambda e: "", id="empty"),
        pytest.param(lambda e: "<foo/>", id="not-an-envelope"),
        pytest.param(lambda e: e.replace(SOAP_ENV, "http://www.w3.org/2003/05/soap-envelope"), id="soap-1.2"),
        pytest.param(lambda e: e.replace("<soapenv:Body>", "<soapenv:Body><?php echo 1?>"), id="processing-instr"),
    ],
)
def test_a_request_that_is_not_a_well_formed_soap_11_message_is_malformed(server, call, spoil, unchanged):
    assert_raw_fault(post(server.endpoint, spoil(call)), "MalformedRequest", [])


def test_a_doctype_with_an_external_entity_is_refused_without_reading_the_file(server, call, unchanged):
    xxe = call.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE soapenv:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ).replace("<r:dossierType>A<", "<r:dossierType>&xxe;<")
    answer = post(server.endpoint, xxe)
    assert_raw_fault(answer, "MalformedRequest", [])
    assert b"root:" not in answer.content


def test_an_external_dtd_and_a_parameter_entity_are_refused(server, call, unchanged):
    for doctype in (
        '<!DOCTYPE soapenv:Envelope SYSTEM "file:///etc/passwd">',
        '<!DOCTYPE soapenv:Envelope [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>',
    ):
        answer = post(server.endpoint, call.replace("?>", "?>" + doctype, 1))
        assert_raw_fault(answer, "MalformedRequest", [])
        assert b"root:" not in answer.content


def test_an_xinclude_is_not_processed(server, call, unchanged):
    xinclude = call.replace(
        "<r:dossierType>A</r:dossierType>",
        '<r:dossierType><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" '
        'parse="text"/></r:dossierType>',
    )
    answer = post(server.endpoint, xinclude)
    assert_raw_fault(answer, "SchemaValidationError")
    assert b"root:" not in answer.content


def test_billion_laughs_is_refused_quickly(server, call, unchanged):
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = call.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE soapenv:Envelope [{entities}]>',
    ).replace("<r:dossierType>A<", "<r:dossierType>&lol9;<")
    started = time.monotonic()
    answer = post(server.endpoint, bomb)
    assert time.monotonic() - started < 2
    assert_raw_fault(answer, "MalformedRequest", [])


def _nested(call: str, depth: int) -> str:
    """``call`` with elements nested ``depth`` deep in all (Envelope and Body included)."""
    inner = depth - 2
    return call.replace("<soapenv:Body>", "<soapenv:Body>" + "<x>" * inner + "</x>" * inner)


def test_nesting_deeper_than_256_is_malformed(server, call, unchanged):
    assert_raw_fault(post(server.endpoint, _nested(call, 257)), "MalformedRequest", [])
    assert_raw_fault(post(server.endpoint, _nested(call, 5000)), "MalformedRequest", [])
    # 256 levels are well-formed enough to reach the schema, which refuses the unknown element
    assert_raw_fault(post(server.endpoint, _nested(call, 256)), "SchemaValidationError")


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        pytest.param("ISO-8859-1", "text/xml", id="latin1"),
        pytest.param("ISO-8859-1", "text/xml; charset=ISO-8859-1", id="latin1-declared"),
        pytest.param("ISO-8859-1", "text/xml; charset=utf-8", id="latin1-claiming-utf8"),
        pytest.param("UTF-16", "text/xml", id="utf16"),
        pytest.param("UTF-16", "text/xml; charset=utf-16", id="utf16-declared"),
    ],
)
def test_a_body_not_in_utf8_is_malformed(server, call, encoding, content_type, unchanged):
    body = call.replace('encoding="UTF-8"', f'encoding="{encoding}"').replace("Peeters", "Pée").encode(encoding)
    assert_raw_fault(post(server.endpoint, body, content_type=content_type), "MalformedRequest", [])


def test_invalid_utf8_bytes_are_malformed(server, call, unchanged):
    body = call.encode().replace(b"<r:dossierType>A", b"<r:dossierType>A\xff\xfe")
    assert_raw_fault(post(server.endpoint, body), "MalformedRequest", [])


@pytest.mark.parametrize("content_type", ["application/json", "application/soap+xml", "text/plain", ""])
def test_a_content_type_other_than_text_xml_is_malformed(server, call, content_type, unchanged):
    assert_raw_fault(post(server.endpoint, call, content_type=content_type), "MalformedRequest", [])


def test_a_get_on_the_endpoint_without_wsdl_is_a_fault(server):
    assert_raw_fault(requests.get(server.endpoint, timeout=10), "MalformedRequest", [])


def test_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_too_large(server, call, registrations):
    exact = call.encode() + b" " * (ONE_MIB - len(call.encode()))
    assert len(exact) == ONE_MIB
    assert post(server.endpoint, exact).status_code == 200
    before = registrations()
    assert_raw_fault(post(server.endpoint, exact.replace(b"2024-01-31", b"2024-02-29") + b" "), "RequestTooLarge", [])
    assert registrations() == before


def test_a_body_over_1_mib_is_too_large(server, call, unchanged):
    big = call.replace("<soapenv:Body>", "<soapenv:Body><!--" + "x" * ONE_MIB + "-->")
    fault = assert_raw_fault(post(server.endpoint, big), "RequestTooLarge", [])
    assert fault.faultcode_namespace == SOAP_ENV
    huge = call.encode() + b" " * (4 * ONE_MIB)
    assert_raw_fault(post(server.endpoint, huge), "RequestTooLarge", [])


def test_a_chunked_body_over_1_mib_is_too_large(server, call, registrations):
    data = call.encode() + b"\n" * (2 * ONE_MIB)

    def chunks():
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]

    answer = post(server.endpoint, chunks())
    assert registrations() == []
    assert_raw_fault(answer, "RequestTooLarge", [])


def test_a_small_chunked_body_is_read(server, call, registrations):
    data = call.encode()
    answer = post(server.endpoint, iter([data[:100], data[100:]]))
    assert answer.status_code == 200, answer.text
    assert len(registrations()) == 1


@pytest.mark.parametrize(
    ("body", "element"),
    [
        pytest.param("<r:noSuchOperation/>", "noSuchOperation", id="unknown-operation"),
        pytest.param("<r:registerPersonResponse/>", "registerPersonResponse", id="a-response-as-request"),
        pytest.param("<r:Registration/>", "Registration", id="a-type-element"),
        pytest.param("<c:FaultDetail/>", "FaultDetail", id="a-common-element"),
        pytest.param("<listDossierTypes/>", "listDossierTypes", id="no-namespace"),
    ],
)
def test_a_body_element_that_is_no_operation_is_a_schema_error(world, caller, server, body, element, unchanged):
    answer = post(server.endpoint, envelope(body, caller.username, caller.password))
    assert_raw_fault(answer, "SchemaValidationError", [("element", element)])


def test_an_envelope_without_body_is_a_client_fault(world, caller, server, unchanged):
    no_body = (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}"><soapenv:Header>'
        f"{security_header(caller.username, caller.password)}</soapenv:Header></soapenv:Envelope>"
    )
    fault = read_fault(post(server.endpoint, no_body))
    assert fault.faultcode in ("soapenv:Client.MalformedRequest", "soapenv:Client.SchemaValidationError"), fault


def test_a_body_with_two_operations_is_refused(server, call, registrations):
    two = call.replace("</soapenv:Body>", "<r:listDossierTypes/></soapenv:Body>")
    answer = post(server.endpoint, two)
    assert registrations() == []
    assert_raw_fault(answer, "SchemaValidationError")


def test_health_and_readiness(server):
    for path, text in (("/healthz", "ok"), ("/readyz", "ready")):
        answer = requests.get(server.base + path, timeout=10)
        assert (answer.status_code, answer.text.strip()) == (200, text)
        assert answer.headers.get("X-Request-Id")


def test_a_path_that_is_no_service_is_not_found(server):
    for path in ("/ws/Nope", "/ws/Nope?wsdl", "/", "/ws/", "/wsdl"):
        answer = requests.get(server.base + path, timeout=10)
        assert answer.status_code == 404, path
        assert "<html" not in answer.text.lower() and answer.headers.get("X-Request-Id")
    answer = requests.post(server.base + "/ws/Nope", data=b"<x/>", headers={"Content-Type": "text/xml"}, timeout=10)
    assert answer.status_code == 404 and "<html" not in answer.text.lower()


def test_every_answer_has_a_request_id_and_a_given_one_is_kept(world, caller, server, call):
    given = {"X-Request-Id": "e2e-4f1c2a"}
    answers = [
        requests.get(server.base + "/healthz", headers=given, timeout=10),
        requests.get(server.base + "/readyz", headers=given, timeout=10),
        requests.get(server.wsdl_url, headers=given, timeout=10),
        requests.get(server.base + "/ws/Nope", headers=given, timeout=10),
        post(server.endpoint, call, headers=given),
        post(server.endpoint, "<broken", headers=given),
        post(server.endpoint, call.replace(caller.password, "wrong"), headers=given),
        post(server.endpoint, call + " " * ONE_MIB, headers=given),
    ]
    assert [a.headers.get("X-Request-Id") for a in answers] == ["e2e-4f1c2a"] * len(answers)
    generated = {post(server.endpoint, call).headers.get("X-Request-Id") for _ in range(3)}
    assert len(generated) == 3 and all(generated)


def test_metrics_are_served_as_prometheus_text(server, call):
    post(server.endpoint, call)
    answer = requests.get(server.base + "/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert "registerPerson" in answer.text
