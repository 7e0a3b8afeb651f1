"""Candidates of the phonetic search, fetched by index from ``person``.

One statement per search on the statement pool (register.adapters.database),
like the register's calls; its text depends only on which filters are given,
so each shape is prepared once per connection.

Candidates come from the GIN index on ``search_keys``, whose elements are
``<name key>@<birth decade>`` (register.domain.phonetic.search_keys): the
statement tags the query's name keys with every decade its window covers
(bounded by the decades of the persons stored, read from the birth-date
index), so one index lookup finds the persons of those names born in those
decades, ACTIVE persons only. Never a scan of the table: the planner's estimate for ``&&`` knows
nothing of the keys, and on small tables it would prefer a scan, so the
search's connections run with ``enable_seqscan=off`` (a pool of their own).
The exact birth-date window and the gender filter are then tests on the few
rows found. When more candidates are found than the ranking needs, a cheap
pre-rank in SQL (levenshtein on the phonetic keys, both ways round, the last
name's on its spelling too, as its keys are; a stored
given name that begins with the key of another form of the one sought, such as
``Willem`` for ``Guillaume``, counts as no distance) keeps the closest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from register.adapters.database import run, statement_pool
from register.adapters.reads import Reads
from register.domain.calls import Call


@dataclass(frozen=True, slots=True)
class Row:
    ssin: str
    last_name: str
    first_name: str
    birth_date: str
    gender: str | None


_SELECT = """
WITH stored AS (
    SELECT left(min(birth_date), 4)::int / 10 AS first_decade, left(max(birth_date), 4)::int / 10 AS last_decade
    FROM person WHERE status = 'ACTIVE'
), wanted AS (
    SELECT array_agg(k || '@' || d) AS keys
    FROM stored, unnest(%(keys)s::text[]) AS k,
         generate_series(greatest(%(first_year)s::int / 10, stored.first_decade),
                         least(%(last_year)s::int / 10, stored.last_decade)) AS d
)
SELECT ssin, last_name, first_name, birth_date, gender FROM person
WHERE status = 'ACTIVE' AND search_keys && (SELECT keys FROM wanted){dates}{gender}
ORDER BY least(
    least(levenshtein(left(last_name_phonetic, 100), %(last)s::text),
          levenshtein(left(last_name_key, 100), %(last_spelling)s::text))
      + CASE WHEN first_name_phonetic LIKE ANY(%(first_forms)s::text[]) THEN 0
             ELSE levenshtein(left(first_name_phonetic, length(%(first)s::text)), %(first)s::text) END,
    least(levenshtein(left(last_name_phonetic, 100), %(first)s::text),
          levenshtein(left(last_name_key, 100), %(first_spelling)s::text))
      + CASE WHEN first_name_phonetic LIKE ANY(%(last_forms)s::text[]) THEN 0
             ELSE levenshtein(left(first_name_phonetic, length(%(last)s::text)), %(last)s::text) END
), ssin
LIMIT %(limit)s
"""
# A test on the rows found, in a form no index answers: the name keys already hold the decades,
# and the birth-date index would hand over everyone born in the window, whatever their name.
_DATES = (
    " AND ((birth_date || '') BETWEEN %(low)s::text AND %(high)s::text"
    " OR (birth_date || '') = ANY(%(partial)s::text[]))"
)
_GENDER = " AND (gender IS NULL OR gender = %(gender)s::text)"
_AUDIT = (
    "INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id)"
    " VALUES (%(tenant)s, %(username)s, %(operation)s, %(ssins)s, 'OK', %(request_id)s)"
)


def statement(dates: bool, gender: bool) -> str:
    return _SELECT.format(dates=_DATES if dates else "", gender=_GENDER if gender else "")


@dataclass(frozen=True, slots=True)
class Lookup:
    """ACTIVE persons under one of the name ``keys`` born in the decades from ``first_year`` to
    ``last_year``; when
    ``low`` is given, born in [low, high] or on one of the ``partial`` incomplete dates; not of the
    other known gender when ``gender`` is given; the ``limit`` closest to the phonetic keys
    ``last_key`` and ``first_key`` (the last name's also to ``last_spelling``, ``first_spelling``:
    normalised names), a stored given name beginning with one of ``first_forms`` (the
    keys of other forms of the given name; ``last_forms`` of the last name, names swapped) as close
    as the name itself."""

    keys: list[str]
    last_key: str
    first_key: str
    limit: int
    last_spelling: str = ""
    first_spelling: str = ""
    first_year: int = 1
    last_year: int = 9999
    low: str | None = None
    high: str | None = None
    partial: list[str] | None = None
    gender: str | None = None
    first_forms: list[str] = field(default_factory=list)
    last_forms: list[str] = field(default_factory=list)

    def statement(self) -> str:
        return statement(self.low is not None, self.gender is not None)

    def params(self) -> dict:
        return {
            "keys": self.keys,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "last": self.last_key[:100],
            "first": self.first_key[:100],
            "last_spelling": self.last_spelling[:100],
            "first_spelling": self.first_spelling[:100],
            "low": self.low,
            "high": self.high,
            "partial": self.partial or [],
            "gender": self.gender,
            "limit": self.limit,
            "first_forms": [f"{k[:100]}%" for k in self.first_forms],  # keys are letters: no LIKE wildcard
            "last_forms": [f"{k[:100]}%" for k in self.last_forms],
        }


class PersonCandidates:
    def __init__(self, engine: Engine, standby: Engine | None = None) -> None:
        self._pool = statement_pool(engine, "-c enable_seqscan=off")
        self._reads = Reads(engine, standby, "-c enable_seqscan=off")  # on the standby when there is one

    def fetch(self, lookup: Lookup) -> list[Row]:
        return [Row(*r) for r in self._reads.run(lookup.statement(), lookup.params())]

    def explain(self, lookup: Lookup, analyze: bool = False) -> str:
        """The plan :meth:`fetch` runs (the tests and the benchmark show it)."""
        with self._pool.connection() as conn:
            rows = conn.execute(f"EXPLAIN{' ANALYZE' if analyze else ''} " + lookup.statement(), lookup.params())
            return "\n".join(r[0] for r in rows.fetchall())

    def audit(self, call: Call, operation: str, ssins: list[str]) -> None:
        params = {
            "tenant": call.tenant_id,
            "username": call.username,
            "operation": operation,
            "ssins": ssins or None,
            "request_id": call.request_id,
        }
        run(self._pool, _AUDIT, params, call.tenant_id)  # as the caller's tenant: row-level security
