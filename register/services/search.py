"""The phonetic person search (CONTRACT.md section 4, searchPersonByPhoneticCriteria).

Candidates are fetched by index (register.adapters.person_search) with the
keys of register.domain.phonetic, the birth-date window (register.domain.birth_window) and the gender filter
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
from register.domain import given_names, phonetic, ranking
from register.domain.birth_window import BirthWindow
from register.domain.calls import Call
from register.domain.dates import IncompleteDate
from register.services.search_quota import SearchQuota

# Below this a candidate is not worth showing: it shares a key but hardly the name.
MIN_SCORE = 0.5
# How many candidates the database hands over for ranking, at least.
MIN_CANDIDATES = 300
OPERATION = "searchPersonByPhoneticCriteria"


@dataclass(frozen=True, slots=True)
class Candidate:
    ssin: str
    last_name: str
    first_name: str
    birth_date: str  # incomplete date yyyy-mm-dd, 00 = unknown
    gender: str | None
    score: float


class PersonSearch:
    def __init__(self, engine: Engine, quota: SearchQuota | None = None, standby: Engine | None = None) -> None:
        self._candidates = PersonCandidates(engine, standby)  # candidates read on the standby when there is one
        self._quota = quota  # (1.1) counts the searches of callers, not createBisNumber's duplicate check
        given_names.table()  # read once here, not in a caller's search

    @staticmethod
    def lookup(query: ranking.Query, window: BirthWindow | None, gender: str | None,
               max_results: int) -> Lookup:  # fmt: skip
        """What to ask the database for (a window too wide to list its incomplete dates is checked by
        :meth:`search` alone)."""
        names = [query.last] + ([query.first] if query.first else [])
        partial = window.partial_dates() if window else None
        return Lookup(
            phonetic.query_keys(*(n.text for n in names)),
            query.last.key,
            query.first.key if query.first else "",
            max(MIN_CANDIDATES, 4 * max_results),
            last_spelling=query.last.normalised,
            first_spelling=query.first.normalised if query.first else "",
            first_year=window.first.year if window else 1,
            last_year=window.last.year if window else 9999,
            low=str(window.first) if partial is not None else None,
            high=str(window.last) if partial is not None else None,
            partial=partial,
            gender=gender,
            first_forms=_forms(query.first),
            last_forms=_forms(query.last),
        )

    def explain(self, last_name: str, first_name: str | None = None, birth_date: str | None = None,
                tolerance: int = 0, gender: str | None = None, max_results: int = 10,
                analyze: bool = False) -> str:  # fmt: skip
        """The database's plan for the candidates of this search."""
        query = ranking.Query.of(last_name, first_name, birth_date, gender)
        window = BirthWindow.around(query.birth_date, tolerance) if query.birth_date else None
        return self._candidates.explain(self.lookup(query, window, gender, max_results), analyze)

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
        if gender not in (None, "M", "F"):
            raise ValueError(f"gender must be M, F or None, not {gender!r}")
        query = ranking.Query.of(last_name, first_name, birth_date, gender)
        if call is not None and self._quota is not None:
            self._quota.take(call)  # after InvalidDate (the contract's order), before any search is made
        window = BirthWindow.around(query.birth_date, tolerance) if query.birth_date else None
        lookup = self.lookup(query, window, gender, max_results)
        found = []
        if lookup.keys:
            for row in self._candidates.fetch(lookup):
                born = IncompleteDate.parse(row.birth_date)
                if window is not None and not window.admits(born):
                    continue  # a window too wide for the index is checked here
                score = ranking.score(query, row.last_name, row.first_name, row.birth_date, row.gender)
                if score >= MIN_SCORE:
                    found.append(Candidate(row.ssin, row.last_name, row.first_name, row.birth_date, row.gender, score))
        found.sort(key=lambda c: (-c.score, c.ssin))
        found = found[:max_results]
        if call is not None:
            self._candidates.audit(call, OPERATION, [c.ssin for c in found])
        return found


def _forms(name: ranking.Name | None) -> list[str]:
    """The phonetic keys of the other forms of a given name (register.domain.given_names), of its
    first word when the whole is none, for the database's pre-rank."""
    if name is None:
        return []
    forms = given_names.variants(name.normalised) or (given_names.variants(name.words[0]) if name.words else ())
    return sorted({phonetic.phonetic(f) for f in forms} - {""})
