"""registerPerson merges a new period with the lines it overlaps or touches (CONTRACT.md section 3)."""

from __future__ import annotations

from datetime import date

from register.domain.periods import Period
from register.domain.registration import Registered, Registration
from tests.integration.helpers import d, p, stored_periods


def register(service, tenant, ssin, start, end=None, dossier_type="A"):
    return service.register_person(tenant.call(), ssin, dossier_type, d(start), d(end) if end else None)


def test_a_first_registration_is_stored_as_one_line_and_returned(service, tenant, world, engine):
    ssin = world.person()
    result = register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    assert result.registration == Registration(ssin, "A", p("2020-01-01", "2020-01-31"))
    assert (result.merged_count, result.changed) == (0, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]


def test_touching_periods_merge_into_one_line(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01", "2020-01-10")
    result = register(service, tenant, ssin, "2020-01-11", "2020-01-20")
    assert result.registration.period == p("2020-01-01", "2020-01-20")
    assert (result.merged_count, result.changed) == (1, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-20")]


def test_a_period_touching_a_line_from_before_merges_too(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-11", "2020-01-20")
    result = register(service, tenant, ssin, "2020-01-01", "2020-01-10")
    assert (result.registration.period, result.merged_count) == (p("2020-01-01", "2020-01-20"), 1)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-20")]


def test_periods_with_a_gap_day_between_them_stay_two_lines(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01", "2020-01-10")
    result = register(service, tenant, ssin, "2020-01-12", "2020-01-20")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-12", "2020-01-20"), 0, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [
        p("2020-01-01", "2020-01-10"),
        p("2020-01-12", "2020-01-20"),
    ]


def test_overlapping_periods_merge_into_their_union(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01", "2020-01-20")
    result = register(service, tenant, ssin, "2020-01-15", "2020-02-10")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01", "2020-02-10"), 1, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-02-10")]


def test_a_period_spanning_several_lines_absorbs_them_all_and_counts_them(service, tenant, world, engine):
    ssin = world.person()
    for start, end in [("2020-01-01", "2020-01-05"), ("2020-02-01", "2020-02-05"), ("2020-03-01", "2020-03-05")]:
        register(service, tenant, ssin, start, end)
    register(service, tenant, ssin, "2020-06-01", "2020-06-30")  # out of reach: stays
    result = register(service, tenant, ssin, "2020-01-03", "2020-03-10")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01", "2020-03-10"), 3, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [
        p("2020-01-01", "2020-03-10"),
        p("2020-06-01", "2020-06-30"),
    ]


def test_a_period_containing_lines_without_touching_others_counts_only_those(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-10", "2020-01-12")
    register(service, tenant, ssin, "2020-01-20", "2020-01-22")
    result = register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    assert (result.registration.period, result.merged_count) == (p("2020-01-01", "2020-01-31"), 2)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]


def test_a_period_inside_an_existing_line_changes_nothing_and_returns_that_line(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01", "2020-12-31")
    result = register(service, tenant, ssin, "2020-03-01", "2020-03-31")
    assert result.registration == Registration(ssin, "A", p("2020-01-01", "2020-12-31"))
    assert (result.merged_count, result.changed) == (0, False)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-12-31")]


def test_registering_the_same_period_twice_is_harmless(service, tenant, world, engine):
    ssin = world.person()
    first = register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    second = register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    assert first.changed and not second.changed
    assert second.registration == first.registration and second.merged_count == 0
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]


def test_registering_the_same_open_period_twice_is_harmless(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01")
    again = register(service, tenant, ssin, "2020-01-01")
    assert (again.registration.period, again.merged_count, again.changed) == (p("2020-01-01"), 0, False)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01")]


def test_an_open_ended_period_is_stored_and_returned_without_end(service, tenant, world, engine):
    ssin = world.person()
    result = register(service, tenant, ssin, "2020-01-01")
    assert result.registration.period == Period(d("2020-01-01"), None)
    assert stored_periods(engine, tenant.id, ssin, "A") == [Period(d("2020-01-01"), None)]


def test_an_open_line_already_covers_a_later_period(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01")
    result = register(service, tenant, ssin, "2024-05-01", "2024-05-31")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01"), 0, False)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01")]


def test_an_open_period_absorbs_every_later_line(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2018-01-01", "2018-12-31")  # ends before: stays
    register(service, tenant, ssin, "2021-01-01", "2021-12-31")
    register(service, tenant, ssin, "2023-01-01", "2023-06-30")
    register(service, tenant, ssin, "2025-01-01")
    result = register(service, tenant, ssin, "2020-01-01")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01"), 3, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2018-01-01", "2018-12-31"), p("2020-01-01")]


