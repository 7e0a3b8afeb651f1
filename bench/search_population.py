"""bench.search's synthetic Belgian population: last and given names drawn with the frequencies
of Faker's nl_BE and fr_BE lists (Statbel's 500 most frequent given names of Flanders and of
Wallonia, 2022), respelt by Dutch/French variant rules so that similar-sounding names coexist
(Peeters, Peters, Pieters...), plus a long tail of composed names; double given names; a few
incomplete birth dates and unknown genders; valid, distinct SSINs.

Beside these (``Population.main``, drawn exactly as before this split, so that the query kinds
measured on them stay comparable between runs), a tenth as many persons of the other languages
of Belgium's population (``Population.others``, drawn with a seed of their own): German given
names (Faker's de_DE), English (en_GB, weighted by its order of frequency) and Arabic names in
French transliteration (fr_DZ), each with a last name of that language or, for half of them, a
Belgian one."""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from faker.providers.person import de_DE, en_GB, fr_BE, fr_DZ, nl_BE

from register.domain import ssin as ssins

# Respellings of one sound in Belgian names (both directions are tried).
VARIANTS = [
    ("ae", "aa"), ("ae", "a"), ("gh", "g"), ("ck", "k"), ("ck", "c"), ("ey", "ei"), ("ij", "y"), ("ey", "y"),
    ("c", "k"), ("ph", "f"), ("th", "t"), ("dt", "d"), ("dt", "t"), ("qu", "k"), ("cq", "k"), ("z", "s"),
    ("ou", "oe"), ("ee", "e"), ("oo", "o"), ("ss", "s"), ("tt", "t"), ("ll", "l"), ("nn", "n"), ("rr", "r"),
    ("mm", "m"), ("ff", "f"), ("ie", "i"), ("y", "i"), ("x", "ks"),
]  # fmt: skip
ROOTS_EXTRA = ["Broeck", "Bossche", "Velde", "Berghe", "Hondt", "Clercq", "Meulen", "Wyngaert", "Poel", "Kerckhove",
               "Steen", "Heyden", "Linden", "Bergh", "Putte", "Eynde", "Walle", "Straeten", "Moortel", "Voorde"]  # fmt: skip
SUFFIXES = ["", "", "s", "e", "en", "ens", "aert", "x", "ckx", "ier", "eau", "ot"]
PREFIXES = ["", "", "", "Van ", "Van den ", "Van der ", "De ", "Le ", "Du ", "D'", "Vande", "Ver"]


def _weighted(dicts) -> dict[str, float]:
    merged: dict[str, float] = defaultdict(float)
    for d in dicts:
        total = sum(d.values())
        for name, weight in d.items():
            merged[name] += weight / total
    return merged


def respell(name: str, rng: random.Random) -> str | None:
    """One variant rule applied at one place, or None when none applies."""
    options = []
    low = name.lower()
    for a, b in VARIANTS:
        for src, dst in ((a, b), (b, a)):
            for m in re.finditer(re.escape(src), low):
                options.append((m.start(), m.end(), dst))
    if not options:
        return None
    start, end, dst = rng.choice(options)
    original = name[start:end]
    if original[:1].isupper():
        dst = dst[:1].upper() + dst[1:]
    return name[:start] + dst + name[end:]


def last_names(rng: random.Random) -> tuple[list[str], list[float]]:
    """Surnames and weights: Faker's lists (their frequencies), each respelt a few ways, and a long tail."""
    base = _weighted([nl_BE.Provider.last_names, fr_BE.Provider.last_names])
    names: dict[str, float] = defaultdict(float)
    for name, weight in base.items():
        names[name] += weight * 0.7
        for _ in range(3):  # respellings that coexist with the name
            variant = respell(name, rng)
            if variant:
                names[variant] += weight * 0.1
    tail = [n for n in base if " " not in n and "'" not in n] + ROOTS_EXTRA
    total_tail = 0.35  # a long tail of rarer composed names, a third of the population
    composed = {}
    for _ in range(40_000):
        name = rng.choice(PREFIXES) + rng.choice(tail) + rng.choice(SUFFIXES)
        name = name[0].upper() + name[1:]
        composed[name] = composed.get(name, 0) + rng.paretovariate(1.5)
    scale = total_tail * sum(names.values()) / sum(composed.values())
    for name, weight in composed.items():
        names[name] += weight * scale
    return list(names), list(names.values())


