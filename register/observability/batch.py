"""What the nightly batch (`raas batch run`) reports to Prometheus.

The batch runs in a CronJob's short-lived pod that Prometheus cannot scrape,
so a finished run pushes its figures to a Pushgateway when
RAAS_PUSHGATEWAY_URL is set (the usual Prometheus answer for batch jobs).
A push that fails is logged; it never fails the run. The batch calls:

    with batch_run() as run:
        ...
        run.file_written(flow, record_count)   # once per data file (with its voucher)

Metric names: raas_batch_runs_total{outcome}, raas_batch_files_total{flow},
raas_batch_records_total{flow}, raas_batch_duration_seconds,
raas_batch_last_success_timestamp_seconds (docs/OPERATIONS.md).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from register.observability import metrics

PUSHGATEWAY_ENV = "RAAS_PUSHGATEWAY_URL"
JOB = "raas-batch"
log = logging.getLogger("raas.batch")


class BatchRun:
    def __init__(self) -> None:
        self.files = 0
        self.records = 0

    def file_written(self, flow: str, records: int) -> None:
        if records < 0:
            raise ValueError("a file holds zero or more records")
        flow = metrics.label(flow)
        metrics.batch_files.labels(flow).inc()
        metrics.batch_records.labels(flow).inc(records)
        self.files += 1
        self.records += records


@contextmanager
def batch_run(pushgateway: str | None = None) -> Iterator[BatchRun]:
    """Times the run, counts it ok or failed (an exception), then pushes if a Pushgateway is configured."""
    pushgateway = pushgateway if pushgateway is not None else os.environ.get(PUSHGATEWAY_ENV)
    run = BatchRun()
    started = time.perf_counter()
    outcome = "failed"
    try:
        yield run
        outcome = "ok"
    finally:
        metrics.batch_duration.observe(time.perf_counter() - started)
        metrics.batch_runs.labels(outcome).inc()
        if outcome == "ok":
            metrics.batch_last_success.set_to_current_time()
        log.info("batch run %s", outcome, extra={"files": run.files, "records": run.records, "outcome": outcome})
        if pushgateway:
            push(pushgateway)


def push(gateway: str) -> None:
    from prometheus_client import CollectorRegistry, push_to_gateway

    registry = CollectorRegistry()
    for metric in (
        metrics.batch_runs,
        metrics.batch_files,
        metrics.batch_records,
        metrics.batch_duration,
        metrics.batch_last_success,
    ):
        registry.register(metric)
    try:
        push_to_gateway(gateway, job=JOB, registry=registry, timeout=10)
    except Exception as error:  # noqa: BLE001 - the files are written; a missing figure must not fail the run
        log.warning("could not push batch metrics to %s: %s", gateway, error)
