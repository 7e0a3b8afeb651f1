"""Logs (JSON, SSINs masked), metric labels, the batch recording API and worker-summed metrics."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families

from register.config import Settings
from register.observability import batch, logs, metrics
from register.observability.masking import MASK, mask_ssins

DIGEST = "9f86d0818a" + "12345678901" + "c" * 43  # 64 hex characters holding an 11-digit run


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ssin 85073003328 refused", f"ssin {MASK} refused"),
        ("85073003328", MASK),
        ("formatted 85.07.30-033.28.", f"formatted {MASK}."),
        ("two: 85073003328,85073003429", f"two: {MASK},{MASK}"),
        ("bce 0123456749 is no ssin", "bce 0123456749 is no ssin"),
        ("a longer run 123456789012 is something else", "a longer run 123456789012 is something else"),
        ("x85073003328y", f"x{MASK}y"),
        # a SHA-256 in a batch log line keeps its digits, whatever runs it holds
        (f"sha256 {DIGEST}", f"sha256 {DIGEST}"),
        (f"{DIGEST} 85073003328", f"{DIGEST} {MASK}"),
    ],
)
def test_ssins_are_masked_wherever_they_stand(text, masked):
    assert mask_ssins(text) == masked


def _formatted(record_args: dict) -> dict:
    stream = io.StringIO()
    logger = logging.getLogger(f"test.{id(stream)}")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error(*record_args.pop("args"), **record_args)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert text.count("\n") == 1, text  # one line, even with a traceback
    return json.loads(text)


def test_a_log_line_is_one_json_object_with_extra_fields_and_masked_ssins():
    line = _formatted({"args": ("refused %s", "85073003328"), "extra": {"request_id": "r-1", "duration_ms": 1.5}})
    assert line["message"] == f"refused {MASK}"
    assert (line["level"], line["request_id"], line["duration_ms"]) == ("ERROR", "r-1", 1.5)


def test_a_traceback_is_one_escaped_field_with_its_ssins_masked():
    try:
        raise ValueError("no person 85073003328")
    except ValueError:
        line = _formatted({"args": ("incident",), "exc_info": True})
    assert "ValueError: no person <ssin>" in line["exception"]
    assert "85073003328" not in json.dumps(line)


def test_the_root_logger_takes_its_level_from_the_setting():
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    stream = io.StringIO()
    try:
        logs.configure("warning", stream)
        logging.getLogger("raas.test").info("not written")
        logging.getLogger("raas.test").warning("written")
    finally:
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["written"]


def test_an_unknown_log_level_is_refused_with_its_name():
    with pytest.raises(SystemExit, match="RAAS_LOG_LEVEL must be one of .* not 'LOUD'"):
        Settings.from_env({"RAAS_LOG_LEVEL": "LOUD"})
    assert Settings.from_env({"RAAS_LOG_LEVEL": "debug"}).log_level == "DEBUG"


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("registerPerson", "registerPerson"),
        ("Client.InvalidSsin", "Client.InvalidSsin"),
        ("", "unknown"),
        (None, "unknown"),
        ('x"} 1\nraas_fake 2', "unknown"),
        ("a" * 81, "unknown"),
        ("85073003328", "unknown"),
    ],
)
def test_label_values_come_from_a_bounded_vocabulary(value, label):
    assert metrics.label(value) == label


_WORKER = """
import sys
from register.observability import metrics
for _ in range(int(sys.argv[1])):
    metrics.observe_call("RegisterService", "registerPerson", "OK", 0.003)
metrics.observe_call("RegisterService", "registerPerson", "Client.InvalidSsin", 0.001)
"""
_SCRAPE = "from register.observability import metrics; print(metrics.exposition()[0].decode())"


def test_metrics_of_several_worker_processes_are_summed_in_one_scrape(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in (3, 4):
        subprocess.run([sys.executable, "-c", _WORKER, str(count)], env=env, check=True, timeout=60)
    text = subprocess.run(
        [sys.executable, "-c", _SCRAPE], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    samples = {
        (s.name, s.labels.get("outcome"), s.labels.get("le")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("raas_soap_calls_total", "OK", None)] == 7
    assert samples[("raas_soap_calls_total", "Client.InvalidSsin", None)] == 2
    assert samples[("raas_soap_call_duration_seconds_bucket", "OK", "0.005")] == 7
    assert samples[("raas_soap_call_duration_seconds_bucket", "OK", "0.002")] == 0


def test_the_metrics_directory_is_emptied_when_the_server_starts(tmp_path, monkeypatch):
    from register.observability import metrics_dir

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    for name in ("counter_123.db", "histogram_123.db", "gauge_mostrecent_9.db", "keep.txt", "registry.db"):
        (tmp_path / name).write_bytes(b"stale")
    assert metrics_dir.prepare_directory(str(tmp_path)) == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "registry.db"]  # not ours: kept
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)


class _Gateway(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_PUT(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((self.command, self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def pushgateway():
    _Gateway.received = []
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Gateway.received
    server.shutdown()
    server.server_close()


def _pushed(received) -> dict:
    [(method, path, body)] = received
    assert (method, path) == ("PUT", "/metrics/job/raas-batch")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_a_finished_batch_run_pushes_its_files_records_and_duration(pushgateway):
    url, received = pushgateway
    files_before = metrics.batch_files.labels("SSIN_REPLACED")._value.get()
    with batch.batch_run(url) as run:
        run.file_written("SSIN_REPLACED", 120)
        run.file_written("SSIN_REPLACED", 0)
        run.file_written("IDENTITY_CHANGED", 7)
    assert (run.files, run.records) == (3, 127)
    pushed = _pushed(received)
    assert pushed[("raas_batch_files_total", (("flow", "SSIN_REPLACED"),))] == files_before + 2
    assert pushed[("raas_batch_records_total", (("flow", "IDENTITY_CHANGED"),))] >= 7
    assert pushed[("raas_batch_runs_total", (("outcome", "ok"),))] >= 1
    assert pushed[("raas_batch_duration_seconds_count", ())] >= 1
    assert pushed[("raas_batch_last_success_timestamp_seconds", ())] > 1.7e9


def test_a_failed_batch_run_is_counted_failed_and_its_error_goes_on(pushgateway):
    url, received = pushgateway
    failed_before = metrics.batch_runs.labels("failed")._value.get()
    with pytest.raises(RuntimeError, match="disk full"), batch.batch_run(url):
        raise RuntimeError("disk full")
    assert _pushed(received)[("raas_batch_runs_total", (("outcome", "failed"),))] == failed_before + 1


def test_an_unreachable_pushgateway_does_not_fail_the_run(caplog):
    with batch.batch_run("http://127.0.0.1:9") as run:  # discard port: nothing listens
        run.file_written("IDENTITY_CHANGED", 1)
    assert "could not push batch metrics" in caplog.text
