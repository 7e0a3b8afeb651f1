"""Periods of days, both ends inclusive; no end means open-ended.

The lines a register holds for one (tenant, ssin, dossier type) never overlap
nor touch: :func:`merge` and :func:`normalise` keep them so, :func:`subtract`
removes days from one line.

>>> jan, feb = Period(date(2020, 1, 1), date(2020, 1, 31)), Period(date(2020, 2, 1))
>>> jan.touches_or_overlaps(feb), jan.overlaps(feb)
(True, False)
>>> print(merge([jan], feb).line)
2020-01-01..
>>> [str(p) for p in subtract(jan, Period(date(2020, 1, 10), date(2020, 1, 19)))]
['2020-01-01..2020-01-09', '2020-01-20..2020-01-31']
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from register.domain.errors import InvalidPeriod

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(9999, 12, 31)
_DAY = timedelta(days=1)


# Not dataclass(order=True): that compares (start, end) tuples and fails on
# None; here an open end sorts after every date.
@functools.total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date | None = None  # None: open-ended

    @classmethod
    def of(cls, start: date, end: date | None = None) -> Period:
        """A period checked against the contract, else :class:`InvalidPeriod`.

        >>> Period.of(date(2020, 1, 1))
        Period(start=datetime.date(2020, 1, 1), end=None)

        >>> Period.of(date(2020, 2, 1), date(2020, 1, 31))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        register.domain.errors.InvalidPeriod: The period ends before it starts ...
        """
        if not MIN_DATE <= start <= MAX_DATE:
            raise InvalidPeriod(startDate=start.isoformat())
        if end is not None and not start <= end <= MAX_DATE:
            raise InvalidPeriod(endDate=end.isoformat())
        return cls(start, end)

    @property
    def _days(self) -> tuple[int, float]:
        """First and last day as ordinals; an open end is infinite, so no overflow past MAX_DATE."""
        return self.start.toordinal(), math.inf if self.end is None else self.end.toordinal()

    def __lt__(self, other: Period) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._days < other._days

    def contains(self, other: Period) -> bool:
        (first, last), (other_first, other_last) = self._days, other._days
        return first <= other_first and other_last <= last

    def overlaps(self, other: Period) -> bool:
        (first, last), (other_first, other_last) = self._days, other._days
        return first <= other_last and other_first <= last

    def touches_or_overlaps(self, other: Period) -> bool:
        """True when no gap day lies between them."""
        (first, last), (other_first, other_last) = self._days, other._days
        return first <= other_last + 1 and other_first <= last + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{'' if self.end is None else self.end.isoformat()}"


def _span(periods: Iterable[Period]) -> Period:
    """The smallest period covering all of ``periods``."""
    periods = list(periods)
    ends = [p.end for p in periods]
    return Period(min(p.start for p in periods), None if None in ends else max(ends))


@dataclass(frozen=True, slots=True)
class MergeResult:
    line: Period  # the line that now covers the new period
    absorbed: tuple[Period, ...]  # existing lines replaced by ``line``
    changed: bool  # False: an existing line already covered the new period


def merge(existing: Iterable[Period], new: Period) -> MergeResult:
    """Add ``new`` to the lines of one key, joining those it overlaps or touches.

    >>> jan = Period(date(2020, 1, 1), date(2020, 1, 31))
    >>> result = merge([jan], Period(date(2020, 1, 5), date(2020, 1, 6)))
    >>> result.line == jan, result.absorbed, result.changed
    (True, (), False)
    """
    existing = list(existing)
    for line in existing:
        if line.contains(new):
            return MergeResult(line, (), False)
    absorbed = tuple(sorted(line for line in existing if line.touches_or_overlaps(new)))
    return MergeResult(_span((new, *absorbed)), absorbed, True)


def subtract(line: Period, removed: Period) -> tuple[Period, ...]:
    """What is left of ``line`` without the days of ``removed``: none, one or two lines.

    >>> subtract(Period(date(2020, 1, 1)), Period(date(2020, 1, 10)))
    (Period(start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 9)),)
    """
    if not line.overlaps(removed):
        return (line,)
    left = []
    if line.start < removed.start:
        left.append(Period(line.start, removed.start - _DAY))
    # No day follows MAX_DATE, so removing up to it leaves no tail of an open line.
    if removed.end is not None and removed.end < (line.end or MAX_DATE):
        left.append(Period(removed.end + _DAY, line.end))
    return tuple(left)


def normalise(periods: Iterable[Period]) -> list[Period]:
    """Sorted, with overlapping or touching periods joined.

    >>> jan_feb, march_on = Period(date(2020, 1, 1), date(2020, 2, 29)), Period(date(2020, 3, 1))
    >>> [str(p) for p in normalise([march_on, jan_feb])]
    ['2020-01-01..']
    """
    lines: list[Period] = []
    for period in sorted(periods):
        if lines and lines[-1].touches_or_overlaps(period):
            lines[-1] = _span((lines[-1], period))
        else:
            lines.append(period)
    return lines
