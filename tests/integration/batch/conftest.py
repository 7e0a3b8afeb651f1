"""Fixtures for the nightly batch: tenants with lines, subscriptions, real journal mutations, runs.

Mutations are made as the authentic source's feed makes them (register.services.source_feed),
so the journal holds what production holds; lines and subscriptions are written by SQL as the
register and SubscriptionService would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from register.adapters import database, signing
from register.batch import job
from register.domain.person import PersonIdentity
from register.services import source_feed
from register.services.source_feed import PersonChanged, SsinReplaced
from tests.conftest import SIGNING_ENV, TEST_SIGNING

ROOT = Path(__file__).resolve().parents[3]
CREATED_AT = datetime(2026, 1, 15, 1, 30, tzinfo=timezone(timedelta(hours=1)))


@dataclass(frozen=True)
class Subscriber:
    bce: str
    id: int


@pytest.fixture
def outbox(tmp_path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def conn(engine):
    """The batch's own connection (the owner role, Brussels time)."""
    with database.connect_owner(engine.url.render_as_string(hide_password=False), "raas-batch") as connection:
        yield connection


@pytest.fixture
def subscriber(world):
    def make(*flows: str, dossier_types=("A", "B"), bce: str | None = None) -> Subscriber:
        if bce:
            world.tenants.create(bce, "Subscriber")
            for code in dossier_types:
                world.tenants.add_dossier_type(bce, code, f"Dossier type {code}")
        else:
            bce = world.tenant(*dossier_types)
        tenant = Subscriber(bce, world.tenants.id_of(bce))
        for flow in flows:
            subscribe(world.engine, tenant, flow)
        return tenant

    return make


@pytest.fixture
def renamed(world, subscriber) -> tuple[Subscriber, str]:
    """A subscriber to IDENTITY_CHANGED with a line of a person the source has just renamed: (it, the ssin)."""
    tenant = subscriber("IDENTITY_CHANGED")
    ssin = world.person()
    line(world.engine, tenant, ssin)
    rename(world.engine, ssin, "Peters")
    return tenant, ssin


def subscribe(engine, tenant: Subscriber, flow: str) -> None:
    """As SubscriptionService's subscribe does: from the journal's present on."""
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO subscription (tenant_id, flow, since, delivered_through)"
                " VALUES (:t, :f, raas_today(), raas_journal_head()) ON CONFLICT DO NOTHING"
            ),
            {"t": tenant.id, "f": flow},
        )


def line(engine, tenant: Subscriber, ssin: str, dossier_type: str = "A", start="2020-01-01", end=None) -> None:
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " VALUES (:t, :s, :d, daterange(CAST(:start AS date), CAST(:end AS date), '[]'))"
            ),
            {"t": tenant.id, "s": ssin, "d": dossier_type, "start": start, "end": end},
        )


def rename(engine, ssin: str, last_name: str, first_name: str = "Jan", birth_date="1985-07-30", gender="M", **kw):
    """An identity change from the authentic source (an IDENTITY_CHANGED per tenant concerned)."""
    identity = PersonIdentity(last_name, first_name, birth_date, gender, **kw)
    source_feed.apply(engine, [PersonChanged(1, ssin, identity)])


def replace(engine, old: str, new: str) -> None:
    source_feed.apply(engine, [SsinReplaced(1, old, new)])


def run(conn, outbox: Path, run_date: date | None = None, **kw) -> job.Summary:
    kw.setdefault("clock", lambda: CREATED_AT)
    kw.setdefault("signer", signing.load(TEST_SIGNING / "key.pem", TEST_SIGNING / "cert.pem"))
    return job.run(conn, outbox, run_date, **kw)


def journal(engine, tenant: Subscriber, flow: str) -> list[int]:
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT sequence FROM journal WHERE tenant_id = :t AND flow = :f ORDER BY sequence"),
            {"t": tenant.id, "f": flow},
        )
        return [r[0] for r in rows]


def raas(database_url: str, outbox: Path, *args: str, python: list[str] | None = None, **popen):
    """`raas` in a process of its own (python: code run before the CLI, e.g. to plant a SIGKILL)."""
    env = {**os.environ, "DATABASE_URL": database_url, "RAAS_OUTBOX": str(outbox), "RAAS_LOG_LEVEL": "INFO",
           **SIGNING_ENV}  # fmt: skip
    prelude = "\n".join(python or [])
    code = f"import sys\n{prelude}\nfrom register.cli import main\nsys.exit(main({list(args)!r}))"
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        **popen,
    )  # fmt: skip
