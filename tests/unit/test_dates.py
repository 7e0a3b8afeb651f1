from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from register.domain import errors
from register.domain.dates import IncompleteDate


def d(text: str) -> IncompleteDate:
    return IncompleteDate.parse(text)


@pytest.mark.parametrize(
    ("text", "parts", "precision"),
    [
        ("1985-03-12", (1985, 3, 12), "day"),
        ("1985-03-00", (1985, 3, 0), "month"),
        ("1985-00-00", (1985, 0, 0), "year"),
        ("2020-02-29", (2020, 2, 29), "day"),
        ("0001-01-01", (1, 1, 1), "day"),
    ],
)
def test_a_complete_or_incomplete_date_parses_and_prints_back(text, parts, precision):
    parsed = d(text)
    assert (parsed.year, parsed.month, parsed.day) == parts
    assert parsed.precision == precision
    assert str(parsed) == text


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-30",
        "2019-02-29",
        "2021-04-31",
        "2021-01-32",
        "2021-00-05",  # a day without its month
        "2021-13-01",
        "2021-13-00",
        "0000-01-01",
        "0000-00-00",
    ],
)
def test_a_date_that_cannot_exist_is_invalid(text):
    with pytest.raises(errors.InvalidDate) as raised:
        d(text)
    assert raised.value.information == [("birthDate", text)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2021-1-01",
        "20210101",
        "2021-01-01T00:00",
        " 2021-01-01",
        "2021-01-01Z",
        "２０２１-01-01",
        "yyyy-mm-dd",
    ],
)
def test_a_string_not_shaped_yyyy_mm_dd_is_invalid(text):
    with pytest.raises(errors.InvalidDate):
        d(text)


def test_an_invalid_date_names_the_field_it_came_from():
    with pytest.raises(errors.InvalidDate) as raised:
        IncompleteDate.parse("2021-02-30", field="deathDate")
    assert raised.value.information == [("deathDate", "2021-02-30")]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("1985-03-12", "1985-03-12"),
        ("1985-00-00", "1985-03-12"),
        ("1985-03-00", "1985-03-12"),
        ("1985-00-00", "1985-03-00"),
        ("1985-00-00", "1985-00-00"),
    ],
)
def test_an_unknown_part_on_either_side_matches_anything(one, other):
    assert d(one).matches(d(other))
    assert d(other).matches(d(one))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("1985-03-12", "1985-03-13"),
        ("1985-03-00", "1985-04-00"),
        ("1985-03-00", "1985-04-12"),
        ("1985-00-00", "1986-00-00"),
        ("1985-03-12", "1986-03-12"),
    ],
)
def test_known_parts_that_differ_do_not_match(one, other):
    assert not d(one).matches(d(other))
    assert not d(other).matches(d(one))


@settings(max_examples=300, database=None)
@given(st.dates(min_value=date(1, 1, 1)), st.dates(min_value=date(1, 1, 1)))
def test_any_real_date_round_trips_and_its_less_precise_forms_match_it(day, other):
    full = d(day.isoformat())
    month = d(f"{day.year:04d}-{day.month:02d}-00")
    year = d(f"{day.year:04d}-00-00")
    assert str(full) == day.isoformat()
    assert full.matches(month)
    assert full.matches(year)
    assert month.matches(year)
    assert full.matches(d(other.isoformat())) == (day == other)
    assert month.matches(d(other.isoformat())) == ((day.year, day.month) == (other.year, other.month))
