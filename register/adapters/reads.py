"""Read-only calls on a standby (DATABASE_READ_URL), on the primary when the standby cannot answer.

A read-only operation runs its read on the standby and writes its audit row on the
primary (a standby writes nothing): two round trips on two servers instead of one
statement, and the read's work off the primary. The standby must be a synchronous one
with ``synchronous_commit = remote_apply`` on the primary: a commit is acknowledged only
once the standby shows it, so callers read their own writes (docs/OPERATIONS.md). When
the standby fails (down, not accepting, a replication conflict, no free connection
within 1 s), the call reads on the primary, in one statement with its audit row as
without a standby, and the standby is left alone for ``RETRY`` seconds.

To route a new read-only operation: give its repository the ``Reads`` the composition
root builds (register/bootstrap.py), then ``reads.audited(call, operation, ssins, SELECT,
params)`` when the read is the whole call, ``reads.run(SELECT, params, tenant)`` for a
read whose audit row is written later, or ``reads.attempt(fn)`` for SQLAlchemy work.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
from psycopg_pool import PoolTimeout
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

from register.adapters.database import run, statement_pool
from register.domain.calls import Call

log = logging.getLogger("raas.database")
T = TypeVar("T")

RETRY = 5.0  # seconds a failed standby is left alone
# what a standby that cannot answer raises (a conflict with recovery is an OperationalError too)
STANDBY_ERRORS = (psycopg.OperationalError, PoolTimeout, sa_exc.OperationalError, sa_exc.TimeoutError)

_AUDIT = (
    "INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, %(ssins)s, 'OK', %(request_id)s)"
)
AUDITED = f"WITH audited AS ({_AUDIT}) "  # before a SELECT: the call's read and its audit row in one statement


class Reads:
    """Where the read-only operations read: ``standby`` (an engine of DATABASE_READ_URL) or ``primary``."""

    def __init__(self, primary: Engine, standby: Engine | None = None, options: str = "") -> None:
        self.primary_engine = primary
        self.standby_engine = standby
        self._primary = statement_pool(primary, options)
        self._standby = statement_pool(standby, options) if standby is not None else None
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def has_standby(self) -> bool:
        return self.standby_engine is not None

    def _standby_up(self) -> bool:
        return self.standby_engine is not None and time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + RETRY
        log.warning("standby failed (%s): reading on the primary for %.0f s", type(error).__name__, RETRY)

    def run(self, statement: str, params: dict, tenant: int | None = None) -> list:
        """A read-only statement's rows: on the standby when it answers, else on the primary."""
        if self._standby_up():
            try:
                return run(self._standby, statement, params, tenant)
            except STANDBY_ERRORS as error:
                self._failed(error)
        return run(self._primary, statement, params, tenant)

    def audited(self, call: Call, operation: str, ssins: list[str] | None, statement: str, params: dict) -> list:
        """The rows of ``statement`` (a SELECT, as the caller's tenant), the call audited on the primary."""
        params = {**params, "tenant": call.tenant_id, "username": call.username, "request_id": call.request_id,
                  "operation": operation, "ssins": ssins or None}  # fmt: skip
        if self._standby_up():
            try:
                rows = run(self._standby, statement, params, call.tenant_id)
            except STANDBY_ERRORS as error:
                self._failed(error)
            else:
                run(self._primary, _AUDIT, params, call.tenant_id)
                return rows
        return run(self._primary, AUDITED + statement, params, call.tenant_id)

    def attempt(self, read: Callable[[Engine], T]) -> T:
        """``read(engine)`` on the standby's engine when it answers, else on the primary's."""
        if self._standby_up():
            try:
                return read(self.standby_engine)
            except STANDBY_ERRORS as error:
                self._failed(error)
        return read(self.primary_engine)
