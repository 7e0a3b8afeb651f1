"""A data subject's access request (CONTRACT.md section 8, 1.1): who holds a person, and who asked about them.

Across tenants, for an operator (`raas audit subject --ssin S`): every
tenant's lines of the ssin and of the ssins of its replacement chain, then
every audited call that involved any of them, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from register.adapters import subject_access
from register.adapters.subject_access import CallMade, Line


@dataclass(frozen=True)
class Report:
    ssins: list[str]  # the ssin asked for and its replacement chain
    lines: list[Line]
    calls: list[CallMade]


def report(engine: Engine, ssin: str) -> Report:
    ssins = subject_access.chain(engine, ssin)
    return Report(ssins, subject_access.lines(engine, ssins), subject_access.calls(engine, ssins))
