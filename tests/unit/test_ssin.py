import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from register.domain import errors, ssin

# Published examples (python-stdnum's docs): an NR born 1985, an NR born 2017
# (check digits over 2YYMMDDSSS) and two BIS numbers (month +40).
NR_1985 = "85073003328"
NR_2017 = "17073003384"
BIS_1998 = "98472899765"
BIS_2001 = "01490700185"


def with_check_digits(first_nine: str, born_2000_or_later: bool = False) -> str:
    return first_nine + ssin.check_digits(first_nine, born_2000_or_later)


@pytest.mark.parametrize("number", [NR_1985, NR_2017, BIS_1998, BIS_2001])
def test_published_numbers_are_valid(number):
    assert ssin.validate(number) == number


def test_check_digits_agree_with_published_numbers():
    assert ssin.check_digits(NR_1985[:9], born_2000_or_later=False) == NR_1985[9:]
    assert ssin.check_digits(NR_2017[:9], born_2000_or_later=True) == NR_2017[9:]
    assert ssin.check_digits(BIS_2001[:9], born_2000_or_later=True) == BIS_2001[9:]


def test_separators_are_stripped_and_the_compact_number_returned():
    assert ssin.compact(" 85.07.30-033.28 ") == NR_1985
    assert ssin.validate("85.07.30-033.28") == NR_1985


def test_look_alike_characters_read_as_their_ascii_form_as_in_stdnum():
    assert ssin.validate("８５０７３００３３２８") == NR_1985
    assert ssin.validate("850730\u2013033\u201428") == NR_1985  # en and em dashes


def test_a_birth_in_a_future_year_of_this_century_is_valid():
    # stdnum refuses 2095; the contract accepts either check.
    assert ssin.is_valid(with_check_digits("950730033", born_2000_or_later=True))


def test_check_digits_of_97_are_valid():
    assert ssin.check_digits("850730061", born_2000_or_later=False) == "97"
    assert ssin.check_digits("050730059", born_2000_or_later=True) == "97"
    assert ssin.is_valid("85073006197")
    assert ssin.is_valid("05073005997")
    assert ssin.is_valid("00000000097")


@pytest.mark.parametrize("check", ["29", "00", "98", "99"])
def test_wrong_check_digits_are_invalid(check):
    assert not ssin.is_valid(NR_1985[:9] + check)


@pytest.mark.parametrize("month", ["00", "01", "12", "20", "21", "32", "40", "41", "52"])
def test_a_month_of_the_national_register_or_bis_ranges_is_valid(month):
    assert ssin.is_valid(with_check_digits(f"85{month}30033"))


@pytest.mark.parametrize("month", ["13", "19", "33", "39", "53", "60", "99"])
def test_a_month_between_or_beyond_the_ranges_is_invalid(month):
    assert not ssin.is_valid(with_check_digits(f"85{month}30033"))
    assert not ssin.is_valid(with_check_digits(f"05{month}30033", born_2000_or_later=True))


@pytest.mark.parametrize("day", ["00", "01", "31"])
def test_a_day_from_00_to_31_is_valid_in_any_month(day):
    assert ssin.is_valid(with_check_digits(f"8502{day}033"))


@pytest.mark.parametrize("day", ["32", "45", "99"])
def test_a_day_after_31_is_invalid(day):
    assert not ssin.is_valid(with_check_digits(f"8507{day}033"))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "8507300332",  # 10 digits
        "850730033280",  # 12 digits
        "8507300332A",
        "85073003328x",
        "85/07/30 033 28",
    ],
)
def test_anything_but_eleven_digits_is_invalid(value):
    assert not ssin.is_valid(value)


def test_an_invalid_ssin_names_the_value_as_sent():
    with pytest.raises(errors.InvalidSsin) as raised:
        ssin.validate(" 85.07.30-033.29")
    assert raised.value.faultcode == "Client.InvalidSsin"
    assert raised.value.information == [("ssin", " 85.07.30-033.29")]


@pytest.mark.parametrize(("number", "kind"), [(NR_1985, "NR"), (NR_2017, "NR"), (BIS_1998, "BIS"), (BIS_2001, "BIS")])
def test_kind_tells_national_register_from_bis(number, kind):
    assert ssin.kind(number) == kind


def test_a_bis_number_with_month_plus_20_is_of_kind_bis():
    assert ssin.kind(with_check_digits("852705001")) == "BIS"
    assert ssin.kind(with_check_digits("851205001")) == "NR"


def test_kind_of_an_invalid_ssin_raises():
    with pytest.raises(errors.InvalidSsin):
        ssin.kind("85073003329")


def test_format_groups_date_serial_and_check_digits():
    assert ssin.format(NR_1985) == "85.07.30-033.28"


possible_months = st.sampled_from([*range(0, 13), *range(20, 33), *range(40, 53)])


@settings(max_examples=300, database=None)
@given(
    year=st.integers(0, 99),
    month=possible_months,
    day=st.integers(0, 31),
    serial=st.integers(0, 999),
    born_2000_or_later=st.booleans(),
)
def test_check_digits_make_any_possible_number_valid(year, month, day, serial, born_2000_or_later):
    first_nine = f"{year:02d}{month:02d}{day:02d}{serial:03d}"
    check = ssin.check_digits(first_nine, born_2000_or_later)
    assert "01" <= check <= "97"
    number = first_nine + check
    assert ssin.validate(number) == number
    assert ssin.kind(number) == ("BIS" if month >= 20 else "NR")
    # Any other check digits are wrong.
    assert not ssin.is_valid(first_nine + f"{(int(check) + 1) % 100:02d}")
