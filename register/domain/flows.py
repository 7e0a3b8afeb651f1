"""Flows of mutations (CONTRACT.md sections 5 and 9) and the authorizations that open network flows.

The register's own two flows every tenant may take. Network flows are defined by
the operator (`raas flow define`); a tenant takes one only under an authorization
(`raas authorization grant`) valid on the day, for the dossier types it names (none
named: all of the tenant's).

>>> is_flow_code("DIMONA"), is_flow_code("D"), is_flow_code("dimona")
(True, False, False)
>>> a = Authorization("0203040596", "DIMONA", "SCSZ/24/001", date(2024, 1, 1), date(2024, 12, 31), ("SOCIAL",))
>>> a.valid_on(date(2024, 12, 31)), a.valid_on(date(2025, 1, 1)), a.allows("SOCIAL"), a.allows("PENSION")
(True, False, True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

SSIN_REPLACED = "SSIN_REPLACED"
IDENTITY_CHANGED = "IDENTITY_CHANGED"
REGISTER_FLOWS = (SSIN_REPLACED, IDENTITY_CHANGED)

REGISTER, NETWORK = "REGISTER", "NETWORK"  # a flow's kind (listFlows)

# A flow's code (CONTRACT.md section 5: v1's enumeration widened to a pattern), a record's kind, and
# the lengths section 9 gives an authorization's reference and a record's reference.
FLOW_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,31}")
RECORD_KIND = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
MAX_AUTHORIZATION_REFERENCE = 100
MAX_RECORD_REFERENCE = 64


def is_flow_code(code: str) -> bool:
    return FLOW_CODE.fullmatch(code) is not None


def is_register_flow(code: str) -> bool:
    return code in REGISTER_FLOWS


@dataclass(frozen=True, slots=True)
class Flow:
    code: str
    label: str
    kind: str  # REGISTER | NETWORK
    payload_schema: str | None = None  # the XSD every payload must satisfy (network flows only)


@dataclass(frozen=True, slots=True)
class Authorization:
    """Lets one tenant receive one network flow, both days inclusive (no end: open-ended)."""

    bce: str
    flow: str
    reference: str  # the committee's deliberation
    valid_from: date
    valid_to: date | None = None
    dossier_types: tuple[str, ...] | None = None  # None: every dossier type of the tenant

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def ended_before(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day

    def allows(self, dossier_type: str) -> bool:
        return self.dossier_types is None or dossier_type in self.dossier_types


@dataclass(frozen=True, slots=True)
class FlowOffer:
    """listFlows' item: a flow the tenant may take, and for a network flow the authorization that opens it."""

    code: str
    label: str
    kind: str
    authorization: Authorization | None = None
