"""The routing rule as PostgreSQL runs it agrees with its specification (register.domain.routing), for random
lines, authorizations, replacement chains and records: at ingestion (raas_route_network: the set of
(tenant, record, dossier types) journaled) and in RoutingService (raas_routing: findHolders' lines)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from register.adapters.routing import Routing
from register.domain import routing
from register.domain.calls import Call
from register.domain.flows import Authorization
from register.domain.periods import Period
from register.services.routing import RoutingService
from tests.integration.network.conftest import LONG_AGO, Record, line, today

PERSONS, TENANTS, TYPES = 3, 3, ("A", "B")
EVENT = date(2024, 3, 1)
EVENT_DATES = (EVENT - timedelta(days=1), EVENT, EVENT + timedelta(days=1), EVENT + timedelta(days=30))
PERIODS = (
    Period(date(2024, 1, 1)),
    Period(EVENT, EVENT),
    Period(EVENT + timedelta(days=1)),
    Period(date(2023, 1, 1), EVENT - timedelta(days=1)),
    Period(date(2024, 2, 1), date(2024, 3, 31)),
)
_run = itertools.count()


def validities():
    day = today()
    return st.sampled_from(
        [
            (LONG_AGO, None),
            (LONG_AGO, day),
            (day, day),
            (LONG_AGO, day - timedelta(days=1)),
            (day + timedelta(days=1), None),
        ]
    )


@st.composite
def scenarios(draw):
    replaced_by = {}
    for i in range(PERSONS - 1):
        target = draw(st.none() | st.integers(i + 1, PERSONS - 1))  # later persons only: no cycle
        if target is not None:
            replaced_by[i] = target
    keys = [(t, p, d) for t in range(TENANTS) for p in range(PERSONS) for d in TYPES]
    lines = draw(st.dictionaries(st.sampled_from(keys), st.sampled_from(PERIODS), min_size=4, max_size=12))
    grants = draw(
        st.dictionaries(
            st.integers(0, TENANTS - 1),
            st.tuples(validities(), st.none() | st.sampled_from([("A",), ("B",), ("A", "B")])),
            min_size=1,
        )
    )
    records = draw(
        st.lists(st.tuples(st.integers(0, PERSONS - 1), st.sampled_from(EVENT_DATES)), min_size=1, max_size=6)
    )
    return replaced_by, lines, grants, records


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_the_tenants_and_records_routed_are_the_models(engine, world, flows, dimona, write_feed, scenario):
    replaced_by, lines, grants, records = scenario
    run = next(_run)
    ssins = [
        world.person(birth_date=(date(1940, 1, 1) + timedelta(days=run * PERSONS + i)).isoformat())
        for i in range(PERSONS)
    ]
    bces = [world.tenant(*TYPES) for _ in range(TENANTS)]
    ids = {bce: world.tenants.id_of(bce) for bce in bces}
    for old, new in replaced_by.items():
        world.set_status(ssins[old], "REPLACED", ssins[new])
    model_lines = []
    for (t, p, dossier_type), period in lines.items():
        line(
            engine,
            ids[bces[t]],
            ssins[p],
            dossier_type,
            period.start.isoformat(),
            period.end and period.end.isoformat(),
        )
        model_lines.append(routing.Line(bces[t], ssins[p], dossier_type, period))
    model_grants = []
    for t, ((start, end), types) in grants.items():
        grant = Authorization(bces[t], dimona, f"ref-{run}-{t}", start, end, types)
        flows.grant(grant)
        model_grants.append(grant)
    chains = {ssins[old]: ssins[new] for old, new in replaced_by.items()}
    feed = [Record(f"R{run}-{i}", ssins[p], day.isoformat()) for i, (p, day) in enumerate(records)]

    _, done = flows.ingest(write_feed(dimona, *feed))

    expected = set()
    for record in feed:
        concerned = routing.concerned(
            record.ssin, date.fromisoformat(record.event_date), today(), dimona, model_lines, model_grants, chains
        )
        expected |= {(bce, record.reference, types) for bce, types in concerned.items()}
    by_id = {v: k for k, v in ids.items()}
    with engine.connect() as c:
        routed = {
            (by_id[r.tenant_id], r.reference, tuple(r.dossier_types))
            for r in c.execute(
                text(
                    "SELECT j.tenant_id, n.reference, j.dossier_types FROM journal j"
                    " JOIN network_record n ON n.id = j.network_record WHERE n.reference LIKE :run"
                ),
                {"run": f"R{run}-%"},
            )
        }
    event(f"{len(expected)} (tenant, record) routed")
    assert routed == expected
    assert done.mutations == len(expected)

    service = RoutingService(Routing(engine))
    for ssin in ssins:
        for day in EVENT_DATES:
            found = service.find_holders(Call(None, "hub", "req"), ssin, day, None)
            model = routing.holders(ssin, day, model_lines, chains)
            assert [(h.bce, h.dossier_type, h.period) for h in found] == [
                (m.tenant, m.dossier_type, m.period) for m in model
            ]
