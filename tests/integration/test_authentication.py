"""Who calls: a UsernameToken's PasswordText checked against the stored argon2id hash."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from register.adapters.tenants import Tenants
from register.domain.errors import Authentication
from register.services.auth import Authenticator, Caller


@pytest.fixture
def credential(world, tenant):
    username, password = world.client(tenant.bce, password="correct horse battery")
    return username, password


@pytest.fixture
def authenticator(engine):
    return Authenticator(Tenants(engine))


def test_the_right_password_gives_the_caller_and_its_tenant(authenticator, credential, tenant):
    username, password = credential
    assert authenticator.authenticate(username, password) == Caller(tenant.id, tenant.bce, username)


def test_the_right_password_works_again_once_remembered(authenticator, credential, tenant):
    username, password = credential
    first = authenticator.authenticate(username, password)
    assert authenticator.authenticate(username, password) == first


@pytest.mark.parametrize(
    "wrong",
    ["correct horse batterY", "correct horse battery ", "", "correct horse", "x" * 1000],
)
def test_a_wrong_password_is_refused(authenticator, credential, wrong):
    username, _ = credential
    with pytest.raises(Authentication):
        authenticator.authenticate(username, wrong)


def test_a_password_with_non_ascii_characters_works(authenticator, world, tenant):
    username, password = world.client(tenant.bce, password="pässwörd ✓ 密码")
    assert authenticator.authenticate(username, password).tenant_id == tenant.id
    with pytest.raises(Authentication):
        authenticator.authenticate(username, "passwörd ✓ 密码")


def test_a_wrong_password_is_refused_after_the_right_one_was_remembered(authenticator, credential):
    username, password = credential
    authenticator.authenticate(username, password)
    with pytest.raises(Authentication):
        authenticator.authenticate(username, password + "!")


def test_an_unknown_username_is_refused(authenticator, credential):
    _, password = credential
    with pytest.raises(Authentication):
        authenticator.authenticate("nobody", password)


def test_a_username_is_matched_exactly(authenticator, credential):
    username, password = credential
    with pytest.raises(Authentication):
        authenticator.authenticate(username.upper(), password)


@pytest.mark.parametrize(("username", "password"), [("", "pw"), (None, "pw"), ("someone", None), (None, None)])
def test_a_missing_username_or_password_is_refused(authenticator, credential, username, password):
    with pytest.raises(Authentication):
        authenticator.authenticate(username, password)


def test_one_tenants_password_does_not_open_another_tenants_username(authenticator, world, make_tenant):
    one, other = make_tenant("A"), make_tenant("A")
    username_one, _ = world.client(one.bce, password="password of one")
    username_other, _ = world.client(other.bce, password="password of other")
    assert authenticator.authenticate(username_one, "password of one").tenant_id == one.id
    assert authenticator.authenticate(username_other, "password of other").tenant_id == other.id
    with pytest.raises(Authentication):
        authenticator.authenticate(username_other, "password of one")


def test_the_stored_hash_is_argon2id_and_never_the_password(engine, credential):
    username, password = credential
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM client WHERE username = :u"), {"u": username}
        ).scalar_one()
        anywhere = conn.execute(
            text(
                "SELECT count(*) FROM client WHERE position(:pw IN password_hash) > 0 OR position(:pw IN username) > 0"
            ),
            {"pw": password},
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert password not in stored and anywhere == 0


def test_a_removed_credential_stops_working_once_its_remembered_entry_expires(engine, credential):
    username, password = credential
    now = [0.0]
    authenticator = Authenticator(Tenants(engine), cache_seconds=60, clock=lambda: now[0])
    authenticator.authenticate(username, password)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM client WHERE username = :u"), {"u": username})
    now[0] = 61.0
    with pytest.raises(Authentication):
        authenticator.authenticate(username, password)
