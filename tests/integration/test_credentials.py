"""Credentials: throttling of failed logins (shared by every worker), rotation and removal taking effect at once."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from register.adapters.tenants import Tenants
from register.domain.errors import Authentication
from register.services import auth
from register.services.auth import Authenticator, hash_password

RIGHT = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """argon2id with minimal costs: these tests verify dozens of passwords (the hashes carry their costs)."""
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy"))


@pytest.fixture
def credential(world, tenant):
    username, _ = world.client(tenant.bce, password=RIGHT)
    return username


@pytest.fixture
def authenticator(engine):
    return Authenticator(Tenants(engine))


def fail(authenticator, username, times, address=None):
    for _ in range(times):
        with pytest.raises(Authentication, match="wrong"):
            authenticator.authenticate(username, "wrong password", address)


def age_failures(engine, seconds: float) -> None:
    """As if every recorded failure had happened ``seconds`` earlier."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE auth_failure SET last_at = last_at - make_interval(secs => :s)"), {"s": seconds})


def test_a_username_is_throttled_after_repeated_failures_even_for_the_right_password(authenticator, credential):
    fail(authenticator, credential, auth.USERNAME_LIMIT)
    with pytest.raises(Authentication, match="Too many failed logins"):
        authenticator.authenticate(credential, RIGHT)


def test_fewer_failures_than_the_limit_do_not_throttle(authenticator, credential, tenant):
    fail(authenticator, credential, auth.USERNAME_LIMIT - 1)
    assert authenticator.authenticate(credential, RIGHT).tenant_id == tenant.id


def test_throttling_one_username_leaves_the_others_alone(authenticator, credential, world, tenant):
    other, _ = world.client(tenant.bce, password=RIGHT)
    fail(authenticator, credential, auth.USERNAME_LIMIT)
    assert authenticator.authenticate(other, RIGHT).username == other


def test_the_wait_doubles_with_each_failure_and_ends_without_lockout(engine, authenticator, credential, tenant):
    fail(authenticator, credential, auth.USERNAME_LIMIT)
    age_failures(engine, 1.5)  # the first wait (1 s) is over: one more guess is checked
    fail(authenticator, credential, 1)
    age_failures(engine, 1.5)  # the second wait is 2 s
    with pytest.raises(Authentication, match="Too many failed logins; retry in 1 s"):
        authenticator.authenticate(credential, RIGHT)
    age_failures(engine, auth.MAX_WAIT_SECONDS)  # never longer than the longest wait
    assert authenticator.authenticate(credential, RIGHT).tenant_id == tenant.id


def test_a_success_forgets_the_usernames_failures(engine, authenticator, credential):
    fail(authenticator, credential, auth.USERNAME_LIMIT - 1)
    authenticator.authenticate(credential, RIGHT)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM auth_failure WHERE key LIKE 'u:%'")).scalar_one() == 0


def test_failures_older_than_15_minutes_are_forgotten(engine, authenticator, credential, tenant):
    fail(authenticator, credential, auth.USERNAME_LIMIT)
    age_failures(engine, 15 * 60 + 1)
    fail(authenticator, credential, auth.USERNAME_LIMIT - 1)  # counted from zero again
    assert authenticator.authenticate(credential, RIGHT).tenant_id == tenant.id


def test_an_address_trying_many_usernames_is_throttled_and_other_addresses_are_not(authenticator, credential):
    for n in range(auth.ADDRESS_LIMIT):
        with pytest.raises(Authentication, match="wrong"):
            authenticator.authenticate(f"guess-{n}", "whatever", "192.0.2.7")
    with pytest.raises(Authentication, match="Too many failed logins"):
        authenticator.authenticate(credential, RIGHT, "192.0.2.7")
    assert authenticator.authenticate(credential, RIGHT, "192.0.2.8").username == credential


def test_the_throttle_is_shared_by_every_worker(engine, credential):
    one, two = Authenticator(Tenants(engine)), Authenticator(Tenants(engine))
    fail(one, credential, auth.USERNAME_LIMIT)
    with pytest.raises(Authentication, match="Too many failed logins"):
        two.authenticate(credential, RIGHT)


def test_an_unknown_username_is_throttled_like_a_known_one(authenticator):
    fail(authenticator, "nobody", auth.USERNAME_LIMIT)
    with pytest.raises(Authentication, match="Too many failed logins"):
        authenticator.authenticate("nobody", "anything")


def test_a_very_long_username_is_refused_without_a_lookup(authenticator):
    with pytest.raises(Authentication, match="wrong"):
        authenticator.authenticate("u" * 100_000, "pw")


@pytest.fixture
def clock():
    now = [1000.0]
    return now


@pytest.fixture
def cached(engine, credential, clock):
    """An authenticator (a worker) that has verified and remembered the credential's password."""
    authenticator = Authenticator(Tenants(engine), cache_seconds=3600, clock=lambda: clock[0])
    authenticator.authenticate(credential, RIGHT)
    return authenticator


def test_a_rotated_password_stops_working_within_a_second_in_a_worker_that_remembered_it(
    cached, clock, credential, tenant
):
    Tenants(cached._tenants._engine).rotate_client(tenant.bce, credential, hash_password("a brand new password"))
    clock[0] += auth.RECHECK_SECONDS + 0.1
    with pytest.raises(Authentication):
        cached.authenticate(credential, RIGHT)
    assert cached.authenticate(credential, "a brand new password").username == credential


def test_a_removed_credential_stops_working_within_a_second_in_a_worker_that_remembered_it(
    cached, clock, credential, tenant
):
    Tenants(cached._tenants._engine).remove_client(tenant.bce, credential)
    clock[0] += auth.RECHECK_SECONDS + 0.1
    with pytest.raises(Authentication):
        cached.authenticate(credential, RIGHT)


def test_between_checks_a_remembered_password_costs_no_database_round_trip(cached, clock, credential, monkeypatch):
    def unreachable(*args, **kwargs):
        raise AssertionError("the database was asked")

    monkeypatch.setattr(cached._tenants, "login", unreachable)
    monkeypatch.setattr(cached._tenants, "credentials_version", unreachable)
    clock[0] += auth.RECHECK_SECONDS / 2
    assert cached.authenticate(credential, RIGHT).username == credential


def test_rotating_or_removing_a_client_of_another_tenant_is_refused(engine, world, credential, make_tenant):
    from register.domain.errors import NotFound

    other = make_tenant("A")
    with pytest.raises(NotFound):
        Tenants(engine).rotate_client(other.bce, credential, hash_password("x" * 12))
    with pytest.raises(NotFound):
        Tenants(engine).remove_client(other.bce, credential)
