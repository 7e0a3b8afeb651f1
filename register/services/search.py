"""The phonetic person search (CONTRACT.md section 4, searchPersonByPhoneticCriteria).

Candidates are fetched by index (register.adapters.person_search) with the
keys of register.domain.phonetic, the birth-date window and the gender filter
applied by the database, then ranked here. Only ACTIVE persons are returned.

Gender: with a gender given, persons of the other known gender are left out;
persons whose gender is unknown stay candidates (an unknown gender cannot
contradict the query), ranked slightly below an equal known one.

createBisNumber (the lead's PersonService) calls :meth:`PersonSearch.search`
for its duplicate check.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from register.adapters.person_search import Lookup, PersonCandidates
from register.adapters.registrations import Call
from register.domain import phonetic
from register.domain.dates import IncompleteDate

# Below this a candidate is not worth showing: it shares a key but hardly the name.
MIN_SCORE = 0.5
# How many candidates the database hands over for ranking, at least.
MIN_CANDIDATES = 300
OPERATION = "searchPersonByPhoneticCriteria"
# A birth-date window up to this long is read from the birth-date index too (about 30 persons
# a day in a population of 1M); a longer one only filters what the name keys found.
MAX_INDEXED_WINDOW_DAYS = 62


@dataclass(frozen=True, slots=True)
class Candidate:
    ssin: str
    last_name: str
    first_name: str
    birth_date: str  # incomplete date yyyy-mm-dd, 00 = unknown
    gender: str | None
    score: float


class PersonSearch:
    def __init__(self, engine: Engine) -> None:
        self._candidates = PersonCandidates(engine)

    @staticmethod
    def lookup(query: phonetic.Query, keys: list[str], window: phonetic.BirthWindow | None, gender: str | None,
               max_results: int) -> Lookup:  # fmt: skip
        """What to ask the database for: a window too wide for the index is left to :meth:`search`."""
        partial = window.partial_dates() if window else None
        return Lookup(
            keys,
            query.last.key,
            query.first.key if query.first else "",
            max(MIN_CANDIDATES, 4 * max_results),
            low=str(window.first) if partial is not None else None,
            high=str(window.last) if partial is not None else None,
            partial=partial,
            gender=gender,
            dates_by_index=window is not None and (window.last - window.first).days <= MAX_INDEXED_WINDOW_DAYS,
        )

    def explain(self, last_name: str, first_name: str | None = None, birth_date: str | None = None,
                tolerance: int = 0, gender: str | None = None, max_results: int = 10) -> str:  # fmt: skip
        """The database's plan for the candidates of this search."""
        query = phonetic.Query.of(last_name, first_name, birth_date, gender)
        window = phonetic.BirthWindow.around(query.birth_date, tolerance) if query.birth_date else None
        keys = phonetic.query_keys(last_name, first_name)
        return self._candidates.explain(self.lookup(query, keys, window, gender, max_results))

    def search(
        self,
        last_name: str,
        first_name: str | None = None,
        birth_date: str | None = None,
        tolerance: int = 0,
        gender: str | None = None,
        max_results: int = 10,
        *,
        call: Call | None = None,
    ) -> list[Candidate]:
        """The best ``max_results`` ACTIVE persons for the criteria, best first.

        An impossible ``birth_date`` raises InvalidDate. With ``call``, the search is audited
        with the SSINs it returned (they were disclosed to that caller)."""
        if tolerance < 0:
            raise ValueError("tolerance cannot be negative")
        query = phonetic.Query.of(last_name, first_name, birth_date, gender)
        keys = phonetic.query_keys(last_name, first_name)
        window = phonetic.BirthWindow.around(query.birth_date, tolerance) if query.birth_date else None
        found = []
        if keys:
            rows = self._candidates.fetch(self.lookup(query, keys, window, gender, max_results))
            for row in rows:
                born = IncompleteDate.parse(row.birth_date)
                if window is not None and not window.admits(born):
                    continue  # a window too wide for the index is checked here
                score = phonetic.score(query, row.last_name, row.first_name, row.birth_date, row.gender)
                if score >= MIN_SCORE:
                    found.append(Candidate(row.ssin, row.last_name, row.first_name, row.birth_date, row.gender, score))
        found.sort(key=lambda c: (-c.score, c.ssin))
        found = found[:max_results]
        if call is not None:
            self._candidates.audit(call, OPERATION, [c.ssin for c in found])
        return found
