"""Who calls, and which request: every write and read of a tenant's data is audited with it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Call:
    tenant_id: int | None  # None: a caller not (yet) authenticated, as some fault audit rows have
    username: str | None
    request_id: str | None
