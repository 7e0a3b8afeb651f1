"""A registration: one line of a tenant's register, an SSIN held in a dossier type over a period.

The same concept everywhere: the table ``registration``, the repository
``register.adapters.registrations.Registrations``, the SOAP type
``Registration`` of RegisterService. How lines merge and split is the rule of
register/adapters/sql/periods.sql (modelled by ``register.domain.periods.DaySet``).
"""

from __future__ import annotations

from dataclasses import dataclass

from register.domain.periods import Period


@dataclass(frozen=True, slots=True)
class Registration:
    ssin: str
    dossier_type: str
    period: Period


@dataclass(frozen=True, slots=True)
class Registered:
    """registerPerson's answer: the line now covering the period, the lines it absorbed."""

    registration: Registration
    merged_count: int  # stored lines absorbed into it; 0 when nothing changed
    changed: bool  # False: the period was already covered


@dataclass(frozen=True, slots=True)
class Unregistered:
    """unregisterPerson's answer."""

    deleted_count: int  # lines removed whole
    changed_count: int  # lines shortened or split
    remaining: tuple[Period, ...]  # the key's lines left, in order
