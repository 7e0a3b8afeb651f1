"""RoutingService's use cases on a real PostgreSQL, as the application role (CONTRACT.md section 10): every
tenant's lines through raas_routing alone, the contract's answers and faults, each call audited, and the
lines read by an index-only scan."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import text

from register.adapters.routing import Routing
from register.domain import errors
from register.domain.calls import Call
from register.domain.periods import Period
from register.services.routing import RoutingService
from tests.conftest import new_ssin, wrong_check_digits
from tests.integration.helpers import audit_rows
from tests.integration.network.conftest import LONG_AGO, grant, line, today

D = date.fromisoformat
HUB = Call(None, "hub", "req-routing")


@pytest.fixture
def routing(engine) -> RoutingService:
    return RoutingService(Routing(engine))


@pytest.fixture
def people(world, engine):
    """Jan held by two tenants (one with two lines of A), Luc replaced by Luc-new, held by the first."""
    first, second = world.tenant("A", "B"), world.tenant("A")
    ids = {bce: world.tenants.id_of(bce) for bce in (first, second)}
    jan, luc, new_luc = world.person(), world.person(), world.person()
    world.set_status(luc, "REPLACED", new_luc)
    line(engine, ids[first], jan, "B", "2024-01-01")
    line(engine, ids[first], jan, "A", "2024-06-01", "2024-12-31")
    line(engine, ids[first], jan, "A", "2023-01-01", "2024-03-31")
    line(engine, ids[second], jan, "A", "2024-03-15", "2024-03-15")
    line(engine, ids[first], new_luc, "A", "2020-01-01")
    return {"first": first, "second": second, "jan": jan, "luc": luc, "new_luc": new_luc}


def holders(found) -> list[tuple]:
    return [(h.bce, h.dossier_type, h.period) for h in found]


def test_find_holders_answers_every_tenants_lines_containing_the_day_in_order(routing, people):
    first, second = sorted((people["first"], people["second"]))
    found = routing.find_holders(HUB, people["jan"], D("2024-03-15"), None)
    expected = [
        (people["first"], "A", Period(D("2023-01-01"), D("2024-03-31"))),
        (people["first"], "B", Period(D("2024-01-01"))),
        (people["second"], "A", Period(D("2024-03-15"), D("2024-03-15"))),
    ]
    assert holders(found) == sorted(expected, key=lambda h: (h[0], h[1], h[2].start))
    assert holders(routing.find_holders(HUB, people["jan"], D("2024-03-15"), "B")) == [expected[1]]
    assert routing.find_holders(HUB, people["jan"], D("2022-12-31"), None) == []


def test_find_holders_defaults_to_today_and_follows_a_replacement_chain(routing, people):
    assert holders(routing.find_holders(HUB, people["jan"], None, None)) == [
        (people["first"], "B", Period(D("2024-01-01")))
    ]
    assert holders(routing.find_holders(HUB, people["luc"], None, None)) == [
        (people["first"], "A", Period(D("2020-01-01")))
    ]


def test_find_holders_faults_in_the_contracts_order(routing, world, people, engine):
    with pytest.raises(errors.InvalidSsin):
        routing.find_holders(HUB, wrong_check_digits(people["jan"]), None, None)
    unknown = new_ssin()
    with pytest.raises(errors.UnknownSsin) as caught:
        routing.find_holders(HUB, unknown, None, None)
    assert caught.value.information == [("ssin", unknown)]
    assert audit_rows(engine) == []  # a fault is audited by the SOAP layer


def test_check_authorization_reasons(routing, flows, dimona, people):
    first, second, jan = people["first"], people["second"], people["jan"]
    day = D("2024-03-15")
    assert routing.check_authorization(HUB, "0999999927", jan, day, None).reason == "UNKNOWN_TENANT"
    assert routing.check_authorization(HUB, second, jan, D("2024-03-16"), None).reason == "NO_LINE"
    plain = routing.check_authorization(HUB, second, jan, day, None)
    assert (plain.authorized, plain.reason) == (True, "AUTHORIZED")
    assert [(r.ssin, r.dossier_type) for r in plain.registrations] == [(jan, "A")]
    assert routing.check_authorization(HUB, first, jan, day, dimona).reason == "NO_FLOW_AUTHORIZATION"
    grant(flows, first, dimona, LONG_AGO, types=["B"])
    allowed = routing.check_authorization(HUB, first, jan, day, dimona)
    assert allowed.reason == "AUTHORIZED" and [r.dossier_type for r in allowed.registrations] == ["B"]
    grant(flows, second, dimona, D("2024-03-16"))  # not yet valid on the day
    assert routing.check_authorization(HUB, second, jan, day, dimona).reason == "NO_FLOW_AUTHORIZATION"
    replaced = routing.check_authorization(HUB, first, people["luc"], None, None)
    assert [r.ssin for r in replaced.registrations] == [people["new_luc"]]


@pytest.mark.parametrize("flow", ["ACTIVA", "SSIN_REPLACED"])
def test_check_authorization_of_a_flow_that_is_not_a_network_flow_is_unknown_flow(routing, people, flow):
    with pytest.raises(errors.UnknownFlow) as caught:
        routing.check_authorization(HUB, people["first"], people["jan"], None, flow)
    assert caught.value.information == [("flow", flow)]


def test_every_answer_is_audited_with_the_network_username_and_the_ssins(routing, people, engine):
    routing.find_holders(Call(None, "hub-1", "r1"), people["luc"], None, None)
    routing.check_authorization(Call(None, "hub-2", "r2"), "0999999927", people["jan"], None, None)
    rows = [(r.tenant_id, r.username, r.operation, r.ssins, r.outcome, r.request_id) for r in audit_rows(engine)]
    assert rows == [
        (None, "hub-1", "findHolders", [people["luc"], people["new_luc"]], "OK", "r1"),
        (None, "hub-2", "checkAuthorization", [people["jan"]], "OK", "r2"),
    ]


def test_the_application_role_cannot_read_the_lines_raas_routing_reads(engine, people):
    from register.adapters.database import run, statement_pool

    pool = statement_pool(engine)
    assert run(pool, "SELECT * FROM registration", {}) == []
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(pool, "SELECT * FROM raas_holders(%(s)s, current_date, NULL, NULL, NULL)", {"s": people["jan"]})


def test_the_lines_of_a_person_are_read_by_an_index_only_scan(engine, database_url, people):
    """10,000 lines of 2,000 persons, vacuumed: raas_routing's query (raas_holders, inlined) reads the
    covering index ix_registration_holders alone."""
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO person (ssin, kind, last_name, first_name, birth_date, last_name_key, first_name_key,"
                " last_name_phonetic, first_name_phonetic, search_keys)"
                " SELECT lpad((60000000000 + g)::text, 11, '0'), 'NR', 'X', 'Y', '1960-01-01', 'x', 'y', 'X', 'Y', '{}'"
                " FROM generate_series(1, 2000) g"
            )
        )
        c.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " SELECT t.id, lpad((60000000000 + g)::text, 11, '0'), 'A', daterange('2020-01-01', NULL)"
                " FROM generate_series(1, 2000) g, (SELECT id FROM tenant) t"
                " UNION ALL SELECT t.id, lpad((60000000000 + g)::text, 11, '0'), 'A', daterange('2010-01-01', '2019-12-31')"
                " FROM generate_series(1, 2000) g, (SELECT id FROM tenant) t"
                " UNION ALL SELECT (SELECT min(id) FROM tenant), lpad((60000000000 + g)::text, 11, '0'), 'B',"
                " daterange('2015-01-01', NULL) FROM generate_series(1, 2000) g"
            )
        )
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as c:
        c.execute("VACUUM ANALYZE registration")
        c.execute("VACUUM ANALYZE tenant")
        plan = "\n".join(
            row[0]
            for row in c.execute(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)"
                " SELECT * FROM raas_holders(%s, %s::date, NULL, NULL, NULL)",
                (people["jan"], today() - timedelta(days=1)),
            )
        )
    assert "Index Only Scan using ix_registration_holders on registration" in plan, plan
    assert "Heap Fetches: 0" in plan and "Seq Scan on registration" not in plan, plan
