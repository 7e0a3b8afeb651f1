"""Routing (CONTRACT.md sections 9 and 10): which institutions handle a person on a day, and may receive a flow.

The rule runs in PostgreSQL (register/adapters/sql/network.sql at ingestion,
routing.sql for RoutingService); this module is its executable specification,
which tests/integration/test_routing_rule.py checks the SQL against.

A record is routed on the end of its SSIN's replacement chain. A tenant is
concerned when, on the day of ingestion, it holds an authorization for the flow
valid that day and a line of that SSIN whose period contains the record's event
date and whose dossier type the authorization allows; its mutation carries those
lines' dossier types.

>>> from register.domain.flows import Authorization
>>> from register.domain.periods import Period
>>> lines = [Line("T1", "B", "SOCIAL", Period(date(2024, 1, 1))), Line("T2", "B", "SOCIAL", Period(date(2025, 1, 1)))]
>>> grants = [Authorization("T1", "DIMONA", "ref", date(2024, 1, 1)), Authorization("T2", "DIMONA", "ref", date(2024, 1, 1))]
>>> concerned("A", date(2024, 6, 1), date(2024, 6, 2), "DIMONA", lines, grants, {"A": "B"})
{'T1': ('SOCIAL',)}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from register.domain.flows import Authorization
from register.domain.periods import Period


@dataclass(frozen=True, slots=True)
class Line:
    tenant: str  # the tenant's BCE
    ssin: str
    dossier_type: str
    period: Period

    def contains(self, day: date) -> bool:
        return self.period.contains(Period(day, day))


def chain_end(ssin: str, replaced_by: Mapping[str, str]) -> str:
    """Where a chain of replacements (A -> B, then B -> C) ends: C."""
    seen = set()
    while ssin in replaced_by and ssin not in seen:
        seen.add(ssin)
        ssin = replaced_by[ssin]
    return ssin


def holders(ssin: str, day: date, lines: Iterable[Line], replaced_by: Mapping[str, str]) -> list[Line]:
    """findHolders: every tenant's line of the SSIN's chain end that contains ``day``, by tenant, type, start."""
    target = chain_end(ssin, replaced_by)
    found = [line for line in lines if line.ssin == target and line.contains(day)]
    return sorted(found, key=lambda line: (line.tenant, line.dossier_type, line.period.start))


def concerned(
    ssin: str,
    event_date: date,
    today: date,
    flow: str,
    lines: Iterable[Line],
    authorizations: Iterable[Authorization],
    replaced_by: Mapping[str, str],
) -> dict[str, tuple[str, ...]]:
    """Tenant -> the sorted dossier types of its lines that make it concerned by a record of ``flow``."""
    valid = {a.bce: a for a in authorizations if a.flow == flow and a.valid_on(today)}
    types: dict[str, set[str]] = {}
    for line in holders(ssin, event_date, lines, replaced_by):
        grant = valid.get(line.tenant)
        if grant is not None and grant.allows(line.dossier_type):
            types.setdefault(line.tenant, set()).add(line.dossier_type)
    return {tenant: tuple(sorted(found)) for tenant, found in sorted(types.items())}


@dataclass(frozen=True, slots=True)
class Holder:
    """findHolders' answer: a tenant's line of the person on the day."""

    bce: str
    dossier_type: str
    period: Period


# checkAuthorization's reasons (CONTRACT.md section 10)
AUTHORIZED, UNKNOWN_TENANT, NO_LINE, NO_FLOW_AUTHORIZATION = (
    "AUTHORIZED",
    "UNKNOWN_TENANT",
    "NO_LINE",
    "NO_FLOW_AUTHORIZATION",
)


@dataclass(frozen=True, slots=True)
class AuthorizationCheck:
    reason: str
    registrations: tuple  # register.domain.registration.Registration: the tenant's lines that qualify

    @property
    def authorized(self) -> bool:
        return self.reason == AUTHORIZED
