"""How well a stored person answers a phonetic search (CONTRACT.md section 4): a score from 0 to 1.

Jaro-Winkler on normalised names and on phonetic keys (register.domain.phonetic),
given names compared word by word (``Jean-Pierre Marie`` holds ``Jean Pierre``),
first and last names tried both ways round, birth-date agreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jellyfish

from register.domain.dates import IncompleteDate
from register.domain.names import normalise
from register.domain.phonetic import phonetic


@dataclass(frozen=True, slots=True)
class Name:
    """A name in the forms the ranking compares: normalised, phonetic, and its words normalised."""

    normalised: str
    key: str
    words: tuple[str, ...]
    text: str = ""  # as given

    @classmethod
    def of(cls, name: str) -> Name:
        words = tuple(w for w in (normalise(w) for w in re.split(r"[\s\-]+", name)) if w)
        return cls(normalise(name), phonetic(name), words, name)


def name_similarity(a: Name, b: Name) -> float:
    """0..1: 1 for the same name, 0.95 or more for the same sound, less as spellings part.

    >>> name_similarity(Name.of('Van den Broeck'), Name.of('VANDENBROECK'))
    1.0
    >>> name_similarity(Name.of('Verhaeghe'), Name.of('Verhaege')) >= 0.95
    True
    >>> 0.85 < name_similarity(Name.of('Janssens'), Name.of('Jansens')) < 1
    True
    >>> name_similarity(Name.of('Peeters'), Name.of('Dubois')) < 0.6
    True
    """
    if a.normalised == b.normalised:
        return 1.0
    spelling = jellyfish.jaro_winkler_similarity(a.normalised, b.normalised)
    if a.key == b.key:
        return max(spelling, 0.95)
    sound = jellyfish.jaro_winkler_similarity(a.key, b.key)
    if jellyfish.damerau_levenshtein_distance(a.key, b.key) == 1 or (
        jellyfish.damerau_levenshtein_distance(a.normalised, b.normalised) == 1
    ):
        sound = max(sound, 0.9)  # one letter off: a typo, a likely match whatever its place
    return max(spelling, 0.95 * sound)


def given_names_similarity(query: Name, stored: Name) -> float:
    """Given names: whole, or word by word (hyphens and spaces separate them); a query
    naming fewer given names than are stored loses little, in the stored order less.

    >>> given_names_similarity(Name.of('Jean Pierre'), Name.of('Jean-Pierre Marie')) > 0.95
    True
    >>> given_names_similarity(Name.of('Marie'), Name.of('Anne-Marie')) > 0.85
    True
    >>> given_names_similarity(Name.of('Luc'), Name.of('Marc')) < 0.8
    True
    """
    whole = name_similarity(query, stored)
    if len(query.words) + len(stored.words) <= 2 or not query.words or not stored.words:
        return whole
    words = [Name(w, phonetic(w), (w,)) for w in stored.words]
    best = [max(name_similarity(Name(q, phonetic(q), (q,)), w) for w in words) for q in query.words]
    in_order = query.words == stored.words[: len(query.words)]
    by_words = sum(best) / len(best) * (0.99 if in_order else 0.93)
    return max(whole, by_words)


@dataclass(frozen=True, slots=True)
class Query:
    last: Name
    first: Name | None
    birth_date: IncompleteDate | None
    gender: str | None

    @classmethod
    def of(cls, last_name: str, first_name: str | None = None, birth_date: str | None = None,
           gender: str | None = None) -> Query:  # fmt: skip
        return cls(
            Name.of(last_name),
            Name.of(first_name) if first_name and normalise(first_name) else None,
            IncompleteDate.parse(birth_date) if birth_date else None,
            gender,
        )


def date_agreement(query: IncompleteDate | None, stored: IncompleteDate) -> float:
    """1 for the same date, less for a date only compatible (unknown parts) or within the tolerance.

    >>> d = IncompleteDate.parse
    >>> date_agreement(d('1985-07-30'), d('1985-07-30')), date_agreement(d('1985-07-30'), d('1985-07-00'))
    (1.0, 0.9)
    >>> date_agreement(d('1985-07-30'), d('1985-08-02'))
    0.6
    """
    if query is None:
        return 1.0
    if query == stored:
        return 1.0
    if query.matches(stored):
        return 0.9
    return 0.6


def score(query: Query, last_name: str, first_name: str, birth_date: str, gender: str | None) -> float:
    """0..1: how well a stored person answers the query (the caller has applied the filters).

    >>> q = Query.of('Vandenbroeck', 'Jean Pierre', '1985-07-30')
    >>> score(q, 'Van den Broeck', 'Jean-Pierre', '1985-07-30', 'M')
    1.0
    >>> 0.95 < score(q, 'Van den Broek', 'Jean-Pierre', '1985-07-30', 'M') < 1
    True
    >>> score(Query.of('Jean Pierre', 'Van den Broeck'), 'Van den Broeck', 'Jean-Pierre', '1985-07-30', 'M') >= 0.9
    True
    >>> score(q, 'Van den Bossche', 'Marie', '1985-07-30', 'F') < 0.8
    True
    """
    last, first = Name.of(last_name), Name.of(first_name)
    dates = date_agreement(query.birth_date, IncompleteDate.parse(birth_date))
    straight = _names(query, last, first)
    swapped = 0.95 * _names(Query(query.first, query.last, None, None), last, first) if query.first else 0.0
    names = max(straight, swapped)
    total = 0.85 * names + 0.15 * dates if query.birth_date else names
    if query.gender and gender is None:
        total *= 0.98  # an unknown gender is a candidate, below an equal known one
    return round(total, 4)


def _names(query: Query, last: Name, first: Name) -> float:
    surname = name_similarity(query.last, last)
    if query.first is None:
        return surname
    return 0.6 * surname + 0.4 * given_names_similarity(query.first, first)
