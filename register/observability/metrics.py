"""Prometheus metrics, right under gunicorn's several worker processes.

Each worker counts in its own memory-mapped files in one directory
(prometheus_client's multiprocess mode); GET /metrics, whichever worker answers
it, sums every file. `raas serve` points PROMETHEUS_MULTIPROC_DIR at that
directory and empties it before the workers start (metrics_dir.py), since
the variable must be set before prometheus_client is first imported. Without
it (tests in one process, the CLI) the metrics live in the process.

Labels are bounded: the service and operation are names the application
declares (anything else is "unknown"), the outcome is "OK" or a contract
fault code. Never an SSIN, a username, a tenant or a request id.
"""

from __future__ import annotations

import os
import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from register.observability.metrics_dir import MULTIPROC_ENV

# SOAP calls answer in milliseconds; the top buckets catch argon2 logins and a slow database
_CALL_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,79}")

calls = Counter(
    "raas_soap_calls",
    "SOAP calls answered, by service, operation and outcome (OK or the fault code).",
    ["service", "operation", "outcome"],
)
call_duration = Histogram(
    "raas_soap_call_duration_seconds",
    "Time from the request reaching the application to the response built, by service, operation and outcome.",
    ["service", "operation", "outcome"],
    buckets=_CALL_BUCKETS,
)

# (1.1) Searches that left their tenant with less than a fifth of its quota (register.services.search_quota);
# searches refused are raas_soap_calls_total{outcome="Client.RateLimited"}.
search_quota_near = Counter(
    "raas_search_quota_near",
    "Searches that left their tenant with less than a fifth of its search quota (RAAS_SEARCH_RATE).",
)

# The nightly batch (`raas batch run`); fed through register.observability.batch.
batch_runs = Counter("raas_batch_runs", "Nightly batch runs, by outcome (ok or failed).", ["outcome"])
batch_files = Counter("raas_batch_files", "Nightly data files written (each with its voucher), by flow.", ["flow"])
batch_records = Counter("raas_batch_records", "Mutation records written to nightly files, by flow.", ["flow"])
batch_duration = Histogram(
    "raas_batch_duration_seconds",
    "Duration of a nightly batch run.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
)
batch_last_success = Gauge(
    "raas_batch_last_success_timestamp_seconds",
    "When the last successful nightly batch run finished (Unix time).",
    multiprocess_mode="mostrecent",
)


def label(value: str | None) -> str:
    """A label value from a bounded vocabulary, or "unknown" (never whatever a caller sent)."""
    return value if value and _LABEL.fullmatch(value) else "unknown"


def observe_call(service: str, operation: str, outcome: str, seconds: float) -> None:
    labels = (label(service), label(operation), label(outcome))
    calls.labels(*labels).inc()
    call_duration.labels(*labels).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The Prometheus text of every worker's metrics (or this process's), and its content type."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit: a dead worker's live gauges go (its counters stay counted)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
