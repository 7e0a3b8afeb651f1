import pytest

from register.domain import bce, errors


@pytest.mark.parametrize("value", ["0123456749", "0123.456.749", "BE0123456749", "BE 0123.456.749", "be0123456749"])
def test_a_bce_number_is_accepted_with_or_without_dots_and_be_prefix(value):
    assert bce.validate(value) == "0123456749"


def test_an_old_nine_digit_number_gets_its_leading_zero():
    assert bce.validate("123456749") == "0123456749"


def test_a_number_starting_with_1_is_valid():
    assert bce.is_valid("1000000021")  # 10000000 % 97 == 76


@pytest.mark.parametrize("check", ["48", "50", "00", "98"])
def test_wrong_check_digits_are_invalid(check):
    assert not bce.is_valid("01234567" + check)


def test_check_digits_00_are_invalid_where_the_kbo_issues_97():
    # python-stdnum accepts both; 97 - 0 is 97.
    assert bce.is_valid("0097000097")
    assert not bce.is_valid("0097000000")


def test_a_first_digit_other_than_0_or_1_is_invalid():
    assert not bce.is_valid("2123456791")  # check digits right for 21234567


@pytest.mark.parametrize("value", ["", "012345674", "01234567490", "012345674A", "BE"])
def test_anything_but_ten_digits_is_invalid(value):
    assert not bce.is_valid(value)


def test_an_invalid_bce_names_the_value_as_sent():
    with pytest.raises(errors.InvalidBce) as raised:
        bce.validate("0123.456.748")
    assert raised.value.information == [("bce", "0123.456.748")]
