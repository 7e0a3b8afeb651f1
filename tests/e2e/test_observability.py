"""/metrics, /healthz, /readyz and the JSON call log of the real `raas serve` (gunicorn, 2 workers)."""

from __future__ import annotations

import json
import re
import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import new_ssin
from tests.e2e.helpers import envelope, post, read_fault, register_body

CALLS = "raas_soap_calls"
DURATION = "raas_soap_call_duration_seconds"


def scrape(server) -> dict[tuple, float]:
    """Every sample of /metrics as {(name, sorted labels): value}, on a new connection (any worker)."""
    answer = requests.get(f"{server.base}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def calls(samples, operation: str, outcome: str, service: str = "RegisterService") -> float:
    key = (f"{CALLS}_total", (("operation", operation), ("outcome", outcome), ("service", service)))
    return samples.get(key, 0.0)


def latency_count(samples, operation: str, outcome: str, service: str = "RegisterService") -> float:
    key = (f"{DURATION}_count", (("operation", operation), ("outcome", outcome), ("service", service)))
    return samples.get(key, 0.0)


def log_lines(server) -> list[dict]:
    """The server's JSON lines so far; a last line still being written by a worker is not one yet."""
    complete = server.output().rpartition("\n")[0]
    return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]


def call_lines(server, request_id: str) -> list[dict]:
    return [
        line for line in log_lines(server) if line.get("logger") == "raas.call" and line["request_id"] == request_id
    ]


def test_health_and_readiness_answer_under_gunicorn(server):
    assert requests.get(f"{server.base}/healthz", timeout=5).text == "ok\n"
    ready = requests.get(f"{server.base}/readyz", timeout=5)
    assert (ready.status_code, ready.text) == (200, "ready\n")


def test_calls_are_counted_by_operation_and_outcome_across_both_workers(server, world, caller):
    known = world.person()
    invalid = known[:9] + f"{(int(known[9:]) + 1) % 100:02d}"  # wrong check digits
    before = scrape(server)
    # each POST on a new connection: SO_REUSEPORT spreads them over both workers
    for _ in range(6):
        answer = post(
            server.endpoint, envelope(register_body(known, "A", "2024-01-01"), caller.username, caller.password)
        )
        assert answer.status_code == 200
    faults = {
        read_fault(
            post(server.endpoint, envelope(register_body(invalid), caller.username, caller.password))
        ).reason_code
        for _ in range(5)
    }
    assert len(faults) == 1
    outcome = f"Client.{faults.pop()}"
    for _ in range(4):
        assert (
            post(server.endpoint, envelope(register_body(known), caller.username, "wrong password!")).status_code == 500
        )

    # whichever worker answers the scrape, it counts every worker's calls
    for _ in range(6):
        after = scrape(server)
        assert calls(after, "registerPerson", "OK") - calls(before, "registerPerson", "OK") == 6
        assert latency_count(after, "registerPerson", "OK") - latency_count(before, "registerPerson", "OK") == 6
        assert calls(after, "registerPerson", outcome) - calls(before, "registerPerson", outcome) == 5
        assert (
            calls(after, "registerPerson", "Client.Authentication")
            - calls(before, "registerPerson", "Client.Authentication")
            == 4
        )
    metrics_dir = server.log.parent / "metrics"
    writers = {re.sub(r"^.*_(\d+)\.db$", r"\1", path.name) for path in metrics_dir.glob("*.db")}
    assert len(writers) >= 2, f"only {writers} wrote metrics: the calls did not reach both workers"


def test_labels_hold_no_caller_input(server, world, caller):
    ssin = new_ssin()
    invented = envelope(f"<r:{'x' + ssin}><r:ssin>{ssin}</r:ssin></r:{'x' + ssin}>", caller.username, caller.password)
    assert read_fault(post(server.endpoint, invented)).reason_code == "SchemaValidationError"
    text = requests.get(f"{server.base}/metrics", timeout=10).text
    assert ssin not in text and caller.username not in text and caller.bce not in text
    samples = scrape(server)
    assert calls(samples, "unknown", "Client.SchemaValidationError") >= 1


def test_each_call_writes_one_json_line_with_tenant_operation_outcome_and_duration(server, world, caller):
    ssin = world.person()
    request_id = f"test-{uuid.uuid4().hex}"
    body = envelope(register_body(ssin, "A", "2024-01-01"), caller.username, caller.password)
    assert post(server.endpoint, body, headers={"X-Request-Id": request_id}).status_code == 200
    [line] = call_lines(server, request_id)
    assert line["level"] == "INFO"
    assert {k: line[k] for k in ("tenant", "service", "operation", "outcome")} == {
        "tenant": caller.bce,
        "service": "RegisterService",
        "operation": "registerPerson",
        "outcome": "OK",
    }
    assert isinstance(line["duration_ms"], float) and 0 < line["duration_ms"] < 30_000
    assert ssin not in server.output()


def test_a_fault_is_logged_with_its_code_and_no_ssin_reaches_the_log(server, world, caller):
    unknown = new_ssin()  # valid, not in the source
    request_id = f"ssin-{unknown}"  # a caller may put anything in the header
    body = envelope(register_body(unknown), caller.username, caller.password)
    fault = read_fault(post(server.endpoint, body, headers={"X-Request-Id": request_id}))
    assert fault.reason_code == "UnknownSsin"
    [line] = call_lines(server, "ssin-<ssin>")
    assert (line["operation"], line["outcome"], line["tenant"]) == ("registerPerson", "Client.UnknownSsin", caller.bce)
    assert unknown not in server.output()


def test_an_unauthenticated_call_is_logged_without_a_tenant(server, world):
    request_id = f"test-{uuid.uuid4().hex}"
    answer = post(server.endpoint, envelope(register_body(new_ssin())), headers={"X-Request-Id": request_id})
    assert read_fault(answer).reason_code == "Authentication"
    [line] = call_lines(server, request_id)
    assert (line["tenant"], line["outcome"]) == (None, "Client.Authentication")


def test_every_line_the_server_writes_is_json(server):
    requests.get(f"{server.base}/healthz", timeout=5)
    lines = [line for line in server.output().splitlines() if line.strip()]
    not_json = [line for line in lines if not line.startswith("{") and not line.startswith("WSDL: ")]
    assert not not_json, not_json[:5]
    assert any(line.get("logger") == "gunicorn.error" for line in log_lines(server))  # gunicorn's own, as JSON too


def test_another_service_is_observed_without_code_of_its_own(server, world, caller):
    """PersonService came after the hooks: its calls are counted and logged under its own name."""
    ssin = world.person()
    person = "urn:be:raas:person:v1"
    body = f'<p:getPerson xmlns:p="{person}"><p:ssin>{ssin}</p:ssin></p:getPerson>'
    request_id = f"test-{uuid.uuid4().hex}"
    before = scrape(server)
    answer = post(
        f"{server.base}/ws/PersonService",
        envelope(body, caller.username, caller.password),
        headers={"X-Request-Id": request_id},
    )
    outcome = "OK" if answer.status_code == 200 else f"Client.{read_fault(answer).reason_code}"
    after = scrape(server)
    assert (
        calls(after, "getPerson", outcome, "PersonService") - calls(before, "getPerson", outcome, "PersonService") == 1
    )
    [line] = call_lines(server, request_id)
    assert (line["service"], line["operation"], line["outcome"]) == ("PersonService", "getPerson", outcome)
    assert ssin not in server.output()
