"""Incomplete dates, as the CBSS ``t_IncompleteDate``: ``yyyy-mm-dd`` where the
day, or the month and the day, may be ``00`` (unknown).

>>> d = IncompleteDate.parse('1985-03-00')
>>> d, str(d), d.precision
(IncompleteDate(year=1985, month=3, day=0), '1985-03-00', 'month')
>>> d.matches(IncompleteDate.parse('1985-03-12')), d.matches(IncompleteDate.parse('1985-04-00'))
(True, False)
>>> IncompleteDate.parse('2021-02-30')
Traceback (most recent call last):
    ...
register.domain.errors.InvalidDate: The date cannot exist.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from register.domain.errors import InvalidDate

_SHAPE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")  # [0-9], not \d: no other scripts' digits


@dataclass(frozen=True)
class IncompleteDate:
    year: int
    month: int  # 0: unknown
    day: int  # 0: unknown

    @classmethod
    def parse(cls, text: str, field: str = "birthDate") -> IncompleteDate:
        """Read ``yyyy-mm-dd``; a date that cannot exist raises :class:`InvalidDate`
        naming ``field``."""
        shape = _SHAPE.fullmatch(text)
        if shape is None:
            raise InvalidDate(**{field: text})
        year, month, day = map(int, shape.groups())
        if (
            year == 0
            or month > 12
            or (month == 0 and day != 0)  # an unknown month with a known day cannot be
            or (day != 0 and day > calendar.monthrange(year, month)[1])
        ):
            raise InvalidDate(**{field: text})
        return cls(year, month, day)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def precision(self) -> str:
        """The smallest known unit: ``"day"``, ``"month"`` or ``"year"``."""
        return "day" if self.day else "month" if self.month else "year"

    def matches(self, other: IncompleteDate) -> bool:
        """Equal, where an unknown part on either side matches anything; years must be equal."""
        return (
            self.year == other.year
            and (not self.month or not other.month or self.month == other.month)
            and (not self.day or not other.day or self.day == other.day)
        )
