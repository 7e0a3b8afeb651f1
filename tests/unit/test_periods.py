import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from register.domain import errors
from register.domain.periods import MAX_DATE, MIN_DATE, DaySet, Period
from tests import register_model

# Period's comparisons against sets of days: a period is the set of its days within a small
# horizon; an open end adds the day after the horizon, so open and closed-at-the-horizon
# differ and an open line still touches one ending on the horizon's last day.
FIRST, LAST = date(2020, 1, 1), date(2020, 3, 31)
DAY = timedelta(days=1)
OPEN = LAST + DAY
PROPERTY = settings(max_examples=300, database=None)


def days(period: Period) -> set[date]:
    last = OPEN if period.end is None else period.end
    return {period.start + k * DAY for k in range((last - period.start).days + 1)}


def contiguous(day_set: set[date]) -> bool:
    return (max(day_set) - min(day_set)).days + 1 == len(day_set)


def p(start: str, end: str | None = None) -> Period:
    return Period(date.fromisoformat(start), end and date.fromisoformat(end))


a_day = st.integers(0, (LAST - FIRST).days).map(lambda k: FIRST + k * DAY)


@st.composite
def periods(draw) -> Period:
    start = draw(a_day)
    length = draw(st.none() | st.integers(0, (LAST - start).days))
    return Period(start, None if length is None else start + length * DAY)


# --- examples -------------------------------------------------------------------


def test_a_period_prints_its_days_and_an_open_end_as_nothing():
    assert str(p("2020-01-01", "2020-01-31")) == "2020-01-01..2020-01-31"
    assert str(p("2020-01-01")) == "2020-01-01.."


def test_lines_with_no_gap_day_between_them_touch_but_do_not_overlap():
    assert p("2020-01-01", "2020-01-10").touches_or_overlaps(p("2020-01-11", "2020-01-20"))
    assert p("2020-01-11").touches_or_overlaps(p("2020-01-01", "2020-01-10"))
    assert not p("2020-01-01", "2020-01-10").overlaps(p("2020-01-11", "2020-01-20"))
    assert not p("2020-01-01", "2020-01-10").touches_or_overlaps(p("2020-01-12", "2020-01-20"))


def test_an_open_ended_period_contains_every_later_one_and_no_closed_one_contains_it():
    assert p("2020-01-01").contains(p("2020-02-01"))
    assert p("2020-01-01").contains(p("2020-02-01", "2020-02-02"))
    assert not p("2020-01-01", MAX_DATE.isoformat()).contains(p("2020-01-01"))


def test_periods_sort_by_start_then_end_with_an_open_end_last():
    shuffled = [
        p("2020-02-01"),
        p("2020-01-01"),
        p("2020-01-01", "2020-01-05"),
        p("2020-01-01", "2020-01-02"),
    ]
    assert sorted(shuffled) == [
        p("2020-01-01", "2020-01-02"),
        p("2020-01-01", "2020-01-05"),
        p("2020-01-01"),
        p("2020-02-01"),
    ]
    assert p("2020-01-01", "2020-01-05") < p("2020-01-01")
    assert p("2020-01-01") >= p("2020-01-01")


def test_period_of_accepts_the_contracts_bounds():
    assert Period.of(MIN_DATE, MAX_DATE) == Period(MIN_DATE, MAX_DATE)
    assert Period.of(MIN_DATE) == Period(MIN_DATE, None)
    assert Period.of(date(2020, 1, 1), date(2020, 1, 1)).end == date(2020, 1, 1)


@pytest.mark.parametrize(
    ("start", "end", "information"),
    [
        (date(2020, 1, 2), date(2020, 1, 1), ("endDate", "2020-01-01")),
        (date(1899, 12, 31), None, ("startDate", "1899-12-31")),
        (date(1899, 12, 31), date(2020, 1, 1), ("startDate", "1899-12-31")),
        (MIN_DATE, date(1899, 12, 31), ("endDate", "1899-12-31")),
    ],
)
def test_period_of_refuses_an_end_before_the_start_or_dates_outside_the_bounds(start, end, information):
    with pytest.raises(errors.InvalidPeriod) as raised:
        Period.of(start, end)
    assert raised.value.information == [information]


def lines(*periods: Period) -> tuple[Period, ...]:
    return DaySet.of(periods).lines()


def test_registering_a_touching_period_joins_the_line():
    jan = p("2020-01-01", "2020-01-10")
    answer = register_model.register(DaySet.of([jan]), p("2020-01-11", "2020-01-20"))
    assert (answer.line, answer.merged_count, answer.changed) == (p("2020-01-01", "2020-01-20"), 1, True)
    assert answer.lines.lines() == (p("2020-01-01", "2020-01-20"),)


