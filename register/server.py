"""`raas serve`: the WSGI application under gunicorn.

Threads in each worker keep client connections alive (SOAP clients reuse
them) while a call waits on PostgreSQL. The application is built in each
worker after the fork, so no database connection crosses a fork.

Settings come from options() below, then from a gunicorn configuration file
when one is given (`raas serve --config deploy/gunicorn.conf.py`), then from
the command line's explicit --workers/--threads.
"""

from __future__ import annotations

import gc
import math
import os
import runpy
from pathlib import Path

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    def __init__(self, options: dict, config_file: str | None = None, overrides: dict | None = None) -> None:
        self.options = options
        self.config_file = config_file
        self.overrides = overrides or {}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.config_file:
            for key, value in file_settings(self.config_file, self.cfg.settings).items():
                self.cfg.set(key, value)
        for key, value in self.overrides.items():
            self.cfg.set(key, value)

    def load(self):
        from register.bootstrap import soap_application

        app = soap_application()
        gc.freeze()  # the application's long-lived objects leave the collector's work
        return app


def file_settings(path: str, known) -> dict:
    """The gunicorn settings a configuration file defines (as gunicorn's own -c reads it)."""
    if not Path(path).is_file():
        raise SystemExit(f"gunicorn configuration {path} not found")
    names = runpy.run_path(path)
    return {key: value for key, value in names.items() if key in known and not key.startswith("_")}


def cpu_limit() -> float:
    """CPUs this process may use: the container's CPU quota (cgroup v2 or v1) when lower than the CPUs it sees.

    os.cpu_count() is the node's count in a Kubernetes pod; workers sized on it
    would thrash under a limit of 2 CPUs on a 64-CPU node.
    """
    cpus = float(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    quota = _cgroup_quota()
    return min(cpus, quota) if quota else cpus


def _cgroup_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]  # v2: "200000 100000" or "max 100000"
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())  # v1: -1 = none
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 else None
    except (OSError, ValueError):
        return None


def default_workers() -> int:
    """One process per CPU (at least 2, so one slow call never holds the whole server); threads cover the waits."""
    return max(2, math.ceil(cpu_limit()))


def _worker_exited(server, worker) -> None:
    from register.observability import metrics

    metrics.worker_exited(worker.pid)


def options(bind: str, workers: int, threads: int, max_request_bytes: int) -> dict:
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 75,  # longer than the usual client pool idle time
        # a socket per worker: the kernel spreads connections evenly, where workers racing on
        # one socket left a burst of keep-alive clients on one worker (bench/register.py)
        "reuse_port": True,
        "timeout": 30,
        "graceful_timeout": 20,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "accesslog": None,
        "proc_name": "raas",
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        # JSON lines, SSINs masked, for gunicorn's own messages too
        "logger_class": "register.observability.logs.GunicornLogger",
        "child_exit": _worker_exited,
        # no control socket in $HOME (read-only, or not even ours, in a container); nothing uses it
        "control_socket_disable": True,
    }
