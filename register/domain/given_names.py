"""Given names that stand for one another in a search: one name's forms across Belgium's
languages (Dutch, French, German), English, the Latin of baptismal records and the Latin
spellings of an Arabic name, and its short forms (CONTRACT.md section 4: spelling variants).

The table is ``given_names.txt`` beside this module: one group a line, its gender, its forms
and, after ``|``, its short forms; false friends on lines starting with ``!``. The file says
what goes in and what does not, and the sources it was built from (Statbel's first-name
statistics for which names, A Dictionary of First Names (Oxford), Behind the Name, the
Meertens Instituut's Nederlandse Voornamenbank and Wikipedia/Wiktionary for how they relate).
Names are compared as register.domain.names normalises them (case, accents, hyphens and
spaces do not count); a name the table does not hold is looked up by its phonetic key
(register.domain.phonetic), so ``Mouhammad`` finds the group of ``Muhammad``.

Two names are EQUIVALENT when both are forms of one group, SHORT when one is a short form of
a group holding the other (or both are short forms of one group), unrelated otherwise:

>>> relation('Willem', 'Guillaume'), relation('Jozef', 'JOSEPH'), relation('Jan', 'Johannes')
('equivalent', 'equivalent', 'equivalent')
>>> relation('Wim', 'William'), relation('Jef', 'Józef'), relation('Mohamed', 'Muhammad')
('short', 'short', 'equivalent')
>>> relation('Jan', 'Jana'), relation('Youssef', 'Jozef'), relation('Jan', 'Jan')
(None, None, None)
>>> gender('Guillaume'), gender('Khadidja'), gender('Camille'), gender('Peeters')
('M', 'F', None, None)
"""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass, field

from register.domain.names import normalise
from register.domain.phonetic import phonetic

EQUIVALENT, SHORT = "equivalent", "short"
_SHARED, _EITHER_GENDER = "*", "~"  # markers after a name (see the file's header)


@dataclass(frozen=True, slots=True)
class Group:
    """One name: its ``forms`` and ``short`` forms, normalised, as read from line ``line``."""

    gender: str
    forms: frozenset[str]
    short: frozenset[str]
    line: int

    def has_form(self, name: str) -> bool:
        """Whether normalised ``name`` is one of the forms, or sounds like one and is no short form."""
        return name in self.forms or (name not in self.short and phonetic(name) in {phonetic(f) for f in self.forms})


@dataclass(frozen=True)
class Table:
    groups: tuple[Group, ...]
    false_friends: tuple[tuple[str, str], ...]
    either_gender: frozenset[str]  # names marked ``~``: they do not tell a gender
    _by_name: dict[str, frozenset[int]] = field(repr=False)
    _by_key: dict[str, frozenset[int]] = field(repr=False)
    _found: dict[str, tuple[str, frozenset[int]]] = field(default_factory=dict, repr=False, compare=False)

    def groups_of(self, name: str) -> frozenset[int]:
        """The groups holding ``name`` (by its normalised form, else by its phonetic key)."""
        return self._lookup(name)[1]

    def relation(self, a: str, b: str) -> str | None:
        (norm_a, groups_a), (norm_b, groups_b) = self._lookup(a), self._lookup(b)
        if norm_a == norm_b:
            return None  # the same name: not a variant
        common = groups_a & groups_b
        if not common:
            return None
        if any(self.groups[i].has_form(norm_a) and self.groups[i].has_form(norm_b) for i in common):
            return EQUIVALENT
        return SHORT

    def variants(self, name: str) -> frozenset[str]:
        """The other names of the groups holding ``name``, normalised."""
        norm, groups = self._lookup(name)
        return frozenset(n for i in groups for n in self.groups[i].forms | self.groups[i].short) - {norm}

    def gender(self, name: str) -> str | None:
        norm, groups = self._lookup(name)
        genders = {self.groups[i].gender for i in groups}
        return genders.pop() if len(genders) == 1 and norm not in self.either_gender else None

    def _lookup(self, name: str) -> tuple[str, frozenset[int]]:
        found = self._found.get(name)  # names repeat: each is normalised and looked up once
        if found is None:
            norm = normalise(name)
            groups = self._by_name.get(norm)
            found = (norm, groups if groups is not None else self._by_key.get(phonetic(norm), frozenset()))
            if len(self._found) < 1 << 16:
                self._found[name] = found
        return found


