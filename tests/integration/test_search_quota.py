"""The search quota (CONTRACT.md section 4, 1.1): a token bucket per tenant in PostgreSQL, shared by every
worker; past it Client.RateLimited with retryAfterSeconds, and the refused search takes nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from register.domain.calls import Call
from register.domain.errors import InvalidDate, RateLimited
from register.services.search import PersonSearch
from register.services.search_quota import SearchQuota


def worker(engine, rate: int) -> PersonSearch:
    """What one gunicorn worker builds (register.bootstrap): its own search, the shared bucket."""
    return PersonSearch(engine, SearchQuota(engine, rate))


def tokens(engine, tenant_id: int) -> float:
    with engine.connect() as conn:
        return conn.execute(text("SELECT tokens FROM search_quota WHERE tenant_id = :t"), {"t": tenant_id}).scalar()


def age_bucket(engine, tenant_id: int, seconds: float) -> None:
    """As if the bucket's last search were ``seconds`` older (instead of waiting)."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE search_quota SET updated_at = updated_at - make_interval(secs => :s) WHERE tenant_id = :t"),
            {"s": seconds, "t": tenant_id},
        )


def test_a_minutes_quota_across_two_workers_then_rate_limited_with_the_seconds_to_wait(engine, make_tenant, world):
    world.person()
    tenant = make_tenant("A")
    first, second = worker(engine, 3), worker(engine, 3)
    first.search("Peeters", call=tenant.call())
    second.search("Peeters", call=tenant.call())
    first.search("Peeters", call=tenant.call())
    with pytest.raises(RateLimited) as refused:
        second.search("Peeters", call=tenant.call())
    ((name, seconds),) = refused.value.information
    assert name == "retryAfterSeconds" and 19 <= int(seconds) <= 20  # 3 a minute: one every 20 s
    assert refused.value.faultcode == "Client.RateLimited"


def test_a_refused_search_takes_nothing_and_the_bucket_refills_at_the_rate(engine, make_tenant):
    tenant = make_tenant("A")
    search = worker(engine, 3)
    for _ in range(3):
        search.search("Peeters", call=tenant.call())
    for _ in range(5):
        with pytest.raises(RateLimited):
            search.search("Peeters", call=tenant.call())
    assert tokens(engine, tenant.id) < 0.1  # the refusals took nothing
    age_bucket(engine, tenant.id, 21)  # 20 s make one search
    search.search("Peeters", call=tenant.call())
    with pytest.raises(RateLimited):
        search.search("Peeters", call=tenant.call())
    age_bucket(engine, tenant.id, 3600)  # an hour refills at most a minute's worth
    for _ in range(3):
        search.search("Peeters", call=tenant.call())
    with pytest.raises(RateLimited):
        search.search("Peeters", call=tenant.call())


def test_each_tenant_has_its_own_quota(engine, make_tenant):
    ours, theirs = make_tenant("A"), make_tenant("A")
    search = worker(engine, 1)
    search.search("Peeters", call=ours.call())
    with pytest.raises(RateLimited):
        search.search("Peeters", call=ours.call())
    search.search("Peeters", call=theirs.call())


def test_an_invalid_date_comes_first_and_createBisNumbers_own_search_does_not_count(engine, make_tenant):
    tenant = make_tenant("A")
    search = worker(engine, 1)
    with pytest.raises(InvalidDate):
        search.search("Peeters", birth_date="2021-02-30", call=tenant.call())
    for _ in range(3):
        search.search("Peeters")  # no caller: the duplicate check of createBisNumber
    search.search("Peeters", call=tenant.call())
    with pytest.raises(RateLimited):
        search.search("Peeters", call=tenant.call())


def test_concurrent_searches_of_two_workers_get_exactly_the_quota(engine, make_tenant):
    tenant = make_tenant("A")
    workers = [worker(engine, 10), worker(engine, 10)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def search(index: int) -> None:
        try:
            workers[index % 2].search("Peeters", call=Call(tenant.id, "user", f"r{index}"))
            result = "ok"
        except RateLimited:
            result = "limited"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=search, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("ok") == 10, outcomes  # 10 a minute: the test lasts far less than 6 s
