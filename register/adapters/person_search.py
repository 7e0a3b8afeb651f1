"""Candidates of the phonetic search, fetched by index from ``person``.

One statement per search on the statement pool (register.adapters.database),
like the register's calls. The statement text depends only on which filters
are given, so each shape is prepared once per connection. Candidates come
from the GIN index on ``search_keys`` (and, with a birth date, the btree on
``birth_date``), ACTIVE persons only; never from a scan of the table: the
planner's default estimate for ``&&`` (a share of the table) makes it choose a
scan on small tables and on some large ones, so the search's connections run
with ``enable_seqscan=off`` (a pool of their own). When a
query matches more candidates than the ranking needs, a cheap pre-rank in
SQL (levenshtein on the phonetic keys, both ways round) keeps the closest.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from register.adapters.database import statement_pool
from register.adapters.registrations import Call


@dataclass(frozen=True, slots=True)
class Row:
    ssin: str
    last_name: str
    first_name: str
    birth_date: str
    gender: str | None


_SELECT = """
SELECT ssin, last_name, first_name, birth_date, gender FROM person
WHERE status = 'ACTIVE' AND search_keys && %(keys)s::text[]{dates}{gender}
ORDER BY least(
    levenshtein(left(last_name_phonetic, 100), %(last)s::text)
      + levenshtein(left(first_name_phonetic, length(%(first)s::text)), %(first)s::text),
    levenshtein(left(last_name_phonetic, 100), %(first)s::text)
      + levenshtein(left(first_name_phonetic, length(%(last)s::text)), %(last)s::text)
), ssin
LIMIT %(limit)s
"""
_DATES = " AND (birth_date BETWEEN %(low)s::text AND %(high)s::text OR birth_date = ANY(%(partial)s::text[]))"
# The same test in a form no index answers: a wide window (years) holds too many persons for
# the birth-date index to be worth reading, yet the planner cannot tell (see the module's note).
_DATES_FILTER = (
    " AND ((birth_date || '') BETWEEN %(low)s::text AND %(high)s::text OR (birth_date || '') = ANY(%(partial)s::text[]))"
)
_GENDER = " AND (gender IS NULL OR gender = %(gender)s::text)"
_AUDIT = (
    "INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, %(ssins)s, 'OK', %(request_id)s)"
)


def statement(dates: bool, gender: bool, dates_by_index: bool = True) -> str:
    dates_test = (_DATES if dates_by_index else _DATES_FILTER) if dates else ""
    return _SELECT.format(dates=dates_test, gender=_GENDER if gender else "")


@dataclass(frozen=True, slots=True)
class Lookup:
    """ACTIVE persons sharing one of ``keys``, born in [low, high] (or on one of the ``partial``
    incomplete dates) when ``low`` is given, not of the other known gender when ``gender`` is
    given; the ``limit`` closest to the phonetic keys ``last_key`` and ``first_key``."""

    keys: list[str]
    last_key: str
    first_key: str
    limit: int
    low: str | None = None
    high: str | None = None
    partial: list[str] | None = None
    gender: str | None = None
    dates_by_index: bool = True  # False: the window is wide, the search keys' index alone is read

    def statement(self) -> str:
        return statement(self.low is not None, self.gender is not None, self.dates_by_index)

    def params(self) -> dict:
        return {
            "keys": self.keys,
            "last": self.last_key[:100],
            "first": self.first_key[:100],
            "low": self.low,
            "high": self.high,
            "partial": self.partial or [],
            "gender": self.gender,
            "limit": self.limit,
        }


class PersonCandidates:
    def __init__(self, engine: Engine) -> None:
        self._pool = statement_pool(engine, "-c enable_seqscan=off")

    def fetch(self, lookup: Lookup) -> list[Row]:
        with self._pool.connection() as conn:
            rows = conn.execute(lookup.statement(), lookup.params()).fetchall()
        return [Row(*r) for r in rows]

    def explain(self, lookup: Lookup) -> str:
        """The plan :meth:`fetch` runs (the tests and the benchmark show it)."""
        with self._pool.connection() as conn:
            rows = conn.execute("EXPLAIN " + lookup.statement(), lookup.params()).fetchall()
        return "\n".join(r[0] for r in rows)

    def audit(self, call: Call, operation: str, ssins: list[str]) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                _AUDIT,
                {
                    "tenant": call.tenant_id,
                    "username": call.username,
                    "operation": operation,
                    "ssins": ssins or None,
                    "request_id": call.request_id,
                },
            )
