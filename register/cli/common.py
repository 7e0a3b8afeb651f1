"""What every `raas` command shares: the one-line failure, argument checks, progress on a terminal."""

from __future__ import annotations

import re
import sys
import time
from datetime import date


class Failure(Exception):
    """A one-line reason for the operator; the command exits 1."""


def bce(value: str) -> str:
    """A valid BCE/KBO number in its compact form, or Failure."""
    from register.domain import bce as bces
    from register.domain.errors import InvalidBce

    try:
        return bces.validate(value)
    except InvalidBce:
        raise Failure(f"{value!r} is not a valid BCE/KBO number (10 digits with check digits)") from None


def run_date(value: str | None, option: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # fromisoformat also takes 20261126, 2026-W48-4...
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise Failure(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def password(from_stdin: bool) -> str:
    """A generated password, or the one on standard input (at least 12 characters)."""
    from register.services.auth import new_password

    if not from_stdin:
        return new_password()
    given = sys.stdin.readline().rstrip("\r\n")
    if len(given) < 12:
        raise Failure("the password must have at least 12 characters")
    return given


def progress(label: str):
    """A progress line on standard error when a person watches (a terminal), else None."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(count: int, stage: str | None = None) -> None:
        elapsed = time.monotonic() - started
        if stage:  # after reading: the database's own work, which has no count
            print(
                f"\r{label}: {count:,} rows read; {stage} ({elapsed:,.0f} s)", end="\x1b[K", file=sys.stderr, flush=True
            )
            return
        rate = count / max(elapsed, 1e-6)
        print(f"\r{label}: {count:,} rows ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)

    return show