def parse(text: str) -> Table:
    """The table of ``given_names.txt``'s text; ValueError names the line of a mistake."""
    groups: list[Group] = []
    shared: dict[str, list[int]] = {}  # name -> lines where it is marked shared
    either: set[str] = set()
    friends = []
    where: dict[str, list[int]] = {}  # name -> groups
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("!"):
            pair = line[1:].split()
            if len(pair) != 2:
                raise ValueError(f"line {number}: a false friend is two names")
            friends.append((normalise(pair[0]), normalise(pair[1])))
            continue
        gender, _, rest = line.partition(" ")
        if gender not in ("M", "F"):
            raise ValueError(f"line {number}: a group starts with M or F, not {gender!r}")
        forms_text, _, short_text = rest.partition("|")
        parts: list[tuple[str, str]] = []
        written: set[tuple[str, str]] = set()
        for role, words in (("form", forms_text.split()), ("short", short_text.split())):
            for word in words:
                name = normalise(word.rstrip(_SHARED + _EITHER_GENDER))
                if not name.isascii() or not name.isalpha():
                    raise ValueError(f"line {number}: {word!r} is not a name of letters")
                if _SHARED in word:
                    shared.setdefault(name, []).append(number)
                if _EITHER_GENDER in word:
                    either.add(name)
                if (word, name) in written:
                    raise ValueError(f"line {number}: {word} twice in one group")
                written.add((word, name))  # two writings of one name (Gerard, Gérard) are one name
                if name not in (n for _, n in parts):
                    parts.append((role, name))
        names = [n for _, n in parts]
        if len(names) < 2:
            raise ValueError(f"line {number}: a group of one name relates nothing")
        index = len(groups)
        groups.append(
            Group(
                gender,
                frozenset(n for r, n in parts if r == "form"),
                frozenset(n for r, n in parts if r == "short"),
                number,
            )
        )
        for name in names:
            where.setdefault(name, []).append(index)
    for name, found in where.items():
        marked = len(shared.get(name, ()))
        if len(found) > 1 and marked != len(found):
            lines = ", ".join(str(groups[i].line) for i in found)
            raise ValueError(f"{name!r} is in the groups of lines {lines}: mark it {_SHARED} in each, or keep one")
        if len(found) == 1 and marked:
            raise ValueError(f"line {groups[found[0]].line}: {name!r} is marked {_SHARED} but in one group only")
    by_name = {name: frozenset(found) for name, found in where.items()}
    by_key: dict[str, set[frozenset[int]]] = {}
    for name, found in by_name.items():
        by_key.setdefault(phonetic(name), set()).add(found)
    # a key whose names are in different groups (Dries, Driss) tells nothing of a name not in the table
    unambiguous = {key: found.pop() for key, found in by_key.items() if len(found) == 1}
    table = Table(tuple(groups), tuple(friends), frozenset(either), by_name, unambiguous)
    for a, b in table.false_friends:
        if table.relation(a, b):
            raise ValueError(f"the false friends {a!r} and {b!r} are related by the table")
    return table


@functools.cache
def table() -> Table:
    """The table of ``given_names.txt`` (read once)."""
    return parse(importlib.resources.files("register.domain").joinpath("given_names.txt").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1 << 16)
def relation(a: str, b: str) -> str | None:
    """EQUIVALENT, SHORT or None (the same name, or unrelated); either way round."""
    return table().relation(a, b)


@functools.lru_cache(maxsize=1 << 14)
def variants(name: str) -> frozenset[str]:
    """The names related to ``name`` (normalised), for a search to look for them too.

    >>> sorted(variants('Wim'))
    ['bill', 'billy', 'guglielmo', 'guillaume', 'guillermo', 'pim', 'wilhelm', 'wilhelmus', 'will', 'willem', 'willi', 'william', 'willy']
    """
    return table().variants(name)


@functools.lru_cache(maxsize=1 << 14)
def gender(name: str) -> str | None:
    """'M' or 'F' when every group holding ``name`` is of that gender and it is not marked ``~``."""
    return table().gender(name)