def test_registering_a_period_one_gap_day_away_adds_a_line_of_its_own():
    answer = register_model.register(DaySet.of([p("2020-01-01", "2020-01-10")]), p("2020-01-12", "2020-01-20"))
    assert (answer.line, answer.merged_count, answer.changed) == (p("2020-01-12", "2020-01-20"), 0, True)
    assert answer.lines.lines() == (p("2020-01-01", "2020-01-10"), p("2020-01-12", "2020-01-20"))


def test_registering_a_period_that_bridges_two_lines_absorbs_both():
    first, second, apart = p("2020-01-01", "2020-01-10"), p("2020-01-20", "2020-01-31"), p("2020-03-01")
    answer = register_model.register(DaySet.of([apart, second, first]), p("2020-01-05", "2020-01-25"))
    assert (answer.line, answer.merged_count, answer.changed) == (p("2020-01-01", "2020-01-31"), 2, True)
    assert answer.lines.lines() == (p("2020-01-01", "2020-01-31"), apart)


@pytest.mark.parametrize("new", [p("2020-01-05", "2020-01-06"), p("2020-01-01", "2020-01-10")])
def test_registering_a_period_already_covered_changes_nothing(new):
    line, later = p("2020-01-01", "2020-01-10"), p("2020-02-01")
    before = DaySet.of([later, line])
    assert register_model.register(before, new) == register_model.Registered(before, line, 0, False)


def test_registering_an_open_ended_period_absorbs_every_later_line():
    before = DaySet.of([p("2020-01-01", "2020-01-10"), p("2020-02-01", "2020-02-10"), p("2020-03-01")])
    answer = register_model.register(before, p("2020-01-15"))
    assert (answer.line, answer.merged_count, answer.changed) == (p("2020-01-15"), 2, True)
    assert answer.lines.lines() == (p("2020-01-01", "2020-01-10"), p("2020-01-15"))


def test_registering_into_an_open_ended_line_extends_it_backwards():
    answer = register_model.register(DaySet.of([p("2020-02-01")]), p("2020-01-01", "2020-02-15"))
    assert (answer.line, answer.merged_count) == (p("2020-01-01"), 1)
    assert register_model.register(DaySet.of([p("2020-02-01")]), p("2020-03-01")).changed is False


@pytest.mark.parametrize(
    ("line", "removed", "left"),
    [
        (p("2020-01-05", "2020-01-10"), p("2020-01-01", "2020-01-31"), ()),
        (p("2020-01-05", "2020-01-10"), p("2020-01-11", "2020-01-31"), (p("2020-01-05", "2020-01-10"),)),
        (p("2020-01-05", "2020-01-10"), p("2020-01-01", "2020-01-06"), (p("2020-01-07", "2020-01-10"),)),
        (p("2020-01-05", "2020-01-10"), p("2020-01-08"), (p("2020-01-05", "2020-01-07"),)),
        (
            p("2020-01-01", "2020-01-31"),
            p("2020-01-10", "2020-01-19"),
            (p("2020-01-01", "2020-01-09"), p("2020-01-20", "2020-01-31")),
        ),
        (p("2020-01-01"), p("2020-01-10", "2020-01-19"), (p("2020-01-01", "2020-01-09"), p("2020-01-20"))),
        (p("2020-01-01"), p("2020-02-01"), (p("2020-01-01", "2020-01-31"),)),
        (p("2020-01-01"), p("2019-01-01"), ()),
        (p("2020-01-01"), p("2019-01-01", "2020-01-31"), (p("2020-02-01"),)),
        (p("2020-01-01"), p("2020-02-01", MAX_DATE.isoformat()), (p("2020-01-01", "2020-01-31"),)),
    ],
)
def test_removing_a_period_takes_exactly_its_days_out_of_a_line(line, removed, left):
    assert (DaySet.of([line]) - removed).lines() == left


def test_the_lines_of_periods_are_sorted_with_overlapping_and_touching_ones_joined():
    assert lines(
        p("2020-03-01"),
        p("2020-01-05", "2020-01-20"),
        p("2020-01-01", "2020-01-10"),
        p("2020-01-21", "2020-01-25"),
    ) == (p("2020-01-01", "2020-01-25"), p("2020-03-01"))
    assert lines() == ()


# --- properties ----------------------------------------------------------------


