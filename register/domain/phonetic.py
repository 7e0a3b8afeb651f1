"""Search keys and ranking for the phonetic person search (CONTRACT.md section 4).

Three layers, each catching what the one before it misses:

1. :func:`register.domain.names.normalise` (the contract's comparison key) makes
   case, accents, spaces, hyphens and apostrophes disappear, so particles and
   their spacing are one name: ``Van den Broeck`` = ``VANDENBROECK``,
   ``D'Hondt`` = ``Dhondt``, ``Le Clercq`` = ``Leclercq``.
2. :func:`phonetic` rewrites Dutch and French spellings of one sound to one
   spelling (ae/aa, gh/g, ck/k, ey/ei/ij/y, c/k, ph/f, th/t, silent h, dt/d at
   the end, oe/ou, double letters...): ``Verhaeghe`` = ``Verhaege`` =
   ``Verhage``.
3. One-letter typos: a person is stored under the key of its last name and
   under every key with one letter deleted (:func:`name_keys`); a query looks
   up its own key and its one-deletion keys. Two keys within one insertion,
   deletion, substitution or transposition share an entry (the symmetric
   deletion of SymSpell), so an index on that array finds them exactly,
   without comparing the query with every name. Each stored key carries the
   birth decade (:func:`search_keys`): one GIN lookup answers "these names,
   born in these decades" without reading the persons of other decades.

Candidates found by these keys are ranked by :func:`score`: Jaro-Winkler on
normalised names and on phonetic keys, given names compared token by token
(``Jean-Pierre Marie`` holds ``Jean Pierre``), first and last names tried both
ways round, birth-date agreement.

>>> phonetic('Van den Broeck') == phonetic('Vandenbroek') == phonetic('VAN DEN BROECK')
True
>>> phonetic("D'Hondt") == phonetic('Dhondt') == phonetic('Dhont')
True
>>> phonetic('Claeys'), phonetic('Meyer'), phonetic('Meijer'), phonetic('Philips'), phonetic('Filips')
('klais', 'mir', 'mir', 'filips', 'filips')
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

import jellyfish

from register.domain.dates import IncompleteDate
from register.domain.names import normalise

# Dutch and French particles that may be written apart, joined or left out.
PARTICLES = frozenset(
    {"van", "von", "de", "den", "der", "del", "della", "di", "da", "du", "des", "le", "la", "les", "l", "d",
     "vande", "vanden", "vander", "ter", "ten", "t", "op", "in", "het"}
)  # fmt: skip

# Applied in order to a normalised name (letters a-z only). Each rule maps the
# spellings of one sound in Belgian names to one spelling.
_RULES = [
    (re.compile(p), r)
    for p, r in (
        ("[^a-z]", ""),
        ("ph", "f"),
        ("th", "t"),
        ("gh", "g"),
        ("ck", "k"),
        ("qu", "k"),
        ("q", "k"),
        ("x", "ks"),
        ("ch", "x"),  # Dutch /x/ or French /sh/: one sound either way, kept apart from c and h
        ("c(?=[eiy])", "s"),
        ("c", "k"),
        ("dt", "t"),
        ("d$", "t"),
        ("z", "s"),
        ("ij", "i"),
        ("y", "i"),
        ("ei", "i"),
        ("ie", "i"),
        ("ae", "a"),
        ("eau", "o"),
        ("au", "o"),
        ("oe", "u"),
        ("ou", "u"),
        ("h", ""),  # silent (French) or folded into the consonant before it
        (r"(.)\1+", r"\1"),  # double letters
    )
]
_NOT_LETTERS = re.compile("[^a-z]")
_SPELLING = "="  # marks the keys of a name's spelling, apart from those of its sound
# Deleting one letter of a shorter key leaves too little to tell names apart.
_MIN_DELETION_LENGTH = 4


@functools.lru_cache(maxsize=1 << 16)  # names repeat: a bulk import of 1M persons computes each once
def phonetic(name: str) -> str:
    """The phonetic key of a name: one spelling for the Dutch and French spellings of its sound.

    >>> [phonetic(n) for n in ('Peeters', 'Peters', 'Goossens', 'Gossens', 'Thys', 'Tijs')]
    ['peters', 'peters', 'gosens', 'gosens', 'tis', 'tis']
    >>> phonetic('Leclercq') == phonetic('Le Clerc') == phonetic('Leclerk')
    True
    """
    key = normalise(name)
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return key


def without_particles(name: str) -> str:
    """The name without the particles that begin it, when something is left.

    >>> without_particles('Van den Broeck'), without_particles("D'Hondt"), without_particles('De'), without_particles('Maes')
    ('Broeck', 'Hondt', 'De', 'Maes')
    """
    words = re.split(r"[\s\-'\u2019\u2018\u02bc`]+", name.strip())
    rest = list(words)
    while len(rest) > 1 and normalise(rest[0]) in PARTICLES:
        rest.pop(0)
    return " ".join(rest) if rest and len(rest) < len(words) else name


def deletions(key: str) -> set[str]:
    """``key`` with one letter deleted, every way (none for short keys).

    >>> sorted(deletions('maas')), deletions('mas')
    (['aas', 'maa', 'mas'], set())
    """
    if len(key) < _MIN_DELETION_LENGTH:
        return set()
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def name_keys(last_name: str) -> list[str]:
    """The lookup keys of a last name: its phonetic key and its one-deletion keys; the same of
    its spelling (normalised, marked ``=``: a typo can move a letter across the phonetic rules,
    ``Leys``/``Lesy``, ``De Boeck``/``De Bocek``); the key without leading particles
    (``Van den Broeck`` is also found as ``Broeck``).

    >>> name_keys('Maes')
    ['=aes', '=mae', '=maes', '=mas', '=mes', 'mas']
    >>> [k for k in name_keys('De Smet') if not k.startswith('=')]
    ['demet', 'deset', 'desme', 'desmet', 'desmt', 'dsmet', 'esmet', 'smet']
    """
    return list(_name_keys(last_name))


@functools.lru_cache(maxsize=1 << 16)  # names repeat: a bulk import of 1M persons computes each once
def _name_keys(last_name: str) -> tuple[str, ...]:
    key = phonetic(last_name)
    spelling = _NOT_LETTERS.sub("", normalise(last_name))
    keys = {key, *deletions(key), *(_SPELLING + k for k in (spelling, *deletions(spelling)))}
    bare = without_particles(last_name)
    if bare != last_name:
        keys.add(phonetic(bare))
    keys.discard("")
    keys.discard(_SPELLING)
    return tuple(sorted(keys))


def search_keys(last_name: str, birth_date: str) -> list[str]:
    """The stored keys of a person: each key of its last name with its birth decade, so that one
    index lookup finds the persons of a name *and* of a span of decades (every stored birth date
    has its year). A decade, not the year: ten times fewer distinct keys keep a bulk import of 1M
    persons within its two minutes, and a name's persons of one decade are few to read.

    >>> search_keys('Maes', '1985-00-00')
    ['=aes@198', '=mae@198', '=maes@198', '=mas@198', '=mes@198', 'mas@198']
    """
    return list(_search_keys(last_name, int(birth_date[:4]) // 10))


@functools.lru_cache(maxsize=1 << 16)
def _search_keys(last_name: str, decade: int) -> tuple[str, ...]:
    return tuple(f"{k}@{decade}" for k in _name_keys(last_name))


def query_keys(last_name: str, first_name: str | None = None) -> list[str]:
    """The name keys a query looks up (the database adds the decades its window covers): those
    of its last name and (first and last names swapped) those of its given names, whole and
    word by word. A stored key and a query key are equal when the names are within one letter
    of each other (deleted, inserted, replaced or two swapped), on the phonetic key or on the
    spelling.

    >>> 'peters' in query_keys('Jan', 'Peeters'), set(query_keys('Petrs')) & set(name_keys('Peeters'))
    (True, {'petrs'})
    >>> sorted(set(query_keys('Lesy')) & set(name_keys('Leys')))
    ['=les', '=ley']
    """
    names = [last_name]
    if first_name:
        names.append(first_name)
        names.extend(w for w in re.split(r"[\s\-]+", first_name) if w and w != first_name)
    return sorted({k for name in names for k in _name_keys(name)})


def person_keys(last_name: str, first_name: str, birth_date: str) -> tuple:
    """The search columns of ``person`` (after ``last_name_key, first_name_key``), in order:
    ``(last_name_phonetic, first_name_phonetic, search_keys)``.

    >>> person_keys('Van den Broeck', 'Jean-Pierre', '1985-07-30')[:2]
    ('vandenbruk', 'jeanpire')
    """
    return phonetic(last_name), phonetic(first_name), search_keys(last_name, birth_date)


# --- ranking --------------------------------------------------------------------------------------


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


# --- birth-date window ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BirthWindow:
    """The days a searched birth date covers with its tolerance, counted in the unit of its
    precision (CONTRACT.md section 4): days for a full date, months for ``yyyy-mm-00``,
    years for ``yyyy-00-00``. A stored date is admitted when the days it may be overlap them.

    >>> w = BirthWindow.around(IncompleteDate.parse('1985-07-30'), 3)
    >>> str(w.first), str(w.last)
    ('1985-07-27', '1985-08-02')
    >>> [w.admits(IncompleteDate.parse(s)) for s in ('1985-08-02', '1985-08-03', '1985-08-00', '1985-00-00', '1984-00-00')]
    [True, False, True, True, False]
    >>> w = BirthWindow.around(IncompleteDate.parse('1985-00-00'), 0)
    >>> str(w.first), str(w.last), w.admits(IncompleteDate.parse('1985-12-31'))
    ('1985-01-01', '1985-12-31', True)
    >>> w = BirthWindow.around(IncompleteDate.parse('2000-01-00'), 1)
    >>> str(w.first), str(w.last), w.partial_dates()
    ('1999-12-01', '2000-02-29', ['1999-00-00', '1999-12-00', '2000-00-00', '2000-01-00', '2000-02-00'])
    """

    first: date
    last: date

    @classmethod
    def around(cls, birth: IncompleteDate, tolerance: int) -> BirthWindow:
        tolerance = max(tolerance, 0)
        if birth.precision == "day":
            day = date(birth.year, birth.month, birth.day).toordinal()
            return cls(
                date.fromordinal(max(day - tolerance, _FIRST.toordinal())),
                date.fromordinal(min(day + tolerance, _LAST.toordinal())),
            )
        if birth.precision == "month":
            month = birth.year * 12 + birth.month - 1
            low = max(month - tolerance, _FIRST.year * 12)
            high = min(month + tolerance, _LAST.year * 12 + 11)
            return cls(date(low // 12, low % 12 + 1, 1), _last_day(high // 12, high % 12 + 1))
        low_year = max(birth.year - tolerance, _FIRST.year)
        high_year = min(birth.year + tolerance, _LAST.year)
        return cls(date(low_year, 1, 1), date(high_year, 12, 31))

    def admits(self, stored: IncompleteDate) -> bool:
        first, last = _days_of(stored)
        return first <= self.last and last >= self.first

    def partial_dates(self, most: int = 1200) -> list[str] | None:
        """The incomplete dates (``yyyy-mm-00``, ``yyyy-00-00``) whose days overlap the window,
        or None when there are more than ``most`` (then the window is checked here, not by index)."""
        if (self.last.year - self.first.year + 1) * 13 > most:
            return None
        dates = []
        for year in range(self.first.year, self.last.year + 1):
            dates.append(f"{year:04d}-00-00")
            for month in range(1, 13):
                if (year, month) >= (self.first.year, self.first.month) and (year, month) <= (
                    self.last.year,
                    self.last.month,
                ):
                    dates.append(f"{year:04d}-{month:02d}-00")
        return dates


_FIRST, _LAST = date(1, 1, 1), date(9999, 12, 31)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _days_of(d: IncompleteDate) -> tuple[date, date]:
    if d.precision == "day":
        day = date(d.year, d.month, d.day)
        return day, day
    if d.precision == "month":
        return date(d.year, d.month, 1), _last_day(d.year, d.month)
    return date(d.year, 1, 1), date(d.year, 12, 31)
