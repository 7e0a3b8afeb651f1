"""A person of the authentic source as a row of ``person``: checked, with its comparison and search keys.

The one place that derives the stored keys from a person's names: the bulk
import, the feed, createBisNumber and the demo all build rows here, so a
person is keyed the same whichever way it arrives.

>>> row = person_row('85073003328', 'Van den Broeck', 'Jean-Pierre', '1985-07-30', 'M')
>>> dict(zip(COLUMNS, row))['last_name_key'], dict(zip(COLUMNS, row))['kind']
('vandenbroeck', 'NR')
"""

from __future__ import annotations

import functools
import re
from datetime import date

from register.domain import names, phonetic
from register.domain import ssin as ssins
from register.domain.dates import IncompleteDate

COLUMNS = (
    "ssin", "kind", "last_name", "first_name", "birth_date", "gender",
    "nationality", "death_date", "last_name_key", "first_name_key",
    "last_name_phonetic", "first_name_phonetic", "search_keys",
)  # fmt: skip

# what XML 1.0 cannot carry: control characters but tab, line feed and carriage return
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# names repeat: a bulk import of 1M persons normalises each distinct name once
_normalise = functools.lru_cache(maxsize=1 << 16)(names.normalise)


def person_row(ssin: str, last_name: str, first_name: str, birth_date: str, gender: str | None,
               nationality: str | None = None, death_date: str | None = None) -> tuple:  # fmt: skip
    """A person as ``person``'s COLUMNS, checked; raises RegisterError or ValueError."""
    ssin = ssins.validate(ssin)
    if not last_name.strip() or not first_name.strip():
        raise ValueError("lastName and firstName are required")
    for name, value in (("lastName", last_name), ("firstName", first_name), ("nationality", nationality)):
        if value and _NOT_XML.search(value):  # SOAP answers and the nightly files could not carry it
            raise ValueError(f"{name} holds a control character")
    if gender not in (None, "M", "F"):
        raise ValueError(f"gender must be M, F or empty, not {gender!r}")
    birth = str(IncompleteDate.parse(birth_date))
    death = date.fromisoformat(death_date) if death_date else None
    return (
        ssin, ssins.kind(ssin), last_name, first_name, birth, gender,
        nationality or None, death, _normalise(last_name), _normalise(first_name),
        *phonetic.person_keys(last_name, first_name, birth),
    )  # fmt: skip