@PROPERTY
@given(periods(), periods())
def test_comparisons_agree_with_the_day_sets(one, other):
    assert one.contains(other) == (days(other) <= days(one))
    assert one.overlaps(other) == bool(days(one) & days(other))
    assert one.touches_or_overlaps(other) == contiguous(days(one) | days(other))


# --- DaySet against literal sets of days -------------------------------------------
# In the calendar's last 90 days an open end can be written out: every day up to 9999-12-31,
# and AFTER, standing for the days after it. The contract's rule, as sets: no day follows
# 9999-12-31, so a period removed up to it takes AFTER away too.

AFTER = "after"
END_FIRST = MAX_DATE - 89 * DAY


def literal(period: Period) -> set:
    last = MAX_DATE if period.end is None else period.end
    days = {period.start + k * DAY for k in range((last - period.start).days + 1)}
    return days | {AFTER} if period.end is None else days


def removed(period: Period) -> set:
    return literal(period) | ({AFTER} if period.end == MAX_DATE else set())


def literal_lines(days: set) -> tuple[Period, ...]:
    """The maximal runs of consecutive days; the one reaching AFTER is open."""
    assert AFTER not in days or MAX_DATE in days
    dates = sorted(d for d in days if d != AFTER)
    runs: list[list[date]] = []
    for day in dates:
        if runs and runs[-1][1] + DAY == day:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return tuple(Period(first, None if last == MAX_DATE and AFTER in days else last) for first, last in runs)


end_day = st.integers(0, 89).map(lambda k: END_FIRST + k * DAY)


@st.composite
def end_periods(draw) -> Period:
    start = draw(end_day)
    end = draw(st.none() | st.just(MAX_DATE) | st.integers(0, (MAX_DATE - start).days).map(lambda k: start + k * DAY))
    return Period(start, end)


operations = st.lists(st.tuples(st.sampled_from("+-"), end_periods()), max_size=8)


@PROPERTY
@given(st.lists(end_periods(), max_size=8))
def test_a_day_set_of_periods_holds_exactly_their_days_as_maximal_runs(periods_):
    assert DaySet.of(periods_).lines() == literal_lines(set().union(*map(literal, periods_)))


@PROPERTY
@given(st.lists(end_periods(), max_size=6), operations)
def test_adding_and_removing_periods_agree_with_sets_of_days(start, steps):
    days, model = DaySet.of(start), set().union(*map(literal, start))
    for sign, period in steps:
        days, model = (
            (days | period, model | literal(period)) if sign == "+" else (days - period, model - removed(period))
        )
        assert days.lines() == literal_lines(model)


@PROPERTY
@given(st.lists(end_periods(), max_size=6), operations)
def test_lines_are_sorted_apart_and_make_the_same_day_set(start, steps):
    days = DaySet.of(start)
    for sign, period in steps:
        days = days | period if sign == "+" else days - period
    found = days.lines()
    assert list(found) == sorted(found)
    for earlier, later in itertools.pairwise(found):
        assert not earlier.touches_or_overlaps(later)
    assert DaySet.of(reversed(found)) == days


@PROPERTY
@given(st.lists(end_periods(), max_size=6), end_periods())
def test_register_answers_agree_with_sets_of_days(start, period):
    before = DaySet.of(start)
    answer = register_model.register(before, period)
    held = set().union(*map(literal, before.lines()))
    assert answer.changed == (not literal(period) <= held)
    assert literal(period) <= literal(answer.line)
    assert answer.line in answer.lines.lines()
    touched = [line for line in before.lines() if len(literal_lines(literal(line) | literal(period))) == 1]
    assert answer.merged_count == (len(touched) if answer.changed else 0)
    assert answer.lines.lines() == literal_lines(held | literal(period))


@PROPERTY
@given(st.lists(end_periods(), max_size=6), st.none() | end_periods())
def test_unregister_answers_agree_with_sets_of_days(start, period):
    before = DaySet.of(start)
    answer = register_model.unregister(before, period)
    gone = set().union(*map(literal, before.lines())) if period is None else removed(period)
    hit = [line for line in before.lines() if literal(line) & gone]
    assert answer.deleted_count == sum(1 for line in hit if not literal(line) - gone)
    assert answer.changed_count == sum(1 for line in hit if literal(line) - gone)
    assert answer.lines.lines() == literal_lines(set().union(*map(literal, before.lines())) - gone)


@PROPERTY
@given(st.dates(), st.none() | st.dates())
def test_period_of_refuses_exactly_the_periods_outside_the_contract(start, end):
    if start >= MIN_DATE and (end is None or start <= end):
        assert Period.of(start, end) == Period(start, end)
    else:
        with pytest.raises(errors.InvalidPeriod):
            Period.of(start, end)
