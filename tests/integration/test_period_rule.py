"""The register's rule for periods as PostgreSQL runs it (register/adapters/sql/periods.sql, through
raas_register, raas_unregister and raas_replace_ssin) agrees with its specification, the day-set
model (register.domain.periods.DaySet, tests/register_model.py), for random lines and calls."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from register.adapters import persons
from register.domain.periods import MAX_DATE, MIN_DATE, DaySet, Period
from register.domain.registration import Registered, Unregistered
from tests import register_model
from tests.integration.helpers import stored_periods

DAY = timedelta(days=1)
SPAN = 60  # days of a scenario's window: periods meet, touch and leave gaps often
# the calendar's first days, an ordinary year, its last days (where 9999-12-31 and open ends meet)
ANCHORS = (MIN_DATE, date(2020, 1, 1), MAX_DATE - (SPAN - 1) * DAY)
_born = itertools.count()


@st.composite
def scenarios(draw):
    """Lines already stored for one key, then calls on it, all within one window of the calendar.

    Periods start and end on, or a day beside, a few cut days of the window: so they overlap,
    touch and leave one-day gaps often, which uniform days seldom do.
    """
    anchor = draw(st.sampled_from(ANCHORS))
    cuts = draw(st.lists(st.integers(0, SPAN - 1), min_size=2, max_size=5, unique=True))
    offsets = sorted({min(max(cut + side, 0), SPAN - 1) for cut in cuts for side in (-1, 0, 1)})

    @st.composite
    def periods(draw) -> Period:
        start = draw(st.sampled_from(offsets))
        end = draw(st.none() | st.just(MAX_DATE) | st.sampled_from([k for k in offsets if k >= start]))
        return Period(anchor + start * DAY, end if end is None or end == MAX_DATE else anchor + end * DAY)

    calls = st.one_of(
        st.tuples(st.just("register"), periods()),
        st.tuples(st.just("register"), periods()),
        st.tuples(st.just("unregister"), st.none() | periods()),
        st.tuples(st.just("unregister"), periods()),
        st.tuples(st.just("replace"), st.lists(periods(), max_size=3)),  # the target's own lines
    )
    return draw(st.lists(periods(), max_size=4)), draw(st.lists(calls, min_size=2, max_size=8))


def new_person(world) -> str:
    """A person of its own: SSINs of one birth date repeat after 998 (tests/conftest.py)."""
    return world.person(birth_date=(date(1950, 1, 1) + next(_born) * DAY).isoformat())


def store(engine, tenant_id: int, ssin: str, lines: DaySet) -> None:
    with engine.begin() as conn:
        for line in lines.lines():
            conn.execute(
                text(
                    "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                    " VALUES (:t, :s, 'A', daterange(:first, :last, '[]'))"
                ),
                {"t": tenant_id, "s": ssin, "first": line.start, "last": line.end},
            )


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_the_databases_lines_and_answers_are_the_day_set_models(engine, world, registrations, tenant, scenario):
    stored, calls = scenario
    ssin, lines = new_person(world), DaySet.of(stored)
    store(engine, tenant.id, ssin, lines)
    for kind, argument in calls:
        event(kind)
        if kind == "register":
            answer = registrations.merge(tenant.call(), ssin, "A", argument)
            expected = register_model.register(lines, argument)
            assert isinstance(answer, Registered), answer
            assert (answer.registration.period, answer.merged_count, answer.changed) == (
                expected.line,
                expected.merged_count,
                expected.changed,
            ), (lines.lines(), argument)
            lines = expected.lines
        elif kind == "unregister":
            answer = registrations.remove(tenant.call(), ssin, "A", argument)
            expected = register_model.unregister(lines, argument)
            assert answer == Unregistered(expected.deleted_count, expected.changed_count, expected.lines.lines()), (
                lines.lines(),
                argument,
            )
            lines = expected.lines
        else:
            target, own = new_person(world), DaySet.of(argument)
            store(engine, tenant.id, target, own)
            with engine.begin() as conn:
                replaced = persons.replace(conn, ssin, target)
            assert (replaced.target, replaced.moved) == (target, len(lines.lines()))
            assert stored_periods(engine, tenant.id, ssin, "A") == []
            ssin, lines = target, DaySet.of([*own.lines(), *lines.lines()])
        assert stored_periods(engine, tenant.id, ssin, "A") == list(lines.lines())
