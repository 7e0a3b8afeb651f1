import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from register.domain import errors
from register.domain.periods import MAX_DATE, MIN_DATE, MergeResult, Period, merge, normalise, subtract

# The day-set model: a period is the set of its days within a small horizon;
# an open end adds the day after the horizon, so open and closed-at-the-horizon
# differ and an open line still touches one ending on the horizon's last day.
FIRST, LAST = date(2020, 1, 1), date(2020, 3, 31)
DAY = timedelta(days=1)
OPEN = LAST + DAY
PROPERTY = settings(max_examples=300, database=None)


def days(period: Period) -> set[date]:
    last = OPEN if period.end is None else period.end
    return {period.start + k * DAY for k in range((last - period.start).days + 1)}


def union(periods) -> set[date]:
    return set().union(*map(days, periods))


def contiguous(day_set: set[date]) -> bool:
    return (max(day_set) - min(day_set)).days + 1 == len(day_set)


def in_horizon(period: Period) -> bool:
    # A closed end at OPEN or beyond would pass for open-ended in the model.
    return FIRST <= period.start <= OPEN and (period.end is None or period.start <= period.end <= LAST)


def p(start: str, end: str | None = None) -> Period:
    return Period(date.fromisoformat(start), end and date.fromisoformat(end))


a_day = st.integers(0, (LAST - FIRST).days).map(lambda k: FIRST + k * DAY)


@st.composite
def periods(draw) -> Period:
    start = draw(a_day)
    length = draw(st.none() | st.integers(0, (LAST - start).days))
    return Period(start, None if length is None else start + length * DAY)


@st.composite
def stored_lines(draw) -> list[Period]:
    """One key's lines as a register holds them: no overlap, no touching, any order."""
    lines = []
    start = FIRST + draw(st.integers(0, 10)) * DAY
    for length, gap in draw(st.lists(st.tuples(st.integers(0, 15), st.integers(1, 15)), max_size=6)):
        end = start + length * DAY
        if end > LAST:
            break
        lines.append(Period(start, end))
        start = end + (gap + 1) * DAY
    if start <= LAST and draw(st.booleans()):
        lines.append(Period(start))
    return draw(st.permutations(lines))


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


def test_merging_a_touching_period_joins_the_line():
    jan = p("2020-01-01", "2020-01-10")
    result = merge([jan], p("2020-01-11", "2020-01-20"))
    assert (result.line, result.absorbed, result.changed) == (p("2020-01-01", "2020-01-20"), (jan,), True)


def test_merging_a_period_one_gap_day_away_adds_a_line_of_its_own():
    result = merge([p("2020-01-01", "2020-01-10")], p("2020-01-12", "2020-01-20"))
    assert (result.line, result.absorbed, result.changed) == (p("2020-01-12", "2020-01-20"), (), True)


def test_merging_a_period_that_bridges_two_lines_absorbs_both():
    first, second, apart = p("2020-01-01", "2020-01-10"), p("2020-01-20", "2020-01-31"), p("2020-03-01")
    result = merge([apart, second, first], p("2020-01-05", "2020-01-25"))
    assert (result.line, result.absorbed, result.changed) == (
        p("2020-01-01", "2020-01-31"),
        (first, second),
        True,
    )


@pytest.mark.parametrize("new", [p("2020-01-05", "2020-01-06"), p("2020-01-01", "2020-01-10")])
def test_merging_a_period_already_covered_changes_nothing(new):
    line = p("2020-01-01", "2020-01-10")
    assert merge([p("2020-02-01"), line], new) == MergeResult(line, (), False)


def test_merging_an_open_ended_period_absorbs_every_later_line():
    lines = [p("2020-01-01", "2020-01-10"), p("2020-02-01", "2020-02-10"), p("2020-03-01")]
    result = merge(lines, p("2020-01-15"))
    assert (result.line, result.absorbed, result.changed) == (p("2020-01-15"), tuple(lines[1:]), True)


def test_merging_into_an_open_ended_line_extends_it_backwards():
    result = merge([p("2020-02-01")], p("2020-01-01", "2020-02-15"))
    assert (result.line, result.absorbed) == (p("2020-01-01"), (p("2020-02-01"),))
    assert merge([p("2020-02-01")], p("2020-03-01")).changed is False


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
def test_subtracting_removes_exactly_the_given_days(line, removed, left):
    assert subtract(line, removed) == left


def test_normalise_sorts_and_joins_overlapping_and_touching_periods():
    assert normalise(
        [
            p("2020-03-01"),
            p("2020-01-05", "2020-01-20"),
            p("2020-01-01", "2020-01-10"),
            p("2020-01-21", "2020-01-25"),
        ]
    ) == [p("2020-01-01", "2020-01-25"), p("2020-03-01")]
    assert normalise([]) == []


# --- properties against the day-set model ----------------------------------------


@PROPERTY
@given(periods(), periods())
def test_comparisons_agree_with_the_day_sets(one, other):
    assert one.contains(other) == (days(other) <= days(one))
    assert one.overlaps(other) == bool(days(one) & days(other))
    assert one.touches_or_overlaps(other) == contiguous(days(one) | days(other))


@PROPERTY
@given(stored_lines(), periods())
def test_merge_replaces_the_lines_it_touches_by_their_union(existing, new):
    result = merge(existing, new)
    containing = [line for line in existing if days(new) <= days(line)]
    assert result.changed == (not containing)
    if containing:
        assert (result.line, result.absorbed) == (containing[0], ())
    else:
        touched = [line for line in existing if contiguous(days(line) | days(new))]
        assert sorted(result.absorbed) == sorted(touched)
        assert list(result.absorbed) == sorted(result.absorbed)
        assert in_horizon(result.line)
        assert days(result.line) == union([new, *touched])
    # The register after the merge still holds one line per run of days.
    after = [line for line in existing if line not in result.absorbed]
    if result.changed:
        after.append(result.line)
    assert union(after) == union([*existing, new])
    assert normalise(after) == sorted(after)


@PROPERTY
@given(st.lists(periods(), max_size=8))
def test_normalise_gives_the_same_days_as_lines_with_a_gap_between_each(periods_):
    lines = normalise(periods_)
    assert union(lines) == union(periods_)
    assert all(in_horizon(line) for line in lines)
    assert lines == sorted(lines)
    for earlier, later in itertools.pairwise(lines):
        assert not contiguous(days(earlier) | days(later))
    assert normalise(lines) == lines


@PROPERTY
@given(periods(), periods())
def test_subtract_leaves_the_line_days_minus_the_removed_days(line, removed):
    left = subtract(line, removed)
    assert len(left) <= 2
    assert all(in_horizon(piece) for piece in left)
    assert union(left) == days(line) - days(removed)
    assert list(left) == normalise(left)  # sorted, apart, none empty
    if not line.overlaps(removed):
        assert left == (line,)


@PROPERTY
@given(st.dates(), st.none() | st.dates())
def test_period_of_refuses_exactly_the_periods_outside_the_contract(start, end):
    if start >= MIN_DATE and (end is None or start <= end):
        assert Period.of(start, end) == Period(start, end)
    else:
        with pytest.raises(errors.InvalidPeriod):
            Period.of(start, end)
