"""A person of the authentic source: identity, address, and what changed between two versions.

The field names are the contract's (CONTRACT.md sections 4 and 6): a change is
reported as ``changedField {name, old?, new?}`` with these names, an address
part as ``address.<part>``.

>>> old = PersonIdentity('Peeters', 'Jan', '1985-07-30', 'M', address=Address(municipality='Gent'))
>>> new = PersonIdentity('Peeters', 'Jan', '1985-07-30', None, 'BE', address=Address(municipality='Brugge'))
>>> [tuple(c) for c in changes(old, new)]
[('gender', 'M', None), ('nationality', None, 'BE'), ('address.municipality', 'Gent', 'Brugge')]
>>> changes(old, old)
[]
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import NamedTuple

# (contract name, attribute) of an address's parts, in the schemas' order
ADDRESS_PARTS = (
    ("street", "street"),
    ("houseNumber", "house_number"),
    ("box", "box"),
    ("postalCode", "postal_code"),
    ("municipality", "municipality"),
    ("country", "country"),
)


@dataclass(frozen=True)
class Address:
    street: str | None = None
    house_number: str | None = None
    box: str | None = None
    postal_code: str | None = None
    municipality: str | None = None
    country: str | None = None

    def to_json(self) -> dict[str, str] | None:
        """The stored form: contract names, absent parts left out; None for an empty address."""
        parts = {name: getattr(self, attr) for name, attr in ADDRESS_PARTS if getattr(self, attr) is not None}
        return parts or None

    @classmethod
    def from_json(cls, parts: dict[str, str] | None) -> Address | None:
        if not parts:
            return None
        return cls(**{attr: parts.get(name) for name, attr in ADDRESS_PARTS})


@dataclass(frozen=True)
class PersonIdentity:
    """The identity the source holds: the full new identity of a change, as the feed gives it."""

    last_name: str
    first_name: str
    birth_date: str  # incomplete date yyyy-mm-dd, 00 = unknown (register.domain.dates)
    gender: str | None = None
    nationality: str | None = None
    death_date: date | None = None
    address: Address | None = None


class Change(NamedTuple):
    name: str
    old: str | None
    new: str | None


_FIELDS = (
    ("lastName", "last_name"),
    ("firstName", "first_name"),
    ("birthDate", "birth_date"),
    ("gender", "gender"),
    ("nationality", "nationality"),
    ("deathDate", "death_date"),
)


def _text(value) -> str | None:
    return None if value is None else value.isoformat() if isinstance(value, date) else str(value)


def changes(old: PersonIdentity, new: PersonIdentity) -> list[Change]:
    """The fields whose value differs, in the contract's order (an address part by part)."""
    found = [
        Change(name, _text(getattr(old, attr)), _text(getattr(new, attr)))
        for name, attr in _FIELDS
        if getattr(old, attr) != getattr(new, attr)
    ]
    old_address, new_address = old.address or Address(), new.address or Address()
    found += [
        Change(f"address.{name}", getattr(old_address, attr), getattr(new_address, attr))
        for name, attr in ADDRESS_PARTS
        if getattr(old_address, attr) != getattr(new_address, attr)
    ]
    return found


def updated(identity: PersonIdentity, **given) -> PersonIdentity:
    """``identity`` with the given fields (those not None) replaced: a partial update such as updateBisPerson's."""
    known = {f.name for f in fields(PersonIdentity)}
    unknown = set(given) - known
    if unknown:
        raise TypeError(f"not identity fields: {sorted(unknown)}")
    values = {name: getattr(identity, name) for name in known}
    values.update({name: value for name, value in given.items() if value is not None})
    return PersonIdentity(**values)
