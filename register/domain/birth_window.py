"""The days a searched birth date covers with its tolerance (CONTRACT.md section 4)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from register.domain.dates import IncompleteDate


@dataclass(frozen=True, slots=True)
class BirthWindow:
    """The days a searched birth date covers with its tolerance, counted in the unit of its
    precision (CONTRACT.md section 4): days for a full date, months for ``yyyy-mm-00``,
    years for ``yyyy-00-00``. A stored date is admitted when the days it may be overlap them.

    >>> w = BirthWindow.around(IncompleteDate.parse('1985-07-30'), 3)
    >>> str(w.first), str(w.last)
    ('1985-07-27', '1985-08-02')
    >>> [w.admits(IncompleteDate.parse(s)) for s in ('1985-08-02', '1985-08-03', '1985-08-00', '1985-00-00', '1984-00-00')]
    [True, False, True, True, False]
    >>> w = BirthWindow.around(IncompleteDate.parse('1985-00-00'), 0)
    >>> str(w.first), str(w.last), w.admits(IncompleteDate.parse('1985-12-31'))
    ('1985-01-01', '1985-12-31', True)
    >>> w = BirthWindow.around(IncompleteDate.parse('2000-01-00'), 1)
    >>> str(w.first), str(w.last), w.partial_dates()
    ('1999-12-01', '2000-02-29', ['1999-00-00', '1999-12-00', '2000-00-00', '2000-01-00', '2000-02-00'])
    """

    first: date
    last: date

    @classmethod
    def around(cls, birth: IncompleteDate, tolerance: int) -> BirthWindow:
        tolerance = max(tolerance, 0)
        if birth.precision == "day":
            day = date(birth.year, birth.month, birth.day).toordinal()
            return cls(
                date.fromordinal(max(day - tolerance, _FIRST.toordinal())),
                date.fromordinal(min(day + tolerance, _LAST.toordinal())),
            )
        if birth.precision == "month":
            month = birth.year * 12 + birth.month - 1
            low = max(month - tolerance, _FIRST.year * 12)
            high = min(month + tolerance, _LAST.year * 12 + 11)
            return cls(date(low // 12, low % 12 + 1, 1), _last_day(high // 12, high % 12 + 1))
        low_year = max(birth.year - tolerance, _FIRST.year)
        high_year = min(birth.year + tolerance, _LAST.year)
        return cls(date(low_year, 1, 1), date(high_year, 12, 31))

    def admits(self, stored: IncompleteDate) -> bool:
        first, last = _days_of(stored)
        return first <= self.last and last >= self.first

    def partial_dates(self, most: int = 1200) -> list[str] | None:
        """The incomplete dates (``yyyy-mm-00``, ``yyyy-00-00``) whose days overlap the window,
        or None when there are more than ``most`` (then the window is checked here, not by index)."""
        if (self.last.year - self.first.year + 1) * 13 > most:
            return None
        dates = []
        for year in range(self.first.year, self.last.year + 1):
            dates.append(f"{year:04d}-00-00")
            for month in range(1, 13):
                if (year, month) >= (self.first.year, self.first.month) and (year, month) <= (
                    self.last.year,
                    self.last.month,
                ):
                    dates.append(f"{year:04d}-{month:02d}-00")
        return dates


_FIRST, _LAST = date(1, 1, 1), date(9999, 12, 31)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _days_of(d: IncompleteDate) -> tuple[date, date]:
    if d.precision == "day":
        day = date(d.year, d.month, d.day)
        return day, day
    if d.precision == "month":
        return date(d.year, d.month, 1), _last_day(d.year, d.month)
    return date(d.year, 1, 1), date(d.year, 12, 31)
