"""PersonService's use cases: getPerson, createBisNumber, updateBisPerson (CONTRACT.md section 4).

Each call is one transaction that also writes its audit row; a refusal rolls
back and is audited by the SOAP layer, like every fault. Checks run in the
contract's order: the SSIN's shape and check digits, then Unknown, Replaced or
Canceled, then the rest.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from register.adapters import audit, persons
from register.adapters.reads import Reads
from register.domain import bis, errors, names
from register.domain import person as person_domain
from register.domain import ssin as ssins
from register.domain.calls import Call
from register.domain.dates import IncompleteDate
from register.domain.person import Address, PersonIdentity
from register.services.search import PersonSearch


@dataclass(frozen=True)
class PersonView:
    """A person as getPerson answers it; ``replaced_by`` is the end of the replacement chain."""

    ssin: str
    kind: str
    status: str
    replaced_by: str | None
    identity: PersonIdentity
    birth_place: str | None = None


# Strong candidates for a duplicate beyond equal names: phonetic matches (the search), as SSINs.
StrongMatches = Callable[[PersonIdentity], list[str]]

# A search score from which a candidate is as good as the same person: a respelling, a typo,
# another form of the given name (Guillaume for Willem, Jef for Jozef: register.domain.given_names)
# or swapped names of someone with a compatible birth date (register.domain.ranking.score, whose
# scores are calibrated: a person who is not in the source stays below 0.9).
STRONG_SCORE = 0.95


def phonetic_matches(search: PersonSearch) -> StrongMatches:
    """The phonetic search's strong candidates for a BIS creation (CONTRACT.md section 4)."""

    def matches(identity: PersonIdentity) -> list[str]:
        found = search.search(identity.last_name, identity.first_name, identity.birth_date, 0, identity.gender, 20)
        return [c.ssin for c in found if c.score >= STRONG_SCORE]

    return matches


class PersonService:
    def __init__(
        self,
        engine: Engine,
        strong_matches: StrongMatches | None = None,
        rng: random.Random | None = None,
        reads: Reads | None = None,
    ):
        self._engine = engine
        self._strong_matches = strong_matches
        self._rng = rng or random.SystemRandom()
        self._reads = reads

    def get_person(self, call: Call, ssin: str) -> PersonView:
        ssin = ssins.validate(ssin)
        if self._reads is not None and self._reads.has_standby:  # read on the standby, audit on the primary
            view = self._reads.attempt(lambda engine: self._visible(engine, call, ssin))
            audit.record(self._engine, call, "getPerson", [ssin], "OK")
            return view
        return self._visible(self._engine, call, ssin, audited=True)

    def _visible(self, engine: Engine, call: Call, ssin: str, audited: bool = False) -> PersonView:
        with persons.transaction(engine, call.tenant_id) as conn:
            stored = persons.get(conn, ssin)
            if stored is None:
                raise errors.UnknownSsin(ssin=ssin)
            view = _view(conn, stored)
            if not persons.in_register(conn, call.tenant_id, [ssin, view.replaced_by or ssin]):
                raise errors.NotAuthorized(ssin=ssin)
            if audited:
                audit.record_in(conn, call, "getPerson", [ssin])
        return view

    def create_bis_number(
        self, call: Call, identity: PersonIdentity, birth_place: str | None = None, force: bool = False
    ) -> PersonView:
        birth_date = IncompleteDate.parse(identity.birth_date)
        _no_blank_names(identity)
        with persons.transaction(self._engine, call.tenant_id) as conn:
            if not force:
                duplicates = self._duplicates(conn, identity)
                if duplicates:
                    raise errors.PossibleDuplicate(duplicates)
            numbers = bis.candidates(birth_date, identity.gender)
            self._rng.shuffle(numbers)  # concurrent creators rarely try the same number
            ssin = _first_free(conn, numbers, lambda n: persons.insert_person(conn, n, identity, birth_place))
            if ssin is None:
                raise errors.Unavailable("No BIS number is left for this birth date and gender.")
            audit.record_in(conn, call, "createBisNumber", [ssin])
            return _view(conn, persons.get(conn, ssin))

    def update_bis_person(self, call: Call, ssin: str, address: Address | None = None, **given) -> PersonView:
        ssin = ssins.validate(ssin)
        with persons.transaction(self._engine, call.tenant_id) as conn:
            stored = persons.get(conn, ssin, for_update=True)
            if stored is None:
                raise errors.UnknownSsin(ssin=ssin)
            if stored.status == "REPLACED":
                last = persons.last_of_chain(conn, ssin)
                raise errors.ReplacedSsin(f"The SSIN was replaced by {last}.", ssin=ssin, replacedBy=last)
            if stored.status == "CANCELED":
                raise errors.CanceledSsin(ssin=ssin)
            if stored.kind != "BIS":
                raise errors.NotABisNumber(ssin=ssin)
            if not persons.in_register(conn, call.tenant_id, [ssin]):
                raise errors.NotAuthorized(ssin=ssin)
            if given.get("birth_date") is not None:
                IncompleteDate.parse(given["birth_date"])
            identity = person_domain.updated(stored.identity, address=address, **given)
            _no_blank_names(identity)
            changes = person_domain.changes(stored.identity, identity)
            if changes:
                persons.change_identity(conn, ssin, identity, changes)
            audit.record_in(conn, call, "updateBisPerson", [ssin])
            return _view(conn, persons.get(conn, ssin))

    def _duplicates(self, conn: Connection, identity: PersonIdentity) -> list[str]:
        """The contract's strong candidates: equal normalised names (either way round) and a compatible
        birth date, plus the phonetic search's strong matches when one is configured."""
        found = persons.same_person(
            conn, names.normalise(identity.last_name), names.normalise(identity.first_name), identity.birth_date
        )
        if self._strong_matches is not None:
            found += [s for s in self._strong_matches(identity) if s not in found]
        return found


def _no_blank_names(identity: PersonIdentity) -> None:
    for element, name in (("lastName", identity.last_name), ("firstName", identity.first_name)):
        if not name.strip():
            raise errors.BlankValue(element=element)


def _first_free(conn: Connection, numbers: list[str], take: Callable[[str], bool], chunk: int = 64) -> str | None:
    """The first number of ``numbers`` that ``take`` could insert (a unique key decides races)."""
    for start in range(0, len(numbers), chunk):
        for number in persons.unused(conn, numbers[start : start + chunk]):
            if take(number):
                return number
    return None


def _view(conn: Connection, stored: persons.StoredPerson) -> PersonView:
    last = persons.last_of_chain(conn, stored.ssin) if stored.status == "REPLACED" else None
    return PersonView(stored.ssin, stored.kind, stored.status, last, stored.identity, stored.birth_place)
