"""`raas tenant rotate-client / remove-client` and `raas audit`, run as commands against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from register.adapters.tenants import Tenants
from register.domain.errors import Authentication
from register.services.auth import Authenticator
from tests.integration.helpers import d


@pytest.fixture
def raas(database_url):
    """Runs `raas ARGS` and gives (exit status, stdout, stderr)."""
    env = {**os.environ, "DATABASE_URL": database_url}

    def run(*args: str, stdin: str = ""):
        done = subprocess.run(
            [sys.executable, "-m", "register", *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
        )
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture
def credential(world, tenant):
    return world.client(tenant.bce, password="the first password")


def test_rotate_client_prints_a_new_password_that_replaces_the_old_one(raas, engine, tenant, credential):
    username, old = credential
    status, out, _ = raas("tenant", "rotate-client", "--bce", tenant.bce, "--username", username)
    new = out.strip().splitlines()[-1]
    assert status == 0 and len(new) >= 24
    authenticator = Authenticator(Tenants(engine))
    assert authenticator.authenticate(username, new).tenant_id == tenant.id
    with pytest.raises(Authentication):
        authenticator.authenticate(username, old)


def test_rotate_client_reads_a_password_from_stdin_and_refuses_a_short_one(raas, tenant, credential):
    username, _ = credential
    status, _, err = raas(
        "tenant", "rotate-client", "--bce", tenant.bce, "--username", username, "--password-stdin", stdin="short\n"
    )
    assert status == 1 and "at least 12 characters" in err


def test_remove_client_and_an_unknown_client_is_named(raas, tenant, credential):
    username, _ = credential
    assert raas("tenant", "remove-client", "--bce", tenant.bce, "--username", username)[0] == 0
    status, _, err = raas("tenant", "remove-client", "--bce", tenant.bce, "--username", username)
    assert status == 1 and f"no client {username} in tenant {tenant.bce}" in err


@pytest.fixture
def audited(service, world, tenant, make_tenant):
    """Three calls of our tenant (two on one ssin), one of another tenant."""
    ssin, other_ssin = world.person(), world.person()
    service.register_person(tenant.call("req-a"), ssin, "A", d("2020-01-01"), None)
    service.register_person(tenant.call("req-b"), other_ssin, "A", d("2020-01-01"), None)
    service.unregister_person(tenant.call("req-c"), ssin, "A")
    theirs = make_tenant("A")
    service.register_person(theirs.call("req-d"), ssin, "A", d("2020-01-01"), None)
    return ssin


def test_audit_prints_the_tenants_rows_as_a_table_oldest_first(raas, tenant, audited):
    status, out, err = raas("audit", "--bce", tenant.bce)
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == ["at", "username", "operation", "outcome", "ssins", "request", "id"]
    assert [line.split()[-1] for line in lines[1:]] == ["req-a", "req-b", "req-c"]
    assert "3 row(s)" in err


def test_audit_filters_by_ssin_and_since_and_speaks_json(raas, tenant, audited):
    status, out, _ = raas("audit", "--bce", tenant.bce, "--ssin", audited, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [(r["requestId"], r["operation"], r["ssins"]) for r in rows] == [
        ("req-a", "registerPerson", [audited]),
        ("req-c", "unregisterPerson", [audited]),
    ]
    assert raas("audit", "--bce", tenant.bce, "--since", "2999-01-01", "--json")[1] == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--ssin", "123"), "is not 11 digits"),
        (("--since", "yesterday"), "is not a date"),
    ],
)
def test_audit_names_a_bad_argument(raas, tenant, args, message):
    status, _, err = raas("audit", "--bce", tenant.bce, *args)
    assert status == 1 and message in err


def test_audit_of_an_unknown_tenant_is_refused(raas, engine):
    status, _, err = raas("audit", "--bce", "0123456749")
    assert status == 1 and "no tenant with BCE 0123456749" in err
