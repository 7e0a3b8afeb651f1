"""The search quota through the real server (RAAS_SEARCH_RATE's default, 600 a minute): a tenant whose
bucket is empty gets Client.RateLimited at once, with retryAfterSeconds; audited; counted in /metrics."""

from __future__ import annotations

import pytest
import zeep
import zeep.wsse.username
from sqlalchemy import text

from tests.e2e.helpers import assert_fault
from tests.e2e.test_observability import scrape
from tests.integration.helpers import audit_rows


@pytest.fixture
def searcher(server, world):
    bce = world.tenant("A")
    username, password = world.client(bce)
    client = zeep.Client(
        f"{server.base}/ws/PersonService?wsdl",
        wsse=zeep.wsse.username.UsernameToken(username, password),
        settings=zeep.Settings(strict=True),
    )
    yield world.tenants.id_of(bce), username, client
    client.transport.session.close()


def fill(world, tenant_id: int, tokens: float) -> None:
    """The tenant's bucket as a burst of searches would have left it, in every worker at once."""
    with world.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO search_quota (tenant_id, tokens, updated_at) VALUES (:t, :n, clock_timestamp())"
                " ON CONFLICT (tenant_id) DO UPDATE SET tokens = :n, updated_at = clock_timestamp()"
            ),
            {"t": tenant_id, "n": tokens},
        )


def test_an_empty_bucket_answers_rate_limited_audited_and_counted(server, world, searcher):
    tenant_id, username, client = searcher
    world.person("Peeters", "Jan")
    assert client.service.searchPersonByPhoneticCriteria(lastName="Peeters")
    before = scrape(server)
    fill(world, tenant_id, 0.0)
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        client.service.searchPersonByPhoneticCriteria(lastName="Peeters")
    assert_fault(excinfo, "RateLimited", [("retryAfterSeconds", "1")])  # 600 a minute: 0.1 s, at least 1
    last = audit_rows(world.engine)[-1]
    assert (last.tenant_id, last.username, last.operation, last.outcome) == (
        tenant_id, username, "searchPersonByPhoneticCriteria", "Client.RateLimited",
    )  # fmt: skip
    key = ("raas_soap_calls_total", (("operation", "searchPersonByPhoneticCriteria"),
           ("outcome", "Client.RateLimited"), ("service", "PersonService")))  # fmt: skip
    assert scrape(server).get(key, 0) == before.get(key, 0) + 1


def test_a_search_near_the_quota_is_counted_for_the_alert(server, world, searcher):
    tenant_id, _, client = searcher
    before = scrape(server).get(("raas_search_quota_near_total", ()), 0)
    fill(world, tenant_id, 50.0)  # a twelfth of 600 left
    client.service.searchPersonByPhoneticCriteria(lastName="Peeters")
    assert scrape(server).get(("raas_search_quota_near_total", ()), 0) == before + 1
