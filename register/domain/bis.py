"""New BIS numbers (CONTRACT.md section 4, createBisNumber).

A BIS number is shaped like a national register number ``YYMMDDSSSCC`` with 20
added to the month when the gender is unknown, 40 when it is known. Following
the CBSS, an unknown month is written 00 (so 20 or 40) with day 00, an unknown
day 00. With a known gender the serial is odd for a man and even for a woman;
the check digits are those of any SSIN (a birth from 2000 computes on
``2YYMMDDSSS``).

>>> from register.domain.dates import IncompleteDate
>>> numbers = candidates(IncompleteDate.parse('1985-07-30'), 'F')
>>> numbers[0][:6], len(numbers), all(int(n[6:9]) % 2 == 0 for n in numbers)
('854730', 498, True)
>>> candidates(IncompleteDate.parse('2003-00-00'), None)[0][:6], len(candidates(IncompleteDate.parse('2003-00-00'), None))
('032000', 997)
"""

from __future__ import annotations

from register.domain import ssin as ssins
from register.domain.dates import IncompleteDate

SERIALS = range(1, 998)  # 000 and 998-999 are not handed out


def prefix(birth_date: IncompleteDate, gender: str | None) -> str:
    """``YYMMDD`` of a BIS number for this birth date and gender (M, F or None)."""
    month = birth_date.month + (20 if gender is None else 40)
    return f"{birth_date.year % 100:02d}{month:02d}{birth_date.day:02d}"


def candidates(birth_date: IncompleteDate, gender: str | None) -> list[str]:
    """Every valid BIS number for this birth date and gender, in serial order."""
    head = prefix(birth_date, gender)
    born_2000 = birth_date.year >= 2000
    serials = [s for s in SERIALS if gender is None or (s % 2 == 1) == (gender == "M")]
    return [f"{head}{s:03d}" + ssins.check_digits(f"{head}{s:03d}", born_2000) for s in serials]
