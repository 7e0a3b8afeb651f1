"""Huge strings in fields and headers, and bounded memory under hostile input (issue 5, hostile input)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import assert_raw_fault, envelope, post, register_body

NEAR_LIMIT = 1000 * 1000  # a field this long keeps the body under the 1 MiB limit


@pytest.fixture
def ssin(world):
    return world.person()


def timed(server, body, **kw):
    started = time.monotonic()
    answer = post(server.endpoint, body, **kw)
    return answer, time.monotonic() - started


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        pytest.param(
            lambda b, s: b.replace(f"<r:ssin>{s}", "<r:ssin>" + "1" * NEAR_LIMIT), "SchemaValidationError", id="ssin"
        ),
        pytest.param(
            lambda b, s: b.replace("<r:dossierType>A", "<r:dossierType>" + "A" * NEAR_LIMIT),
            "SchemaValidationError",  # 64 characters at most
            id="dossier-type",
        ),
        pytest.param(
            lambda b, s: b.replace("<c:startDate>2024-01-01", "<c:startDate>" + "2" * NEAR_LIMIT),
            "SchemaValidationError",
            id="date",
        ),
        pytest.param(
            lambda b, s: b.replace(
                "</r:registerPerson>", "<r:lastName>" + "é" * (NEAR_LIMIT // 2) + "</r:lastName></r:registerPerson>"
            ),
            "SchemaValidationError",
            id="unexpected-element",
        ),
        pytest.param(
            lambda b, s: b.replace(
                "<r:registerPerson>", "<r:registerPerson " + " ".join(f'a{i}="x"' for i in range(50_000)) + ">"
            ),
            "SchemaValidationError",
            id="many-attributes",
        ),
    ],
)
def test_a_huge_field_is_a_precise_client_fault_answered_quickly(server, caller, ssin, spoil, reason, unchanged):
    body = envelope(spoil(register_body(ssin, "A", "2024-01-01", "2024-01-31"), ssin), caller.username, caller.password)
    assert len(body.encode()) <= 1024 * 1024
    answer, seconds = timed(server, body)
    fault = assert_raw_fault(answer, reason)
    assert seconds < 5, seconds  # generous: 2 shared cores, other test runs
    assert len(answer.content) < 4096, "the fault must not echo the huge value"
    assert fault.faultstring


def test_a_huge_username_or_password_is_an_authentication_fault(server, caller, ssin, unchanged):
    body = register_body(ssin, "A", "2024-01-01", "2024-01-31")
    for username, password in (("u" * NEAR_LIMIT, "pw"), (caller.username, "p" * NEAR_LIMIT)):
        answer, seconds = timed(server, envelope(body, username, password))
        assert_raw_fault(answer, "Authentication", [])
        assert seconds < 5, seconds


def test_many_header_elements_or_a_huge_soap_action_are_answered(server, caller, ssin):
    body = register_body(ssin, "A", "2024-01-01", "2024-01-31")
    noise = "<x:n xmlns:x='urn:noise'/>" * 30_000
    answer, seconds = timed(server, envelope(body, header=noise))
    assert_raw_fault(answer, "Authentication", [])
    answer, _ = timed(server, envelope(body, caller.username, caller.password), headers={"SOAPAction": "a" * 7000})
    assert answer.status_code in (200, 400, 431, 500) and b"Traceback" not in answer.content


def _worker_pids(server) -> list[int]:
    port = str(urlsplit(server.base).port)
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.endswith(f":{port}".encode()) for part in cmdline) and b"serve" in cmdline:
            pids.append(int(proc.name))
    return pids


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_memory_stays_bounded_under_repeated_hostile_input(server, caller, ssin, unchanged):
    pids = _worker_pids(server)
    assert len(pids) >= 3, pids  # the arbiter and its 2 workers
    body = envelope(register_body(ssin, "A", "2024-01-01", "2024-01-31"), caller.username, caller.password)
    bomb = body.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE e [<!ENTITY a "' + "x" * 1000 + '">]>',
    )
    hostile = [
        body.replace("<r:dossierType>A", "<r:dossierType>" + "A" * NEAR_LIMIT),
        body.replace("<soapenv:Body>", "<soapenv:Body>" + "<x>" * 5000 + "</x>" * 5000),
        bomb,
        body + " " * (3 * 1024 * 1024),
    ]
    for payload in hostile:  # warm: the first ones allocate what a worker keeps anyway
        post(server.endpoint, payload)
    before = sum(_rss_kib(pid) for pid in pids)
    for _ in range(10):
        for payload in hostile:
            assert post(server.endpoint, payload).status_code == 500
    grown_mib = (sum(_rss_kib(pid) for pid in pids) - before) / 1024
    assert grown_mib < 64, f"workers grew by {grown_mib:.0f} MiB over 40 hostile requests"