def test_an_open_period_starting_before_an_open_line_extends_it_backwards(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2021-01-01")
    result = register(service, tenant, ssin, "2020-01-01")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01"), 1, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01")]


def test_a_finite_period_touching_an_open_line_joins_it(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-02-01")
    result = register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01"), 1, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01")]


def test_an_open_period_touching_a_finite_line_joins_it(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01", "2020-01-31")
    result = register(service, tenant, ssin, "2020-02-01")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01"), 1, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01")]


def test_an_end_of_9999_12_31_comes_back_as_that_date_not_as_open(service, tenant, world, engine):
    ssin = world.person()
    result = register(service, tenant, ssin, "2020-01-01", "9999-12-31")
    assert result.registration.period == Period(d("2020-01-01"), date(9999, 12, 31))
    assert stored_periods(engine, tenant.id, ssin, "A") == [Period(d("2020-01-01"), date(9999, 12, 31))]
    listed = service.list_registrations(tenant.call(), ssin=ssin)
    assert [line.period for line in listed.registrations] == [Period(d("2020-01-01"), date(9999, 12, 31))]


def test_a_period_up_to_9999_12_31_inside_an_open_line_is_already_covered(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01")
    result = register(service, tenant, ssin, "2021-01-01", "9999-12-31")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01"), 0, False)


def test_a_line_up_to_9999_12_31_extended_to_open_becomes_open(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01", "9999-12-31")
    result = register(service, tenant, ssin, "2021-01-01")
    assert (result.registration.period, result.merged_count, result.changed) == (p("2020-01-01"), 1, True)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01")]


def test_a_start_of_1900_01_01_is_accepted(service, tenant, world, engine):
    ssin = world.person()
    result = register(service, tenant, ssin, "1900-01-01", "1900-01-01")
    assert result.registration.period == p("1900-01-01", "1900-01-01")
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("1900-01-01", "1900-01-01")]


def test_a_one_day_period_touching_another_one_day_period_merges(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-02-29", "2020-02-29")
    result = register(service, tenant, ssin, "2020-03-01", "2020-03-01")
    assert (result.registration.period, result.merged_count) == (p("2020-02-29", "2020-03-01"), 1)


def test_lines_of_different_dossier_types_never_merge(service, tenant, world, engine):
    ssin = world.person()
    register(service, tenant, ssin, "2020-01-01", "2020-01-10", dossier_type="A")
    result = register(service, tenant, ssin, "2020-01-05", "2020-01-20", dossier_type="B")
    assert (result.registration, result.merged_count, result.changed) == (
        Registration(ssin, "B", p("2020-01-05", "2020-01-20")),
        0,
        True,
    )
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-10")]
    assert stored_periods(engine, tenant.id, ssin, "B") == [p("2020-01-05", "2020-01-20")]


def test_lines_of_different_persons_never_merge(service, tenant, world, engine):
    one, other = world.person(), world.person()
    register(service, tenant, one, "2020-01-01", "2020-01-10")
    result = register(service, tenant, other, "2020-01-11", "2020-01-20")
    assert (result.merged_count, result.changed) == (0, True)
    assert stored_periods(engine, tenant.id, one, "A") == [p("2020-01-01", "2020-01-10")]
    assert stored_periods(engine, tenant.id, other, "A") == [p("2020-01-11", "2020-01-20")]


def test_a_formatted_ssin_is_stored_in_its_compact_form(service, tenant, world, engine):
    ssin = world.person()
    formatted = f"{ssin[:2]}.{ssin[2:4]}.{ssin[4:6]}-{ssin[6:9]}.{ssin[9:]}"
    result = service.register_person(tenant.call(), formatted, "A", d("2020-01-01"), None)
    assert result.registration.ssin == ssin
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01")]


def test_the_repository_merge_answers_the_resulting_line(registrations, tenant, world):
    ssin = world.person()
    call = tenant.call()
    registrations.merge(call, ssin, "A", p("2020-01-01", "2020-01-10"))
    assert registrations.merge(call, ssin, "A", p("2020-01-11")) == Registered(
        Registration(ssin, "A", p("2020-01-01")), 1, True
    )
    assert registrations.merge(call, ssin, "A", p("2020-05-01", "2020-05-02")) == Registered(
        Registration(ssin, "A", p("2020-01-01")), 0, False
    )
