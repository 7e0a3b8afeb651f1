"""unregisterPerson removes a key's lines, or some days of them (CONTRACT.md section 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from register.domain.registration import Unregistered
from tests.integration.helpers import d, p, stored_periods


@pytest.fixture
def ssin(world):
    return world.person()


def register(service, tenant, ssin, start, end=None, dossier_type="A"):
    return service.register_person(tenant.call(), ssin, dossier_type, d(start), d(end) if end else None)


def unregister(service, tenant, ssin, start=None, end=None, dossier_type="A"):
    return service.unregister_person(
        tenant.call(), ssin, dossier_type, d(start) if start else None, d(end) if end else None
    )


def test_without_a_period_every_line_of_the_key_is_deleted_and_counted(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01", "2020-01-10")
    register(service, tenant, ssin, "2020-03-01", "2020-03-10")
    register(service, tenant, ssin, "2021-01-01")
    register(service, tenant, ssin, "2020-01-01", "2020-12-31", dossier_type="B")  # another key: stays
    assert unregister(service, tenant, ssin) == Unregistered(deleted_count=3, changed_count=0, remaining=())
    assert stored_periods(engine, tenant.id, ssin, "A") == []
    assert stored_periods(engine, tenant.id, ssin, "B") == [p("2020-01-01", "2020-12-31")]


def test_a_period_inside_a_line_splits_it_in_two(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    result = unregister(service, tenant, ssin, "2020-01-10", "2020-01-19")
    expected = (p("2020-01-01", "2020-01-09"), p("2020-01-20", "2020-01-31"))
    assert result == Unregistered(deleted_count=0, changed_count=1, remaining=expected)
    assert stored_periods(engine, tenant.id, ssin, "A") == list(expected)


def test_a_single_day_inside_a_line_splits_it_around_that_day(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-02-27", "2020-03-02")
    result = unregister(service, tenant, ssin, "2020-02-29", "2020-02-29")
    assert result.remaining == (p("2020-02-27", "2020-02-28"), p("2020-03-01", "2020-03-02"))
    assert (result.deleted_count, result.changed_count) == (0, 1)


def test_a_period_covering_the_start_of_a_line_shortens_it(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-10", "2020-01-31")
    result = unregister(service, tenant, ssin, "2020-01-01", "2020-01-15")
    assert result == Unregistered(deleted_count=0, changed_count=1, remaining=(p("2020-01-16", "2020-01-31"),))
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-16", "2020-01-31")]


def test_a_period_covering_the_end_of_a_line_shortens_it(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-10", "2020-01-31")
    result = unregister(service, tenant, ssin, "2020-01-20", "2020-02-15")
    assert result == Unregistered(deleted_count=0, changed_count=1, remaining=(p("2020-01-10", "2020-01-19"),))


def test_a_period_covering_a_whole_line_deletes_it(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-10", "2020-01-20")
    register(service, tenant, ssin, "2020-03-01", "2020-03-31")
    result = unregister(service, tenant, ssin, "2020-01-10", "2020-01-20")
    assert result == Unregistered(deleted_count=1, changed_count=0, remaining=(p("2020-03-01", "2020-03-31"),))
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-03-01", "2020-03-31")]


def test_a_period_over_several_lines_counts_deleted_and_changed_lines_apart(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01", "2020-01-10")  # shortened
    register(service, tenant, ssin, "2020-01-15", "2020-01-20")  # deleted
    register(service, tenant, ssin, "2020-01-25", "2020-01-27")  # deleted
    register(service, tenant, ssin, "2020-02-01", "2020-02-28")  # shortened
    register(service, tenant, ssin, "2020-06-01", "2020-06-30")  # untouched
    result = unregister(service, tenant, ssin, "2020-01-06", "2020-02-10")
    assert result == Unregistered(
        deleted_count=2,
        changed_count=2,
        remaining=(p("2020-01-01", "2020-01-05"), p("2020-02-11", "2020-02-28"), p("2020-06-01", "2020-06-30")),
    )


def test_a_finite_period_in_an_open_line_leaves_an_open_tail(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01")
    result = unregister(service, tenant, ssin, "2020-03-01", "2020-03-31")
    assert result == Unregistered(0, 1, (p("2020-01-01", "2020-02-29"), p("2020-04-01")))
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-02-29"), p("2020-04-01")]


def test_an_open_ended_removal_ends_an_open_line_the_day_before(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01")
    result = unregister(service, tenant, ssin, "2020-07-01")
    assert result == Unregistered(0, 1, (p("2020-01-01", "2020-06-30"),))
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-06-30")]


def test_an_open_ended_removal_deletes_later_lines_and_shortens_the_one_it_starts_in(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2019-01-01", "2019-12-31")
    register(service, tenant, ssin, "2020-01-10", "2020-12-31")
    register(service, tenant, ssin, "2022-01-01")
    result = unregister(service, tenant, ssin, "2020-06-01")
    assert result == Unregistered(1, 1, (p("2019-01-01", "2019-12-31"), p("2020-01-10", "2020-05-31")))


def test_an_open_ended_removal_from_the_start_deletes_an_open_line(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01")
    assert unregister(service, tenant, ssin, "2019-01-01") == Unregistered(1, 0, ())
    assert stored_periods(engine, tenant.id, ssin, "A") == []


def test_removing_up_to_9999_12_31_from_a_line_ending_then_leaves_no_tail(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01", "9999-12-31")
    result = unregister(service, tenant, ssin, "2021-01-01", "9999-12-31")
    assert result == Unregistered(0, 1, (p("2020-01-01", "2020-12-31"),))


def test_removing_up_to_9999_12_31_from_an_open_line_leaves_no_tail(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01")
    try:
        result = unregister(service, tenant, ssin, "2021-01-01", "9999-12-31")
    finally:
        with engine.connect() as conn:
            stored = (
                conn.execute(
                    text("SELECT period::text FROM registration WHERE ssin = :s ORDER BY lower(period)"), {"s": ssin}
                )
                .scalars()
                .all()
            )
        assert stored == ["[2020-01-01,2021-01-01)"]
    assert result == Unregistered(0, 1, (p("2020-01-01", "2020-12-31"),))


def test_nothing_to_remove_is_not_a_fault(service, tenant, ssin, engine):
    assert unregister(service, tenant, ssin) == Unregistered(0, 0, ())
    assert unregister(service, tenant, ssin, "2020-01-01", "2020-12-31") == Unregistered(0, 0, ())
    register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    result = unregister(service, tenant, ssin, "2020-03-01", "2020-03-31")
    assert result == Unregistered(0, 0, (p("2020-01-01", "2020-01-31"),))
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]


def test_a_removal_in_the_gap_between_lines_touches_neither(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01", "2020-01-09")
    register(service, tenant, ssin, "2020-01-21", "2020-01-31")
    result = unregister(service, tenant, ssin, "2020-01-10", "2020-01-20")
    assert result == Unregistered(0, 0, (p("2020-01-01", "2020-01-09"), p("2020-01-21", "2020-01-31")))


def test_remaining_lists_exactly_the_lines_left_for_the_key_in_start_order(service, tenant, ssin, world, engine):
    for start, end in [("2021-05-01", "2021-05-31"), ("2019-01-01", "2019-01-31"), ("2020-03-01", None)]:
        register(service, tenant, ssin, start, end)
    register(service, tenant, ssin, "2018-01-01", "2018-12-31", dossier_type="B")  # another dossier type
    register(service, tenant, world.person(), "2018-01-01", "2018-12-31")  # another person
    result = unregister(service, tenant, ssin, "2020-06-01", "2020-06-30")
    assert result.remaining == (
        p("2019-01-01", "2019-01-31"),
        p("2020-03-01", "2020-05-31"),
        p("2020-07-01"),
    )
    assert list(result.remaining) == stored_periods(engine, tenant.id, ssin, "A")


def test_a_removed_range_can_be_registered_again_and_merges_back(service, tenant, ssin, engine):
    register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    unregister(service, tenant, ssin, "2020-01-10", "2020-01-19")
    result = register(service, tenant, ssin, "2020-01-10", "2020-01-19")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01", "2020-01-31"), 2, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]
