"""Fuzzing: hypothesis-generated and mutated envelopes against every endpoint.

Whatever arrives, the answer is a SOAP envelope: a response (HTTP 200) or a
fault (HTTP 500) whose code is a Client fault or Server.Unavailable, never
Server.Internal, never a traceback, never an HTML page, and it comes quickly.
"""

from __future__ import annotations

import os
import time
import warnings
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from register.soap.namespaces import COMMON, SOAP_ENV
from tests.e2e.helpers import envelope, security_header
from tests.reliability.conftest import record
from tests.reliability.load import Connection

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ImportWarning)  # spyne's vendored six, imported in this process
    from register.soap.application import SERVICES

EXAMPLES = int(os.environ.get("RAAS_FUZZ_EXAMPLES", "1500"))
XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SLOW_S = 5.0

TOKENS = [
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b'<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    b"&a;",
    b"&lt;",
    b"&#0;",
    b"&#x110000;",
    b"<?pi x?>",
    b"<![CDATA[x]]>",
    b"]]>",
    b"<!--",
    b"-->",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"<x>" * 300,
    b"</x>",
    b"9" * 5000,
    b"85073003328",
    b"2024-02-30",
    b"-0001-01-01",
    b"99999-01-01",
    b" xmlns:r='urn:other'",
    b" xsi:nil='true' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'",
    b"<wsse:Security xmlns:wsse='http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'/>",
    b'"',
    b"'",
    b"<",
    b">",
    "é€𝄞".encode(),
    b"\r\n",
]

VALUES = [
    "",
    " ",
    "A",
    "B",
    "85073003328",
    "85073003327",
    "00000000000",
    "8507300332",
    "2024-01-01",
    "2024-13-01",
    "1899-12-31",
    "9999-12-31",
    "0",
    "-1",
    "1001",
    "2147483648",
    "true",
    "x" * 300,
    "é€𝄞",
    "1985-00-00",
    "M",
    "F",
    "<escaped>&amp;",
]


@pytest.fixture(scope="module")
def targets(db, tmp_path_factory, request):
    """Per service: its endpoint, its operations and the element names its WSDL declares."""
    from tests.reliability.conftest import start_server, stop

    folder = tmp_path_factory.mktemp("fuzz")
    server = start_server(db, folder, RAAS_AUTH_USERNAME_LIMIT="1000000")
    request.addfinalizer(lambda: stop(server))
    found = {}
    for name in SERVICES:
        wsdl = etree.fromstring(requests.get(server.url(name) + "?wsdl", timeout=30).content)
        tns = wsdl.get("targetNamespace")
        operations = sorted({op.get("name") for op in wsdl.iter(f"{{{WSDL}}}operation")})
        elements = sorted(
            {
                (e.getparent().getparent().get("targetNamespace") or tns, e.get("name"))
                for e in wsdl.iter(f"{{{XSD}}}element")
                if e.get("name")
            }
            - {(None, None)}
        )
        found[name] = (server.url(name), tns, operations, elements)
    return server, found


def element_tree(tns: str, operations, elements):
    """A random request body: an operation holding random declared elements with random values."""
    leaf = st.tuples(st.sampled_from(elements), st.sampled_from(VALUES) | st.text(max_size=40))
    tree = st.recursive(
        leaf.map(lambda pair: _leaf(*pair)),
        lambda children: st.tuples(st.sampled_from(elements), st.lists(children, max_size=4)).map(
            lambda pair: _node(pair[0], pair[1])
        ),
        max_leaves=12,
    )
    return st.tuples(st.sampled_from(operations), st.lists(tree, max_size=5)).map(
        lambda pair: f'<t:{pair[0]} xmlns:t="{tns}" xmlns:c="{COMMON}">{"".join(pair[1])}</t:{pair[0]}>'
    )


def _name(qualified) -> str:
    namespace, name = qualified
    return f'{name} xmlns="{namespace}"'


def _printable(value: str) -> str:
    """What XML 1.0 can carry."""
    return "".join(
        ch
        for ch in value
        if ch in "\t\n\r" or (ch >= " " and ch not in "\ufffe\uffff" and not "\ud800" <= ch <= "\udfff")
    )


def _leaf(qualified, value: str) -> str:
    text = _printable(value).replace("&", "&amp;").replace("<", "&lt;")
    return f"<{_name(qualified)}>{text}</{qualified[1]}>"


def _node(qualified, children) -> str:
    return f"<{_name(qualified)}>{''.join(children)}</{qualified[1]}>"


def seeds(world, tns) -> list[str]:
    """Valid RegisterService calls on a known person (other services: their generated bodies only)."""
    ssin = world.person()
    period = "<r:period><c:startDate>2024-01-01</c:startDate><c:endDate>2024-03-31</c:endDate></r:period>"
    return [
        f"<r:registerPerson><r:ssin>{ssin}</r:ssin><r:dossierType>A</r:dossierType>{period}"
        "<r:lastName>Peeters</r:lastName></r:registerPerson>",
        f"<r:unregisterPerson><r:ssin>{ssin}</r:ssin><r:dossierType>A</r:dossierType>{period}</r:unregisterPerson>",
        f"<r:listRegistrations><r:ssin>{ssin}</r:ssin><r:pageSize>5</r:pageSize></r:listRegistrations>",
        "<r:listDossierTypes/>",
    ]


