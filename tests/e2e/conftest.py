"""End-to-end fixtures: the real `raas serve` (gunicorn, 2 workers) on the test database.

The server is started once per session as a subprocess and sees the same
database as the ``world`` fixture (tables truncated before each test). Its
workers remember a verified password for 60 s per username, so every test calls
with a client username of its own (``World.client`` makes one).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import zeep
import zeep.wsse.username
from sqlalchemy import text


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>, also RAAS_PUBLIC_URL
    log: Path  # the server's stdout and stderr
    outbox: Path  # RAAS_OUTBOX: the nightly files getDelivery reads

    @property
    def endpoint(self) -> str:
        return f"{self.base}/ws/RegisterService"

    @property
    def wsdl_url(self) -> str:
        return f"{self.endpoint}?wsdl"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def server(database_url, migrated_engine, tmp_path_factory):
    """`raas serve --bind 127.0.0.1:<free port> --workers 2 --config deploy/gunicorn.conf.py` on the test database."""
    home = tmp_path_factory.mktemp("raas-e2e-home")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RAAS_PUBLIC_URL": base,
        "RAAS_HOME": str(home),
        "RAAS_OUTBOX": str(home / "outbox"),
        "RAAS_LOG_LEVEL": "INFO",  # one JSON line per call: tests/e2e/test_observability.py reads them
        "RAAS_METRICS_DIR": str(home / "metrics"),
    }
    env.pop("RAAS_MAX_REQUEST_BYTES", None)  # the contract's default, 1 MiB
    log = home / "server.log"
    raas = Path(sys.executable).with_name("raas")
    command = [str(raas)] if raas.exists() else [sys.executable, "-m", "register"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            # the production gunicorn settings (deploy/), with 2 workers
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--config", str(GUNICORN_CONF)],
            cwd=home,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Server(base, log, home / "outbox")
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"raas serve exited with {process.returncode}:\n{running.output()}", pytrace=False)
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or a worker still booting
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"raas serve did not answer /healthz within 30 s:\n{running.output()}", pytrace=False)
            time.sleep(0.1)
        yield running
        if process.poll() is not None:
            pytest.fail(f"raas serve died during the tests ({process.returncode}):\n{running.output()}", pytrace=False)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def make_client(server):
    """zeep clients of a service (RegisterService unless told), strict, with a WS-Security UsernameToken
    (PasswordText); closed after the test."""
    clients: list[zeep.Client] = []

    def make(username: str | None, password: str | None = None, *, service="RegisterService", **token) -> zeep.Client:
        wsse = zeep.wsse.username.UsernameToken(username, password, **token) if username is not None else None
        client = zeep.Client(f"{server.base}/ws/{service}?wsdl", wsse=wsse, settings=zeep.Settings(strict=True))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.transport.session.close()  # else their sockets are collected later, warning in another test


@dataclass
class Caller:
    """A tenant with dossier types A and B, one credential and its zeep client."""

    bce: str
    username: str
    password: str
    client: zeep.Client

    @property
    def service(self):
        return self.client.service


@pytest.fixture
def caller(world, make_client) -> Caller:
    bce = world.tenant("A", "B")
    username, password = world.client(bce)
    return Caller(bce, username, password, make_client(username, password))


@pytest.fixture
def registrations(world):
    """The registration table's rows, to show a refused call wrote nothing."""

    def rows() -> list[tuple]:
        with world.engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    text("SELECT tenant_id, ssin, dossier_type, period::text FROM registration ORDER BY 1, 2, 3, 4")
                )
            ]

    return rows


@pytest.fixture
def unchanged(registrations):
    """Asserts, at the end of the test, that the registration table is as it was when the test asked for it."""
    before = registrations()
    yield
    assert registrations() == before
