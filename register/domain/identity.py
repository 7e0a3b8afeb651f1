"""A person's identity as a client states it, and its comparison with the
authentic source (CONTRACT.md section 3, ``registerPerson``).

>>> source = Identity('Van den Broeck', 'Éloïse', IncompleteDate.parse('1985-03-12'), 'F')
>>> given = Identity(last_name='VANDENBROECK', birth_date=IncompleteDate.parse('1985-00-00'))
>>> mismatches(given, source)
[]
>>> mismatches(Identity(first_name='Eloise', gender='M'), source)
[('gender', 'M')]
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from register.domain import names
from register.domain.dates import IncompleteDate


@dataclass(frozen=True)
class Identity:
    last_name: str | None = None
    first_name: str | None = None
    birth_date: IncompleteDate | None = None
    gender: str | None = None  # "M", "F" or None: unknown


def _same_name(given: str, source: str) -> bool:
    return names.normalise(given) == names.normalise(source)


def mismatches(given: Identity, source: Identity) -> list[tuple[str, str]]:
    """``(contract field name, value as sent)`` for each given field that differs from ``source``.

    A field the source does not know (None) cannot differ, as the contract says
    of gender; a field not given is not compared.
    """
    found = []
    for field, sent, known, same in (
        ("lastName", given.last_name, source.last_name, _same_name),
        ("firstName", given.first_name, source.first_name, _same_name),
        ("birthDate", given.birth_date, source.birth_date, IncompleteDate.matches),
        ("gender", given.gender, source.gender, operator.eq),
    ):
        if sent is not None and known is not None and not same(sent, known):
            found.append((field, str(sent)))
    return found