mutation = st.tuples(
    st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate"]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8),
)


def mutate(data: bytes, mutations) -> bytes:
    for kind, where, span, token in mutations:
        i = int(where * len(data))
        j = min(len(data), i + 1 + int(span * 40))
        if kind == "delete":
            data = data[:i] + data[j:]
        elif kind == "insert":
            data = data[:i] + token + data[i:]
        elif kind == "replace":
            data = data[:i] + token + data[j:]
        elif kind == "duplicate":
            data = data[:j] + data[i:j] + data[j:]
        else:
            data = data[:i]
    return data


class Tally:
    def __init__(self) -> None:
        self.outcomes: Counter = Counter()
        self.latencies: list[float] = []
        self.bad: list[str] = []

    def check(self, conn: Connection, data: bytes, content_type: str = "text/xml; charset=utf-8") -> None:
        answer = conn.post(data, content_type)
        self.latencies.append(answer.seconds)
        if answer.status is None:
            self.bad.append(f"no answer within {conn.timeout} s to {data[:200]!r}")
        elif (answer.fault or "").startswith("NOT-SOAP") or answer.fault == "soapenv:Server.Internal":
            self.bad.append(f"{answer.fault}: {answer.body[:300]!r} for {data[:300]!r}")
        elif answer.seconds > SLOW_S:
            self.bad.append(f"{answer.seconds:.1f} s for {data[:200]!r}")
        self.outcomes[answer.fault or "OK"] += 1
        assert not self.bad, self.bad[-1]

    def figures(self) -> dict:
        ordered = sorted(self.latencies)
        return {
            "cases": len(ordered),
            "outcomes": dict(self.outcomes.most_common()),
            "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 1) if ordered else 0,
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else 0,
            "bad": len(self.bad),
        }


def fuzz(tally: Tally, conn: Connection, header: str, tns, operations, elements, register_seeds) -> None:
    """EXAMPLES generated bodies, EXAMPLES mutated envelopes and EXAMPLES valid ones with other values."""
    bodies = element_tree(tns, operations, elements)
    seeds_ = (
        st.sampled_from(register_seeds) if register_seeds else bodies.map(lambda b: envelope(b, header=header).encode())
    )
    content_types = ["text/xml; charset=utf-8"] * 8 + ["text/xml", "application/soap+xml", "text/xml; charset=latin-1"]
    options = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    @options
    @given(body=bodies, authenticated=st.sampled_from([True, True, True, False]))
    def generated(body, authenticated):
        tally.check(conn, envelope(body, header=header if authenticated else "").encode())

    @options
    @given(
        seed=seeds_, mutations=st.lists(mutation, min_size=1, max_size=4), content_type=st.sampled_from(content_types)
    )
    def mutated(seed, mutations, content_type):
        tally.check(conn, mutate(seed, mutations), content_type)

    @options
    @given(
        seed=seeds_,
        changes=st.lists(
            st.tuples(st.floats(0, 1), st.sampled_from(VALUES) | st.text(max_size=30)), min_size=1, max_size=3
        ),
    )
    def revalued(seed, changes):
        tally.check(conn, with_values(seed, changes))

    generated()
    mutated()
    revalued()


def with_values(seed: bytes, changes) -> bytes:
    """``seed`` with the text of some of its Body's leaves replaced: reaches the checks past the schema."""
    root = etree.fromstring(seed)
    leaves = [e for e in root.find(f"{{{SOAP_ENV}}}Body").iter() if len(e) == 0]
    for where, value in changes:
        if leaves:
            leaves[int(where * (len(leaves) - 1))].text = _printable(value)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def test_fuzzed_envelopes_never_get_a_traceback_an_internal_fault_or_a_hang(targets, world, credential):
    server, services = targets
    _, username, password = credential
    header = security_header(username, password)
    tally = Tally()
    started = time.monotonic()
    for name, (url, tns, operations, elements) in services.items():
        conn = Connection(url, timeout=15)
        register_seeds = (
            [envelope(body, header=header).encode() for body in seeds(world, tns)] if name == "RegisterService" else []
        )
        try:
            fuzz(tally, conn, header, tns, operations, elements, register_seeds)
        finally:
            conn.close()
    figures = {**tally.figures(), "services": sorted(services), "seconds": round(time.monotonic() - started, 1)}
    record("fuzz", figures)
    assert tally.bad == []
    assert figures["cases"] >= 3 * EXAMPLES * len(services) * 0.9
    output = server.output()
    assert "Traceback" not in output and "incident" not in output, output[-3000:]
