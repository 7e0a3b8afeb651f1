"""The search quota's shared state: a token bucket per tenant in PostgreSQL (raas_search_take,
register/adapters/sql/search_quota.sql), one round trip per search, as the caller's tenant."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from register.adapters.database import run, statement_pool


@dataclass(frozen=True, slots=True)
class Taken:
    retry_after: float  # 0: a search was taken; else seconds until one is there (nothing was taken)
    remaining: float  # the tokens left in the bucket


class SearchBuckets:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def take(self, tenant_id: int, rate: int) -> Taken:
        (row,) = run(
            statement_pool(self._engine), "SELECT * FROM raas_search_take(%(rate)s)", {"rate": rate}, tenant_id
        )
        return Taken(row.retry_after, row.remaining)
