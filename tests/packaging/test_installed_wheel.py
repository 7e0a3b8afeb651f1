"""The package as a user installs it: the built wheel in a fresh virtual environment outside the checkout.

Everything `raas` reads at run time must come from the wheel (schemas, SQL sources,
migrations): the environment sees no file of this repository. From there: `raas db
upgrade`, `raas demo`, `raas serve` with one SOAP call of each service (zeep), `raas
source apply` of a feed with a replacement, and `raas batch run`, whose file the
SubscriptionService then hands over.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
import requests
import zeep
import zeep.wsse.username
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[2]
FEED_NS = "urn:be:raas:source:v1"
NEW_SSIN = "90020212372"  # not among the demo's persons (their serials are 001-998 of other dates)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built from this checkout, installed with the demo extra into a new venv; returns its bin/."""
    place = tmp_path_factory.mktemp("installed")
    wheels = place / "dist"
    built = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(wheels), str(ROOT)], cwd=place, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("raas-*.whl")
    venv = place / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=place, check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = run([*pip, "-c", str(ROOT / "constraints.txt"), f"raas[demo] @ {wheel.as_uri()}"], cwd=place, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


@pytest.fixture
def database(database_url):
    """A database of its own on the test server, dropped after the test: the URL `raas` gets."""
    url = make_url(database_url)
    name = f"raas_wheel_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def run(command: list[str], *, cwd: Path, env: dict | None = None, timeout: float = 120, check: bool = False):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=check)


def test_the_installed_wheel_runs_every_command_and_service_from_outside_the_checkout(installed, database, tmp_path):
    home = tmp_path / "home"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": f"{installed}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": database,
        "RAAS_HOME": str(home),
        "RAAS_PUBLIC_URL": base,
    }

    def raas(*args: str, timeout: float = 120) -> str:
        done = run([str(installed / "raas"), *args], cwd=tmp_path, env=env, timeout=timeout)
        assert done.returncode == 0, f"raas {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    where = run([str(installed / "python"), "-c", "import register; print(register.__file__)"], cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(installed.parent)), where.stdout + where.stderr  # not this checkout

    assert "database schema at revision" in raas("db", "upgrade")
    raas("demo", "--persons", "50")
    username, password = (home / "demo-credentials").read_text().split()
    with psycopg.connect(make_url(database).set(drivername="postgresql").render_as_string(hide_password=False)) as c:
        (ssin,) = c.execute("SELECT ssin FROM person ORDER BY ssin LIMIT 1").fetchone()

    server = subprocess.Popen(
        [str(installed / "raas"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(base, server)
        token = zeep.wsse.username.UsernameToken(username, password)

        def client(service: str) -> zeep.Client:
            return zeep.Client(f"{base}/ws/{service}?wsdl", wsse=token, settings=zeep.Settings(strict=True))

        register, persons, subscriptions = (
            client("RegisterService"),
            client("PersonService"),
            client("SubscriptionService"),
        )
        done = register.service.registerPerson(ssin=ssin, dossierType="PENSION", period={"startDate": date(2024, 1, 1)})
        assert done.registration.ssin == ssin
        assert persons.service.getPerson(ssin=ssin).status == "ACTIVE"
        assert subscriptions.service.subscribe(flow="SSIN_REPLACED").flow == "SSIN_REPLACED"

        feed = tmp_path / "feed.xml"
        feed.write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<SourceFeed xmlns="{FEED_NS}">\n'
            f"<personChanged><ssin>{NEW_SSIN}</ssin><lastName>Nowak</lastName><firstName>Zofia</firstName>"
            f"<birthDate>1990-02-02</birthDate></personChanged>\n"
            f"<ssinReplaced><oldSsin>{ssin}</oldSsin><newSsin>{NEW_SSIN}</newSsin></ssinReplaced>\n</SourceFeed>\n"
        )
        assert "1 SSINs replaced (1 lines moved)" in raas("source", "apply", str(feed))
        assert "1 record" in raas("batch", "run")

        (delivery,) = subscriptions.service.listDeliveries()
        files = subscriptions.service.getDelivery(fileName=delivery.fileName)
        assert f"<oldSsin>{ssin}</oldSsin>".encode() in files.content
        assert persons.service.getPerson(ssin=ssin).replacedBy == NEW_SSIN
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server.stdout.close()


def _wait_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"raas serve exited with {server.returncode}:\n{server.stdout.read().decode()}", pytrace=False)
        try:
            if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail("raas serve was not ready within 60 s", pytrace=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
