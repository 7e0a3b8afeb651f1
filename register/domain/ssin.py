"""SSIN (INSZ/NISS): the Belgian social-security identification number.

Eleven digits ``YYMMDDSSSCC``: a birth date, a serial number and two check
digits. A national register number (NR) has month 00-12; a BIS number, given
by the CBSS to people outside the national register, adds 20 to the month
(gender unknown) or 40 (gender known).

The rules are the contract's (CONTRACT.md section 1), which differ from
python-stdnum's ``be.nn``/``be.bis`` in two ways:

* stdnum tries the check digits of a birth from 2000 only when that birth year
  is not in the future, so it refuses e.g. ``99...`` numbers of 2099; the
  contract accepts either check.
* stdnum takes a day beyond the month's length (up to 99) as "day unknown";
  the contract accepts days 00-31 only (and 31 in every month).

>>> validate('85.07.30-033.28')
'85073003328'
>>> kind('85073003328'), kind('98472899765')
('NR', 'BIS')
>>> format('85073003328')
'85.07.30-033.28'
>>> check_digits('050730059', born_2000_or_later=True)
'97'
>>> validate('85073003329')
Traceback (most recent call last):
    ...
register.domain.errors.InvalidSsin: The SSIN has wrong check digits or an impossible birth date.
"""

from __future__ import annotations

from stdnum.be import nn
from stdnum.util import isdigits

from register.domain.errors import InvalidSsin


def compact(value: str) -> str:
    """Strip spaces, dots and dashes.

    >>> compact(' 85 07 30-033.28 ')
    '85073003328'
    """
    return nn.compact(value)


def check_digits(first_nine: str, born_2000_or_later: bool) -> str:
    """The two check digits of the nine digits ``YYMMDDSSS``.

    A birth from 2000 computes on ``2YYMMDDSSS``. The result is 01-97, never 00.

    >>> check_digits('850730033', born_2000_or_later=False)
    '28'
    """
    n = int(("2" if born_2000_or_later else "") + first_nine)
    return f"{97 - n % 97:02d}"


def _possible_month(month: int) -> bool:
    return month <= 12 or 20 <= month <= 32 or 40 <= month <= 52


def validate(value: str) -> str:
    """Return the compact SSIN or raise :class:`InvalidSsin` naming ``value`` as sent."""
    # already compact (a bulk import's millions of rows): skip stdnum's character-by-character clean
    number = value if len(value) == 11 and value.isascii() and value.isdigit() else compact(value)
    if len(number) != 11 or not isdigits(number):
        raise InvalidSsin(ssin=value)
    # check_digits' arithmetic on integers (a feed's million SSINs): 97 - n mod 97, n with a 2 before from 2000
    first_nine, check = int(number[:9]), int(number[9:])
    if (
        not _possible_month(int(number[2:4]))
        or int(number[4:6]) > 31
        or check not in (97 - first_nine % 97, 97 - (2_000_000_000 + first_nine) % 97)
    ):
        raise InvalidSsin(ssin=value)
    return number


def is_valid(value: str) -> bool:
    """Whether ``value`` is a valid SSIN.

    >>> is_valid('85073003328'), is_valid('8507300332')
    (True, False)
    """
    try:
        validate(value)
    except InvalidSsin:
        return False
    return True


def kind(ssin: str) -> str:
    """``"NR"`` (national register) or ``"BIS"``; raises :class:`InvalidSsin` for an invalid one."""
    return "BIS" if int(validate(ssin)[2:4]) >= 20 else "NR"


def format(ssin: str) -> str:
    """The usual presentation ``YY.MM.DD-SSS.CC``."""
    return nn.format(compact(ssin))
