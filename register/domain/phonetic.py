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

Candidates found by these keys are ranked by register.domain.ranking; the
birth-date window a search covers is register.domain.birth_window.

>>> phonetic('Van den Broeck') == phonetic('Vandenbroek') == phonetic('VAN DEN BROECK')
True
>>> phonetic("D'Hondt") == phonetic('Dhondt') == phonetic('Dhont')
True
>>> phonetic('Claeys'), phonetic('Meyer'), phonetic('Meijer'), phonetic('Philips'), phonetic('Filips')
('klais', 'mir', 'mir', 'filips', 'filips')
"""

from __future__ import annotations

import functools
import re

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
