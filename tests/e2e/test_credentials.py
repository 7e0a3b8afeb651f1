"""Credentials over SOAP: failed logins audited with who tried, throttling, removal effective within seconds."""

from __future__ import annotations

import time

from sqlalchemy import text

from register.services import auth
from tests.e2e.helpers import assert_raw_fault, envelope, post

LIST = "<r:listDossierTypes/>"


def audit_of(world, request_id: str):
    with world.engine.connect() as conn:
        return conn.execute(
            text("SELECT tenant_id, username, operation, outcome FROM audit WHERE request_id = :r"), {"r": request_id}
        ).all()


def call(server, username, password, request_id=None):
    headers = {"X-Request-Id": request_id} if request_id else {}
    return post(server.endpoint, envelope(LIST, username, password), headers=headers)


def test_a_wrong_password_is_audited_with_the_username_and_its_tenant(server, world, caller):
    assert_raw_fault(call(server, caller.username, "wrong password", "login-1"), "Authentication")
    tenant_id = world.tenants.id_of(caller.bce)
    assert audit_of(world, "login-1") == [(tenant_id, caller.username, "listDossierTypes", "Client.Authentication")]


def test_an_unknown_username_is_audited_with_that_name_and_no_tenant(server, world, caller):
    assert_raw_fault(call(server, "no-such-user", "whatever", "login-2"), "Authentication")
    assert audit_of(world, "login-2") == [(None, "no-such-user", "listDossierTypes", "Client.Authentication")]


def test_repeated_failures_throttle_the_username_with_an_authentication_fault(server, world, caller):
    for _ in range(auth.USERNAME_LIMIT):
        assert_raw_fault(call(server, caller.username, "wrong password"), "Authentication")
    started = time.monotonic()
    fault = assert_raw_fault(call(server, caller.username, caller.password), "Authentication")
    assert "Too many failed logins" in fault.faultstring
    assert time.monotonic() - started < 1  # answered at once, not held
    with world.engine.begin() as conn:  # the wait is over
        conn.execute(text("UPDATE auth_failure SET last_at = last_at - interval '2 minutes'"))
    assert b"dossierTypes" in call(server, caller.username, caller.password).content


def test_a_removed_credential_stops_working_within_seconds_although_workers_remembered_it(server, world, caller):
    for _ in range(4):  # both workers, most likely, verify and remember the password
        assert call(server, caller.username, caller.password).status_code == 200
    world.tenants.remove_client(caller.bce, caller.username)
    time.sleep(auth.RECHECK_SECONDS + 0.2)
    for _ in range(4):
        assert_raw_fault(call(server, caller.username, caller.password), "Authentication")
