"""How well a stored person answers a phonetic search (CONTRACT.md section 4): a score from 0 to 1.

Jaro-Winkler on normalised names and on phonetic keys (register.domain.phonetic),
given names compared word by word (``Jean-Pierre Marie`` holds ``Jean Pierre``),
first and last names tried both ways round, birth-date agreement.

The score is calibrated: 0.9 and more says "the same person, as far as the criteria tell".
createBisNumber's duplicate check takes 0.95 and more as a likely duplicate
(register.services.persons.STRONG_SCORE). So a given name counts by what its agreement says
of the person, not by how many letters it shares (:func:`given_name_similarity`): the same
name, its sound, another form of it (register.domain.given_names: ``Willem``/``Guillaume``,
``Jozef``/``Jef``) or one letter off (a typo) keep a person up there; another name, however
alike in letters (twins ``Valentin`` and ``Valérie``, ``Jennifer`` and ``Jeannine``), keeps
it below, whatever the rest:

>>> q = Query.of('Peeters', 'Valérie', '2007-05-30')
>>> score(q, 'Peeters', 'Valentin', '2007-05-30', 'M') < 0.9 <= score(q, 'Peeters', 'Valerie', '2007-05-30', 'F')
True
>>> score(Query.of('Peeters', 'Guillaume', '1985-07-30'), 'Peeters', 'Willem', '1985-07-30', 'M') >= 0.95
True
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import jellyfish

from register.domain import given_names
from register.domain.dates import IncompleteDate
from register.domain.names import normalise
from register.domain.phonetic import phonetic

# What a given name's agreement is worth (given_name_similarity), from strongest to weakest.
SAME_SOUND = 0.95  # another spelling of one sound (Sofie, Sophie)
EQUIVALENT = 0.93  # one name in two languages or transliterations (Willem, Guillaume)
SHORT_FORM = 0.9  # a name and its short form (Jozef, Jef)
TYPO = (0.88, 0.92)  # one letter off: a typo, Jaro-Winkler within these bounds
OTHER_NAME = 0.6  # another name: Jaro-Winkler scaled down to this at most
SWAPPED = 0.96  # first and last names given the other way round


@dataclass(frozen=True, slots=True)
class Name:
    """A name in the forms the ranking compares: normalised, phonetic, and its words normalised."""

    normalised: str
    key: str
    words: tuple[str, ...]
    text: str = ""  # as given

    @classmethod
    def of(cls, name: str) -> Name:
        return _name(name)


# Names repeat (a search ranks up to hundreds of persons of one family name), and so do the pairs
# compared: each is worked out once per worker.
_CACHE = 1 << 16


@functools.lru_cache(maxsize=_CACHE)
def _name(name: str) -> Name:
    words = tuple(w for w in (normalise(w) for w in re.split(r"[\s\-]+", name)) if w)
    return Name(normalise(name), phonetic(name), words, name)


_date = functools.lru_cache(maxsize=_CACHE)(IncompleteDate.parse)


@functools.lru_cache(maxsize=_CACHE)
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


@functools.lru_cache(maxsize=_CACHE)
def given_name_similarity(query: Name, stored: Name, gender: str | None = None) -> float:
    """0..1, calibrated: 1 the same name, SAME_SOUND another spelling of its sound, EQUIVALENT
    and SHORT_FORM another form of it (register.domain.given_names), TYPO one letter off; at
    most OTHER_NAME for another name, however alike its letters. A name the table knows as the
    other gender than the stored person's ``gender`` is another name (twins Louis and Louise).

    >>> s = lambda a, b, g=None: given_name_similarity(Name.of(a), Name.of(b), g)
    >>> s('Jean', 'JEAN'), s('Sofie', 'Sophie'), s('Guillaume', 'Willem'), s('Jef', 'Jozef')
    (1.0, 0.95, 0.93, 0.9)
    >>> 0.88 <= s('Willen', 'Willem') <= 0.92, s('Valentin', 'Valérie') <= 0.6, s('Louise', 'Louis', 'M') <= 0.6
    (True, True, True)
    """
    if query.normalised == stored.normalised:
        return 1.0
    spelling = jellyfish.jaro_winkler_similarity(query.normalised, stored.normalised)
    if query.key == stored.key:
        return max(spelling, SAME_SOUND)
    other = OTHER_NAME * max(spelling, jellyfish.jaro_winkler_similarity(query.key, stored.key))
    if gender is not None and given_names.gender(query.normalised) not in (None, gender):
        return other
    related = given_names.relation(query.normalised, stored.normalised)
    if related is not None:
        return EQUIVALENT if related == given_names.EQUIVALENT else SHORT_FORM
    if jellyfish.damerau_levenshtein_distance(query.key, stored.key) == 1 or (
        jellyfish.damerau_levenshtein_distance(query.normalised, stored.normalised) == 1
    ):
        return min(max(spelling, TYPO[0]), TYPO[1])
    return other


@functools.lru_cache(maxsize=_CACHE)
def given_names_similarity(query: Name, stored: Name, gender: str | None = None) -> float:
    """Given names: whole, or word by word (hyphens and spaces separate them); a query
    naming fewer given names than are stored loses little, in the stored order less.

    >>> given_names_similarity(Name.of('Jean Pierre'), Name.of('Jean-Pierre Marie')) > 0.95
    True
    >>> given_names_similarity(Name.of('Marie'), Name.of('Anne-Marie')) > 0.85
    True
    >>> given_names_similarity(Name.of('Luc'), Name.of('Marc')) < 0.8
    True
    >>> given_names_similarity(Name.of('Jan Pieter'), Name.of('Jean-Pierre')) > 0.9
    True
    """
    whole = given_name_similarity(query, stored, gender)
    if len(query.words) + len(stored.words) <= 2 or not query.words or not stored.words:
        return whole
    words = [Name(w, phonetic(w), (w,)) for w in stored.words]
    best = [max((given_name_similarity(Name(q, phonetic(q), (q,)), w, gender), -i) for i, w in enumerate(words))
            for q in query.words]  # fmt: skip
    in_order = [-i for _, i in best] == list(range(len(best)))  # each word matched by the stored one in its place
    by_words = sum(s for s, _ in best) / len(best) * (0.99 if in_order else 0.93)
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
    A date the caller's tolerance admits weighs enough that the name asked for, born within it,
    ranks above another form of the name born on the date given (0.15 x 0.1 < 0.85 x 0.4 x 0.07).

    >>> d = IncompleteDate.parse
    >>> date_agreement(d('1985-07-30'), d('1985-07-30')), date_agreement(d('1985-07-30'), d('1985-07-00'))
    (1.0, 0.9)
    >>> date_agreement(d('1985-07-30'), d('1985-08-02'))
    0.8
    """
    if query is None:
        return 1.0
    if query == stored:
        return 1.0
    if query.matches(stored):
        return 0.9
    return 0.8


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
    dates = date_agreement(query.birth_date, _date(birth_date))
    straight = _names(query, last, first, gender)
    # names swapped: below the same names in place, above a typo in each (two mistakes, not one)
    swapped = SWAPPED * _names(Query(query.first, query.last, None, None), last, first, gender) if query.first else 0.0
    names = max(straight, swapped)
    total = 0.85 * names + 0.15 * dates if query.birth_date else names
    if query.gender and gender is None:
        total *= 0.98  # an unknown gender is a candidate, below an equal known one
    return round(total, 4)


def _names(query: Query, last: Name, first: Name, gender: str | None) -> float:
    surname = name_similarity(query.last, last)
    if query.first is None:
        return surname
    return 0.6 * surname + 0.4 * given_names_similarity(query.first, first, gender)
