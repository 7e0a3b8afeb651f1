"""bench.search's queries: persons of the population looked for by corrupted identities of every
kind (case/accents, particles and spacing, given names, spelling variants, one-letter typos,
swapped names, birth-date tolerance, gender filter), about 5 % persons who are not in the
population, and vaguer searches (a birth year only, or no birth date), all drawn from the main
population as before the other languages were added; then the kinds added with them (drawn with
a generator of their own, from the whole population): a given name searched under another
language's form, a short form or another transliteration (bench.search_given_variants), and
absent persons who are hard to tell from present ones: a twin (the last name and birth date of a
present person, another given name) and a person of another language whose name is new."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from bench import search_given_variants
from bench.search_population import OTHERS, Person, Population, names_of, respell
from register.domain.birth_window import BirthWindow
from register.domain.dates import IncompleteDate
from register.domain.names import normalise

KINDS = [
    "case_accents",
    "particles",
    "given_names",
    "spelling",
    "typo",
    "swapped",
    "date_tolerance",
    "gender",
    "absent",
]
# Vaguer searches, reported beside the targets' query set (whose queries all carry a birth date):
# a corrupted name with only the birth year, or with no birth date at all. Many persons may share
# a name (and year): recall counts only the queries the criteria can tell apart (see Query.ties).
VAGUE_KINDS = ["year_only", "name_only"]
VAGUE_QUERIES = 200  # of each vague kind
# Added with the other languages: first-name variants (the rest of the identity as stored), and
# absent persons hard to tell from present ones. Reported apart from KINDS.
VARIANT_KINDS = list(search_given_variants.KINDS)
VARIANT_QUERIES = 200  # of each variant kind
ABSENT_KINDS = ["absent_twin", "absent_other"]
ABSENT_QUERIES = 300  # of each hard absent kind
NEW_SEED = 1000  # added to the queries' seed for the new kinds
PARTICLE_FORMS = [
    ("Van den ", ["Vanden ", "Vanden", "Van Den ", "VAN DEN ", "van den "]),
    ("Van der ", ["Vander ", "Vander", "Van Der ", "van der "]),
    ("Van de ", ["Vande ", "Vande", "Van De "]),
    ("Van ", ["Van", "VAN ", "van "]),
    ("De ", ["De", "DE ", "de "]),
    ("Le ", ["Le", "LE ", "le "]),
    ("La ", ["La", "la "]),
    ("Du ", ["Du", "du "]),
    ("D'", ["D", "D ", "d'", "D’"]),
]
ACCENTS = {"e": "éèë", "a": "à", "i": "ï", "o": "ô", "u": "ü", "c": "ç"}


@dataclass(frozen=True, slots=True)
class Query:
    kind: str
    expected: str | None  # the ssin sought; None for an absent person
    last_name: str
    first_name: str | None
    birth_date: str | None
    tolerance: int = 0
    gender: str | None = None
    ties: int = 1  # persons the criteria cannot tell from the one sought (same name, same date known)


def _accented(text: str, rng: random.Random) -> str:
    places = [i for i, c in enumerate(text) if c.lower() in ACCENTS]
    if not places:
        return text
    i = rng.choice(places)
    return text[:i] + rng.choice(ACCENTS[text[i].lower()]) + text[i + 1 :]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def typo(name: str, rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = rng.randrange(1, len(name)) if len(name) > 1 else 0
    match rng.choice(["delete", "insert", "replace", "transpose"]):
        case "delete" if len(name) > 3:
            return name[:i] + name[i + 1 :]
        case "insert":
            return name[:i] + rng.choice(letters) + name[i:]
        case "transpose" if i + 1 < len(name) and name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        case _:
            c = rng.choice([c for c in letters if c != name[i].lower()])
            return name[:i] + c + name[i + 1 :]


def _reparticle(name: str, rng: random.Random) -> str | None:
    for particle, forms in PARTICLE_FORMS:
        if name.startswith(particle) and len(name) > len(particle):
            rest = name[len(particle) :]
            form = rng.choice(forms)
            rest = rest.upper() if form.isupper() and form.strip() else rest
            if form.endswith(("n", "r", "e", "D", "d")) and not form.endswith(" ") and form not in ("D", "d'"):
                rest = rest.lower()  # glued: Vandenbroeck
            return form + rest
    return None


def _date_query(p: Person, rng: random.Random) -> tuple[str, int]:
    birth = IncompleteDate.parse(p.birth_date)
    choice = rng.random()
    if birth.precision == "day" and choice < 0.5:
        shift = rng.randint(1, 5)
        day = date(birth.year, birth.month, birth.day) + timedelta(days=rng.choice([-1, 1]) * shift)
        return day.isoformat(), shift + rng.randint(0, 2)
    if birth.precision == "day" and choice < 0.75:
        month = birth.year * 12 + birth.month - 1 + rng.choice([-1, 1])
        return f"{month // 12:04d}-{month % 12 + 1:02d}-00", 1
    return f"{birth.year + rng.choice([-1, 0, 1]):04d}-00-00", 1


def make_queries(population: Population, count: int, seed: int) -> list[Query]:
    """KINDS and VAGUE_KINDS from the main population (as before the other languages), then
    VARIANT_KINDS and ABSENT_KINDS from the whole one."""
    return _main_queries(population, count, seed) + _new_queries(population, seed + NEW_SEED)


def _main_queries(population: Population, count: int, seed: int) -> list[Query]:
    rng = random.Random(seed)
    persons = population.main
    with_particle = [p for p in persons[:200_000] if any(p.last_name.startswith(x) for x, _ in PARTICLE_FORMS)]
    with_two_given = [p for p in persons[:200_000] if re.search(r"[ \-]", p.first_name)]
    known = {(normalise(p.last_name), normalise(p.first_name), p.birth_date) for p in population.persons}
    queries = []
    present_kinds = [k for k in KINDS if k != "absent"]
    for i in range(count):
        if rng.random() < 0.05:
            while True:
                p = population.new_person()
                if (normalise(p.last_name), normalise(p.first_name), p.birth_date) not in known:
                    break
            queries.append(Query("absent", None, p.last_name, p.first_name, p.birth_date))
            continue
        kind = present_kinds[i % len(present_kinds)]
        while True:
            p = rng.choice(
                with_particle if kind == "particles" else with_two_given if kind == "given_names" else persons
            )
            q = _corrupt(kind, p, rng)
            if q is not None:
                queries.append(q)
                break
    return queries + _vague_queries(persons, rng)


def _vague_queries(persons: list[Person], rng: random.Random) -> list[Query]:
    """Corrupted names with only the birth year, or none, counting each target's ties."""
    by_name: Counter = Counter()
    by_name_year: Counter = Counter()
    for p in persons:
        name = (normalise(p.last_name), normalise(p.first_name))
        by_name[name] += 1
        by_name_year[(*name, p.birth_date[:4])] += 1
    queries = []
    corruptions = ["case_accents", "particles", "spelling", "typo", "swapped"]
    for kind in VAGUE_KINDS:
        while sum(q.kind == kind for q in queries) < VAGUE_QUERIES:
            p = rng.choice(persons)
            q = _corrupt(rng.choice(corruptions), p, rng)
            if q is None:
                continue
            name = (normalise(p.last_name), normalise(p.first_name))
            if kind == "year_only":
                birth, ties = f"{p.birth_date[:4]}-00-00", by_name_year[(*name, p.birth_date[:4])]
            else:
                birth, ties = None, by_name[name]
            queries.append(Query(kind, p.ssin, q.last_name, q.first_name, birth, 0, None, ties))
    return queries


