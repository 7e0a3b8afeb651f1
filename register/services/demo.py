"""`raas demo`: a demo tenant with dossier types, a client and synthetic persons.

Persons get valid SSINs and Belgian names (Faker's nl_BE and fr_BE), from a
fixed seed, so every demo database holds the same people.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import Engine

from register.adapters.tenants import Tenants
from register.domain import ssin as ssins
from register.domain.errors import AlreadyExists
from register.domain.person_row import person_row
from register.services.auth import hash_password, new_password
from register.services.source_import import Imported, import_persons

BCE = "0123456749"
NAME = "Demo Social Secretariat"
USERNAME = "demo"
DOSSIER_TYPES = {
    "UNEMPLOYMENT": "Unemployment benefits",
    "FAMILY_ALLOWANCE": "Family allowances",
    "HEALTH_INSURANCE": "Health insurance",
    "PENSION": "Pension",
}


@dataclass(frozen=True)
class Demo:
    bce: str
    username: str
    password: str | None  # None: the demo existed already
    persons: Imported


def synthetic_persons(count: int, seed: int = 2026) -> Iterator[tuple]:
    """``count`` persons with valid, distinct national register numbers."""
    rng = random.Random(seed)
    fakers = {"nl": Faker("nl_BE"), "fr": Faker("fr_BE")}
    for i, faker in enumerate(fakers.values()):
        faker.seed_instance(seed + i)
    seen: set[str] = set()
    while len(seen) < count:
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(92 * 365))
        gender = rng.choice("MF")
        # the serial is odd for men and even for women
        serial = rng.randrange(1, 998)
        serial += (serial % 2 == 0) if gender == "M" else (serial % 2 == 1)
        first_nine = f"{born:%y%m%d}{min(serial, 998):03d}"
        ssin = first_nine + ssins.check_digits(first_nine, born.year >= 2000)
        if ssin in seen:
            continue
        seen.add(ssin)
        faker = fakers["nl" if rng.random() < 0.6 else "fr"]
        first = faker.first_name_male() if gender == "M" else faker.first_name_female()
        yield person_row(ssin, faker.last_name(), first, born.isoformat(), gender, "BE")


def load_demo(engine: Engine, persons: int = 5000) -> Demo:
    tenants = Tenants(engine)
    imported = import_persons(engine, synthetic_persons(persons))
    try:
        tenants.create(BCE, NAME)
    except AlreadyExists:
        return Demo(BCE, USERNAME, None, imported)
    for code, label in DOSSIER_TYPES.items():
        tenants.add_dossier_type(BCE, code, label)
    password = new_password()
    tenants.add_client(BCE, USERNAME, hash_password(password))
    return Demo(BCE, USERNAME, password, imported)
