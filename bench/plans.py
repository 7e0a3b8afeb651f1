"""The requests of a load phase, built before it and written to a file the load generators read.

A plan file (bench/soap.lua, bench/pyload.py): line 1 is the envelope up to the operation
element, line 2 what follows it, then one operation element per line.

registerPerson requests walk (ssin, dossier type, period): mostly new keys, the rest lines
that touch, overlap, bridge, leave a gap to or fall inside a line registered earlier, so
merges really happen; a quarter carry an identity to compare.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.envelopes import ECHO_REQUEST, envelope_parts, list_registrations, register_person
from register.domain.periods import DaySet, Period

SAMPLE = 8  # a plan's first calls, sent one by one and their answers checked before each phase (answers.py)


@dataclass
class Plan:
    name: str
    prefix: str
    suffix: str
    ops: list[str]
    keys: list[tuple] = field(default_factory=list)  # register: (kind, ssin, dossier type) per op
    path: Path | None = None

    def write(self, folder: Path) -> Path:
        self.path = folder / f"{self.name}.plan"
        with open(self.path, "w", encoding="utf-8", newline="\n") as f:
            f.write(self.prefix + "\n" + self.suffix + "\n")
            for op in self.ops:
                f.write(op + "\n")
        return self.path

    def body(self, i: int) -> bytes:
        return (self.prefix + self.ops[i % len(self.ops)] + self.suffix).encode()


def make_echo_plan() -> Plan:
    request = ECHO_REQUEST.decode()
    head, rest = request.split("<soapenv:Body>", 1)
    op, tail = rest.split("</soapenv:Body>", 1)
    return Plan("echo", head + "<soapenv:Body>", "</soapenv:Body>" + tail, [op])


FAR = date(9999, 12, 31)  # an open-ended line, as far as the plan is concerned


def lines_of(days: DaySet) -> list[list[date]]:
    """The key's lines as the plan expects the service to keep them (register.domain.periods, the
    rule's model), as [first, last] days, an open end as FAR."""
    return [[line.start, line.end or FAR] for line in days.lines()]


# ---------------------------------------------------------------------------------------------

MIX = (("touch", 0.35), ("overlap", 0.30), ("bridge", 0.10), ("gap", 0.15), ("inside", 0.10))


def make_register_plan(persons: list[tuple], dossier_types: list[str], size: int, header: str, seed: int = 7) -> Plan:
    """``size`` registerPerson calls: 70 % on a key not used before, 30 % on a recent key."""
    rng = random.Random(seed)
    persons = persons[:]
    rng.shuffle(persons)
    fresh = iter(sorted(((p, t) for p in persons for t in dossier_types), key=lambda _: rng.random()))
    state: dict[tuple, DaySet] = {}
    used: list[tuple] = []
    ops, keys = [], []
    kinds, weights = zip(*MIX, strict=True)
    day0 = date(2012, 1, 1)
    for _ in range(size):
        revisit = used and (rng.random() < 0.30 or len(used) >= len(persons) * len(dossier_types))
        kind = "new"
        if revisit:
            # a key from the recent past, but not so recent that its first call may still be in flight
            window = used[max(0, len(used) - 5000) : max(1, len(used) - 64)]
            key = rng.choice(window)
            lines = lines_of(state[key])
            kind = rng.choices(kinds, weights)[0]
            last = lines[-1]
            if kind == "bridge" and len(lines) < 2:
                kind = "touch"
            if last[1] >= FAR - timedelta(days=400) and kind in ("touch", "gap", "overlap"):
                kind = "inside"
            if kind == "touch":
                start = last[1] + timedelta(days=1)
                end = start + timedelta(days=rng.randrange(30, 240))
            elif kind == "overlap":
                start = last[0] + timedelta(days=rng.randrange(0, max(1, (last[1] - last[0]).days + 1)))
                end = last[1] + timedelta(days=rng.randrange(1, 240))
            elif kind == "bridge":
                start, end = lines[-2][1], lines[-1][0]
            elif kind == "gap":
                start = last[1] + timedelta(days=rng.randrange(2, 90))
                end = start + timedelta(days=rng.randrange(30, 240))
            else:  # inside: already covered, changes nothing
                line = rng.choice(lines)
                start = line[0] + timedelta(days=rng.randrange(0, max(1, (line[1] - line[0]).days // 2)))
                end = min(line[1], start + timedelta(days=rng.randrange(0, 60)))
            person = key[0]
        else:
            person, dossier_type = next(fresh)
            key = (person, dossier_type)
            start = day0 + timedelta(days=rng.randrange(0, 3650))
            end = None if rng.random() < 0.03 else start + timedelta(days=rng.randrange(30, 400))
            state[key] = DaySet()
            used.append(key)
        state[key] |= Period(start, None if end is None or end == FAR else end)
        identity = (person[2], person[4], person[5]) if rng.random() < 0.25 else None
        send_end = None if end is None or end == FAR else end
        ops.append(register_person(person[0], key[1], start, send_end, identity))
        keys.append((kind, person[0], key[1]))
    prefix, suffix = envelope_parts(header)
    return Plan("register", prefix, suffix, ops, keys)


def make_list_plan(register: Plan, done: int, header: str, seed: int = 11) -> Plan:
    """listRegistrations by ssin, over ssins registered in the first ``done`` calls."""
    ssins = list(dict.fromkeys(ssin for _, ssin, _ in register.keys[: max(done, SAMPLE)]))
    random.Random(seed).shuffle(ssins)
    prefix, suffix = envelope_parts(header)
    return Plan("list", prefix, suffix, [list_registrations(s) for s in ssins])
