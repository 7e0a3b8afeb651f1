"""What registerPerson and unregisterPerson answer (CONTRACT.md section 3), derived from the day-set
model of the register's lines (register.domain.periods.DaySet). The unit tests check it against
literal sets of days; tests/integration/test_period_rule.py checks the SQL functions against it."""

from __future__ import annotations

from dataclasses import dataclass

from register.domain.periods import DaySet, Period


@dataclass(frozen=True)
class Registered:
    lines: DaySet  # the key's lines after the call
    line: Period  # the line that holds the period
    merged_count: int  # lines absorbed into it; 0 when nothing changed
    changed: bool  # False: the period was already covered


@dataclass(frozen=True)
class Unregistered:
    lines: DaySet
    deleted_count: int  # lines removed whole
    changed_count: int  # lines shortened or split


def _covers(line: Period, period: Period) -> bool:
    return DaySet.of([line]) | period == DaySet.of([line])


def register(lines: DaySet, period: Period) -> Registered:
    after = lines | period
    (line,) = [candidate for candidate in after.lines() if _covers(candidate, period)]
    if after == lines:
        return Registered(lines, line, 0, False)
    merged = sum(1 for old in lines.lines() if _covers(line, old))
    return Registered(after, line, merged, True)


def unregister(lines: DaySet, period: Period | None) -> Unregistered:
    if period is None:
        return Unregistered(DaySet(), len(lines.lines()), 0)
    deleted = changed = 0
    for old in lines.lines():
        left = DaySet.of([old]) - period
        if left != DaySet.of([old]):
            deleted, changed = (deleted + 1, changed) if not left.lines() else (deleted, changed + 1)
    return Unregistered(lines - period, deleted, changed)