def given_names(rng: random.Random) -> dict[str, tuple[list[str], list[float]]]:
    out = {}
    for gender, attr in (("M", "first_names_male"), ("F", "first_names_female")):
        merged = _weighted([getattr(nl_BE.Provider, attr), getattr(fr_BE.Provider, attr)])
        out[gender] = (list(merged), list(itertools.accumulate(merged.values())))
    return out


@dataclass(frozen=True, slots=True)
class Person:
    ssin: str
    last_name: str
    first_name: str
    birth_date: str
    gender: str | None


# The other languages: (Faker locale, share of the main population's size, weighted by list order).
OTHERS = [(de_DE, 0.03, False), (en_GB, 0.02, True), (fr_DZ, 0.05, False)]
OTHERS_SEED = 7  # added to the population's seed


def names_of(names, by_order: bool) -> tuple[list[str], list[float]]:
    names = list(dict.fromkeys(names))
    weights = [1 / (i + 10) if by_order else 1.0 for i in range(len(names))]
    return names, list(itertools.accumulate(weights))


class Population:
    def __init__(self, size: int, seed: int, others: bool = True) -> None:
        self.rng = random.Random(seed)
        self.last, weights = last_names(self.rng)
        self.last_cumulative = list(itertools.accumulate(weights))
        self.given = given_names(self.rng)
        self.used: set[str] = set()
        self.main = [self.new_person() for _ in range(size)]
        self.others = self._others(size, seed + OTHERS_SEED) if others else []
        self.persons = self.main + self.others

    def _others(self, size: int, seed: int) -> list[Person]:
        """Persons of the other languages, drawn with a generator of their own: ``self.rng`` and
        ``self.used`` stay as the main population left them (absent persons are drawn from them)."""
        rng = random.Random(seed)
        used = set(self.used)
        out = []
        for locale, share, by_order in OTHERS:
            given = {g: names_of(getattr(locale.Provider, f"first_names_{w}"), by_order)
                     for g, w in (("M", "male"), ("F", "female"))}  # fmt: skip
            last = names_of(locale.Provider.last_names, by_order)
            for _ in range(round(size * share)):
                out.append(self.other_person(rng, used, given, last))
        return out

    def other_person(self, rng: random.Random, used: set[str], given: dict, last: tuple) -> Person:
        """One person of another language: its given name from ``given``, its last name from ``last``
        or, half the time, from the Belgian names."""
        p = self.new_person(rng, used)
        names, cumulative = given[p.gender or rng.choice("MF")]
        first = rng.choices(names, cum_weights=cumulative)[0]
        if rng.random() < 0.5:
            family = rng.choices(last[0], cum_weights=last[1])[0]
        else:
            family = rng.choices(self.last, cum_weights=self.last_cumulative)[0]
        return Person(p.ssin, family, first, p.birth_date, p.gender)

    def name(self, gender: str, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        names, cumulative = self.given[gender]
        first = rng.choices(names, cum_weights=cumulative)[0]
        if rng.random() < 0.15:  # a second given name, after a space or a hyphen
            second = rng.choices(names, cum_weights=cumulative)[0]
            if second != first:
                first += rng.choice([" ", " ", "-"]) + second
        return first

    def new_person(self, rng: random.Random | None = None, used: set[str] | None = None) -> Person:
        rng = rng or self.rng
        used = self.used if used is None else used
        while True:
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(94 * 365))
            gender = rng.choice("MF")
            serial = rng.randrange(1, 998)
            serial += (serial % 2 == 0) if gender == "M" else (serial % 2 == 1)
            serial = min(serial, 997 if gender == "M" else 998)
            precision = rng.random()
            if precision < 0.02:
                birth, ssin_date = f"{born:%Y-%m}-00", f"{born:%y%m}00"
            elif precision < 0.025:
                birth, ssin_date = f"{born:%Y}-00-00", f"{born:%y}0000"
            else:
                birth, ssin_date = born.isoformat(), f"{born:%y%m%d}"
            first_nine = f"{ssin_date}{serial:03d}"
            ssin = first_nine + ssins.check_digits(first_nine, born.year >= 2000)
            if ssin not in used:
                used.add(ssin)
                break
        last = rng.choices(self.last, cum_weights=self.last_cumulative)[0]
        return Person(ssin, last, self.name(gender, rng), birth, None if rng.random() < 0.01 else gender)


def write_csv(persons: list[Person], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["ssin", "lastName", "firstName", "birthDate", "gender", "nationality", "deathDate"])
        for p in persons:
            writer.writerow([p.ssin, p.last_name, p.first_name, p.birth_date, p.gender or "", "BE", ""])