def _corrupt(kind: str, p: Person, rng: random.Random) -> Query | None:
    last, first, birth = p.last_name, p.first_name, p.birth_date
    match kind:
        case "case_accents":
            last = rng.choice([last.upper(), last.lower(), _accented(last, rng), _strip_accents(last).upper()])
            first = rng.choice([first.upper(), first.lower(), _accented(first, rng), _strip_accents(first)])
        case "particles":
            last = _reparticle(last, rng)
            if last is None:
                return None
        case "given_names":
            words = re.split(r"[ \-]", first)
            first = rng.choice([words[0], words[0] + rng.choice([" ", "-", ""]) + words[1], " ".join(words)])
            if first == p.first_name:
                first = words[0]
        case "spelling":
            variant = respell(last, rng) if rng.random() < 0.75 else None
            if variant is None:
                variant_first = respell(first, rng)
                if variant_first is None:
                    return None
                first = variant_first
            else:
                last = variant
        case "typo":
            if rng.random() < 0.75:
                last = typo(last, rng)
            else:
                first = typo(first, rng)
        case "swapped":
            last, first = first, last
        case "date_tolerance":
            birth, tolerance = _date_query(p, rng)
            return Query(kind, p.ssin, last, first, birth, tolerance)
        case "gender":
            if p.gender is None:
                return None
            return Query(kind, p.ssin, last, first, birth, 0, p.gender)
    return Query(kind, p.ssin, last, first, birth)


