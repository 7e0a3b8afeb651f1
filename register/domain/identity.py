"""A person's identity as a client states it (registerPerson's ``identity``), and the rule by
which it agrees with the authentic source (CONTRACT.md section 3).

The database applies this rule in registerPerson's one statement (raas_register in
register/adapters/sql/); this function is its executable specification, which a property
test holds the SQL to (tests/integration/test_identity_property.py).

>>> source = PersonIdentity('Van den Broeck', 'Éloïse', '1985-03-12', 'F')
>>> mismatches(Identity(last_name='VANDENBROECK', birth_date='1985-00-00'), source)
[]
>>> mismatches(Identity(first_name='Eloise', gender='M'), source)
[('gender', 'M')]
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from register.domain import names
from register.domain.dates import IncompleteDate
from register.domain.person import PersonIdentity


@dataclass(frozen=True, slots=True)
class Identity:
    """Every field optional; as sent (the birth date an incomplete date ``yyyy-mm-dd``)."""

    last_name: str | None = None
    first_name: str | None = None
    birth_date: str | None = None
    gender: str | None = None  # "M", "F" or None: unknown


def _same_name(given: str, source: str) -> bool:
    return names.normalise(given) == names.normalise(source)


def _same_date(given: str, source: str) -> bool:
    return IncompleteDate.parse(given).matches(IncompleteDate.parse(source))


def mismatches(given: Identity, source: PersonIdentity) -> list[tuple[str, str]]:
    """``(contract field name, value as sent)`` for each given field that differs from ``source``.

    A field the source does not know (None) cannot differ, as the contract says
    of gender; a field not given is not compared.
    """
    found = []
    for field, sent, known, same in (
        ("lastName", given.last_name, source.last_name, _same_name),
        ("firstName", given.first_name, source.first_name, _same_name),
        ("birthDate", given.birth_date, source.birth_date, _same_date),
        ("gender", given.gender, source.gender, operator.eq),
    ):
        if sent is not None and known is not None and not same(sent, known):
            found.append((field, sent))
    return found
