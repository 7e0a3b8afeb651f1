"""Periods of days, both ends inclusive; no end means open-ended; and the register's rule for them.

The lines a register holds for one (tenant, ssin, dossier type) never overlap
nor touch: registering a period joins it with every line it overlaps or
touches, unregistering one cuts its days out of the lines. The rule runs in
PostgreSQL (register/adapters/sql/periods.sql); :class:`DaySet` is its
executable specification, which tests/integration/test_period_rule.py checks
the SQL against.

>>> jan, feb = Period(date(2020, 1, 1), date(2020, 1, 31)), Period(date(2020, 2, 1))
>>> jan.touches_or_overlaps(feb), jan.overlaps(feb)
(True, False)
>>> [str(line) for line in DaySet.of([jan, feb]).lines()]
['2020-01-01..']
>>> [str(line) for line in (DaySet.of([jan]) - Period(date(2020, 1, 10), date(2020, 1, 19))).lines()]
['2020-01-01..2020-01-09', '2020-01-20..2020-01-31']
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from register.domain.errors import InvalidPeriod

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(9999, 12, 31)


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


# Days as ordinals. _OPEN is the day after MAX_DATE: an open end holds it ("and every day after"),
# a period ending on MAX_DATE does not. It is never a line's first day.
_OPEN = MAX_DATE.toordinal() + 1


def _run(period: Period) -> tuple[int, int]:
    return period.start.toordinal(), _OPEN if period.end is None else period.end.toordinal()


@dataclass(frozen=True, slots=True)
class DaySet:
    """A set of days, kept as sorted runs of consecutive days with at least one day between two runs.

    The register's rule for periods, as an executable specification: the lines of one
    (tenant, ssin, dossier type) are :meth:`lines` of the days registered. ``| period``
    adds its days (registerPerson: the period joins every line it overlaps or touches),
    ``- period`` takes them away (unregisterPerson: lines are shortened or split), and
    :meth:`of` the days of many (an SSIN replacement: the old lines join the new SSIN's).
    An open end stands for every day after MAX_DATE, so a line ending on 9999-12-31 and an
    open line differ, and they join; no day follows 9999-12-31, so removing up to it
    removes the rest of an open line too. Immutable: operators answer a new set.

    >>> jan = Period(date(2020, 1, 1), date(2020, 1, 31))
    >>> DaySet.of([jan]) | Period(date(2020, 1, 5), date(2020, 1, 6)) == DaySet.of([jan])
    True
    """

    runs: tuple[tuple[int, int], ...] = ()  # (first day, last day) as ordinals, sorted, a gap day between two

    @classmethod
    def of(cls, periods: Iterable[Period]) -> DaySet:
        """The days of all ``periods``, whatever their order, overlaps and contacts.

        >>> [str(line) for line in DaySet.of([Period(date(2020, 3, 1)), Period(date(2020, 1, 1), date(2020, 2, 29))]).lines()]
        ['2020-01-01..']
        """
        days = cls()
        for period in periods:
            days |= period
        return days

    def __or__(self, period: Period) -> DaySet:
        """These days and the period's: it joins every run it overlaps or touches.

        >>> jan, feb = Period(date(2020, 1, 1), date(2020, 1, 10)), Period(date(2020, 1, 12))
        >>> [str(line) for line in (DaySet.of([jan, feb]) | Period(date(2020, 1, 11), date(2020, 1, 11))).lines()]
        ['2020-01-01..']
        """
        first, last = _run(period)
        apart = []
        for run_first, run_last in self.runs:
            if run_last + 1 < first or last + 1 < run_first:  # a gap day between them
                apart.append((run_first, run_last))
            else:
                first, last = min(first, run_first), max(last, run_last)
        return DaySet(tuple(sorted((*apart, (first, last)))))

    def __sub__(self, period: Period) -> DaySet:
        """These days without the period's (up to 9999-12-31 means to the end).

        >>> open_line = DaySet.of([Period(date(2020, 1, 1))])
        >>> (open_line - Period(date(2020, 2, 1), MAX_DATE)).lines()
        (Period(start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31)),)
        >>> [str(line) for line in (open_line - Period(date(2020, 2, 1), date(9999, 12, 30))).lines()]
        ['2020-01-01..2020-01-31', '9999-12-31..']
        """
        first, last = _run(period)
        if last == MAX_DATE.toordinal():
            last = _OPEN
        left = []
        for run_first, run_last in self.runs:
            if run_first < first:
                left.append((run_first, min(run_last, first - 1)))
            if last < run_last:
                left.append((max(run_first, last + 1), run_last))
        return DaySet(tuple(left))

    def lines(self) -> tuple[Period, ...]:
        """The runs as periods, in start order (an open end is None): the lines a register holds.

        >>> DaySet().lines()
        ()
        """
        return tuple(
            Period(date.fromordinal(first), None if last == _OPEN else date.fromordinal(last))
            for first, last in self.runs
        )