def _first_word(name: str) -> str:
    return re.split(r"[ \-]", name)[0]


def _new_queries(population: Population, seed: int) -> list[Query]:
    rng = random.Random(seed)
    persons = population.persons
    queries = []
    alike = Counter()  # (last name, birth date or year, first given name): who a query cannot tell apart
    for p in persons:
        for born in (p.birth_date, p.birth_date[:4]):
            alike[(normalise(p.last_name), born, normalise(_first_word(p.first_name)))] += 1
    # the query cannot tell the person sought from those called by any form of the name it gives
    alike_names: dict[str, set[str]] = {}
    for k in VARIANT_KINDS:
        for name, others in search_given_variants.variants(k).items():
            alike_names.setdefault(name, set()).update(others)
    for kind in VARIANT_KINDS:
        variants = search_given_variants.variants(kind)
        eligible = [p for p in persons if _first_word(p.first_name) in variants]
        for _ in range(VARIANT_QUERIES):
            p = rng.choice(eligible)
            word = _first_word(p.first_name)
            variant = rng.choice(variants[word])
            first = variant + (p.first_name[len(word) :] if rng.random() < 0.5 else "")  # other given names?
            # the birth date as stored, or (half the time) its year only: then the persons of that
            # name born that year compete, and those called by the variant itself are ties
            born = p.birth_date if rng.random() < 0.5 else p.birth_date[:4]
            last = normalise(p.last_name)
            called = {word, variant, *variants[word], *variants.get(variant, ())}
            called |= {n for c in list(called) for n in alike_names.get(c, ())}  # and their other forms
            ties = sum(alike[(last, born, normalise(n))] for n in {normalise(n) for n in called})
            birth = born if len(born) > 4 else f"{born}-00-00"
            queries.append(Query(kind, p.ssin, p.last_name, first, birth, ties=ties))
    duplicates = _Duplicates(persons)
    twins = 0
    while twins < ABSENT_QUERIES:
        p = rng.choice(persons)
        first = population.name(rng.choice("MF"), rng)
        words, theirs = set(re.split(r"[ \-]", first)), set(re.split(r"[ \-]", p.first_name))
        if {normalise(w) for w in words} & {normalise(w) for w in theirs} or any(
            w in alike_names.get(t, ()) for w in words for t in theirs
        ):
            continue  # a given name of the sibling's, or a form of one: not what twins are given
        if duplicates.any(p.last_name, first, p.birth_date):
            continue
        queries.append(Query("absent_twin", None, p.last_name, first, p.birth_date))
        twins += 1
    used = set(population.used) | {p.ssin for p in population.others}
    locales = [(locale, share) for locale, share, _ in OTHERS]
    lists = {locale: ({g: names_of(getattr(locale.Provider, f"first_names_{w}"), by_order)
                       for g, w in (("M", "male"), ("F", "female"))},
                      names_of(locale.Provider.last_names, by_order)) for locale, _, by_order in OTHERS}  # fmt: skip
    others = 0
    while others < ABSENT_QUERIES:
        locale = rng.choices([x for x, _ in locales], weights=[w for _, w in locales])[0]
        p = population.other_person(rng, used, *lists[locale])
        if not duplicates.any(p.last_name, p.first_name, p.birth_date):
            queries.append(Query("absent_other", None, p.last_name, p.first_name, p.birth_date))
            others += 1
    return queries


class _Duplicates:
    """The contract's possible duplicates (CONTRACT.md section 4, createBisNumber): a stored person
    with equal normalised names, either way round, and a compatible birth date. An absent query
    is none of them."""

    def __init__(self, persons: list[Person]) -> None:
        self.dates: dict[tuple[str, str], list[str]] = {}
        for p in persons:
            self.dates.setdefault((normalise(p.last_name), normalise(p.first_name)), []).append(p.birth_date)

    def any(self, last: str, first: str, birth_date: str) -> bool:
        window = BirthWindow.around(IncompleteDate.parse(birth_date), 0)
        names = (normalise(last), normalise(first))
        stored = self.dates.get(names, []) + self.dates.get(names[::-1], [])
        return any(window.admits(IncompleteDate.parse(d)) for d in stored)
