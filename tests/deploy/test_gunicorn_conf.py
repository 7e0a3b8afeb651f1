"""deploy/gunicorn.conf.py: only real gunicorn settings, sane values; workers follow the container's CPU quota."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from gunicorn.config import Config

from register import server

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_every_name_the_file_defines_is_a_gunicorn_setting():
    import runpy

    names = runpy.run_path(str(CONF))
    settings = set(Config().settings)
    defined = {
        key
        for key, value in names.items()
        if not key.startswith("_") and not isinstance(value, (types.ModuleType, types.FunctionType))
    }
    assert defined <= settings, f"not gunicorn settings (typos?): {defined - settings}"


def test_the_file_sets_a_keep_alive_worker_with_timeouts_and_request_limits(monkeypatch):
    monkeypatch.delenv("RAAS_ACCESS_LOG", raising=False)
    monkeypatch.setenv("RAAS_WORKERS", "3")
    values = server.file_settings(str(CONF), Config().settings)
    assert values["workers"] == 3 and values["threads"] >= 1
    assert values["worker_class"] == "gthread"
    assert values["keepalive"] > 60  # the balancer closes idle connections first
    assert 0 < values["graceful_timeout"] < values["timeout"] + 1
    assert values["limit_request_line"] <= 8190 and values["limit_request_fields"] <= 100
    assert values["accesslog"] is None  # the application's JSON call line instead
    assert "%({x-request-id}o)s" in values["access_log_format"]
    monkeypatch.setenv("RAAS_ACCESS_LOG", "1")
    assert server.file_settings(str(CONF), Config().settings)["accesslog"] == "-"


def test_a_missing_configuration_file_is_named():
    with pytest.raises(SystemExit, match="nowhere.conf.py not found"):
        server.file_settings("/nowhere.conf.py", Config().settings)


@pytest.mark.parametrize(
    ("files", "quota"),
    [
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3.0),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
)
def test_the_cpu_quota_is_read_from_cgroup_v2_or_v1(tmp_path, files, quota):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert server._cgroup_quota(tmp_path) == quota


def test_workers_follow_the_quota_not_the_nodes_cpus(monkeypatch):
    monkeypatch.setattr(server, "_cgroup_quota", lambda: 2.5)
    monkeypatch.setattr(server.os, "sched_getaffinity", lambda _: set(range(64)))
    assert server.default_workers() == 3
    monkeypatch.setattr(server, "_cgroup_quota", lambda: 0.5)
    assert server.default_workers() == 2  # never fewer than 2
