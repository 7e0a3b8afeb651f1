"""The processes a benchmark starts: servers in a session of their own, and the raas command.

Servers run in the project's folder with this Python: the ceilings as `python -m bench.servers`,
RaaS as `raas serve` (or through bench.servers when an experiment changes its settings).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import ROOT
from bench.envelopes import ECHO_REQUEST, connection, post


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raas_command() -> list[str]:
    """The `raas` console script beside this Python (the project's virtual environment)."""
    raas = Path(sys.executable).with_name("raas")
    return [str(raas)] if raas.exists() else [sys.executable, "-m", "register.cli"]


def run_raas(args: list[str], env: dict, check: bool = True, **kw) -> subprocess.CompletedProcess:
    """`raas ARGS...`, run to its end in the project's folder."""
    return subprocess.run([*raas_command(), *args], env=env, cwd=ROOT, check=check, **kw)


class ServerProcess:
    """A gunicorn server in its own session (so it and its workers can be stopped together)."""

    def __init__(
        self, name: str, command: list[str], env: dict, log: Path, ready: Callable[[], bool], timeout: float = 60
    ) -> None:
        self.name, self.command, self.env, self.log_path, self.ready = name, command, env, log, ready
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if self.ready():
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} server did not come up in {self.timeout:g} s:\n{self.tail()}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: the master and its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def ceiling_server(
    kind: str, folder: Path, workers: int, threads: int, experiments: Sequence[str] = (), timeout: float = 60
) -> tuple[ServerProcess, str]:
    """The plain or echo ceiling (bench/servers.py) on a free port, and its URL; not started yet."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/ws/EchoService"
    command = [sys.executable, "-m", "bench.servers", kind, "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads), *experiments]

    def ready() -> bool:
        status, _, _ = post(url, ECHO_REQUEST)
        return status == 200

    return ServerProcess(kind, command, dict(os.environ), folder / f"{kind}.log", ready, timeout), url


def raas_server(
    env: dict, log: Path, workers: int, threads: int, experiments: Sequence[str] = (), timeout: float = 60
) -> tuple[ServerProcess, str]:
    """`raas serve` on a free port with ``env``, and its base URL; not started yet. Ready when /readyz says so."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sizes = ["--workers", str(workers), "--threads", str(threads)]
    if experiments:  # `raas serve` with the experiment's change, in bench/servers.py
        command = [sys.executable, "-m", "bench.servers", "raas", "--bind", f"127.0.0.1:{port}", *sizes, *experiments]
    else:  # `raas serve` itself
        command = [*raas_command(), "serve", "--bind", f"127.0.0.1:{port}", *sizes]

    def ready() -> bool:
        conn = connection(base, timeout=5)
        try:
            conn.request("GET", "/readyz")
            return conn.getresponse().status == 200
        finally:
            conn.close()

    return ServerProcess("raas", command, env, log, ready, timeout), base
