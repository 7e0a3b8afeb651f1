"""RegisterService's use cases: register, unregister, list lines, list dossier types.

Checks run in the contract's order (CONTRACT.md section 2): the SSIN's shape
and check digits, then whether the authentic source knows it (Unknown,
Replaced, Canceled), then the rest. A call that passes the pure checks costs
one database statement, which also applies the source and dossier-type checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from register.adapters.registrations import Outcome, Registrations
from register.domain import errors, names
from register.domain import ssin as ssins
from register.domain.calls import Call
from register.domain.dates import IncompleteDate
from register.domain.identity import Identity
from register.domain.periods import Period
from register.domain.registration import Registered, Registration, Unregistered
from register.services.paging import PageTokens

DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page:
    registrations: list[Registration]
    next_token: str | None


class RegisterService:
    def __init__(self, registrations: Registrations, tokens: PageTokens) -> None:
        self._registrations = registrations
        self._tokens = tokens

    def register_person(
        self,
        call: Call,
        ssin: str,
        dossier_type: str,
        start: date,
        end: date | None,
        identity: Identity | None = None,
    ) -> Registered:
        ssin = ssins.validate(ssin)
        identity = identity or Identity()
        try:
            period = Period.of(start, end)
            birth_date = str(IncompleteDate.parse(identity.birth_date)) if identity.birth_date else None
        except errors.RegisterError as refusal:
            self._raise_source_refusal_before(refusal, ssin, allow_canceled=False)
        result = self._registrations.merge(
            call,
            ssin,
            dossier_type,
            period,
            last_name_key=_key(identity.last_name),
            first_name_key=_key(identity.first_name),
            birth_date=birth_date,
            gender=identity.gender,
        )
        if isinstance(result, Outcome):
            raise _refusal(result, ssin, dossier_type, identity)
        return result

    def unregister_person(
        self, call: Call, ssin: str, dossier_type: str, start: date | None = None, end: date | None = None
    ) -> Unregistered:
        ssin = ssins.validate(ssin)
        try:
            period = Period.of(start, end) if start is not None else None
        except errors.RegisterError as refusal:
            self._raise_source_refusal_before(refusal, ssin, allow_canceled=True)
        result = self._registrations.remove(call, ssin, dossier_type, period)
        if isinstance(result, Outcome):
            raise _refusal(result, ssin, dossier_type)
        return result

    def list_registrations(
        self,
        call: Call,
        ssin: str | None = None,
        dossier_type: str | None = None,
        start: date | None = None,
        end: date | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> Page:
        ssin = ssins.validate(ssin) if ssin is not None else None
        period = Period.of(start, end) if start is not None else None
        page_size = page_size or DEFAULT_PAGE_SIZE
        query = (call.tenant_id, ssin, dossier_type, period)
        after = self._tokens.read(query, page_token) if page_token else None
        found = self._registrations.find(
            call, ssin=ssin, dossier_type=dossier_type, period=period, after=after, limit=page_size + 1
        )
        if len(found) <= page_size:
            return Page(found, None)
        last = found[page_size - 1]
        return Page(found[:page_size], self._tokens.issue(query, (last.ssin, last.dossier_type, last.period.start)))

    def list_dossier_types(self, call: Call) -> list[tuple[str, str]]:
        return self._registrations.dossier_types(call)

    def _raise_source_refusal_before(self, refusal: errors.RegisterError, ssin: str, *, allow_canceled: bool):
        """A source refusal (Unknown/Replaced/Canceled) comes before the remaining checks' refusal."""
        outcome = self._registrations.person_refusal(ssin, allow_canceled=allow_canceled)
        if outcome.reason:
            raise _refusal(outcome, ssin) from None
        raise refusal


def _key(name: str | None) -> str | None:
    return names.normalise(name) if name is not None else None


def _refusal(
    outcome: Outcome, ssin: str, dossier_type: str | None = None, identity: Identity | None = None
) -> errors.RegisterError:
    match outcome.reason:
        case "UnknownSsin":
            return errors.UnknownSsin(ssin=ssin)
        case "ReplacedSsin":
            return errors.ReplacedSsin(
                f"The SSIN was replaced by {outcome.info[0]}.", ssin=ssin, replacedBy=outcome.info[0]
            )
        case "CanceledSsin":
            return errors.CanceledSsin(ssin=ssin)
        case "UnknownDossierType":
            return errors.UnknownDossierType(dossierType=dossier_type)
        case "IdentityMismatch":
            sent = {
                "lastName": identity.last_name,
                "firstName": identity.first_name,
                "birthDate": identity.birth_date,
                "gender": identity.gender,
            }
            return errors.IdentityMismatch([(field, sent[field]) for field in outcome.info])
    raise AssertionError(f"unexpected outcome {outcome.reason}")
