"""Errors as data.

Every refusal the register can give a client is a :class:`RegisterError` carrying the
contract's reason code (CONTRACT.md section 2), a one-line English message and
the ``information`` pairs a client switches on. The SOAP layer turns one into a
fault by reading these attributes; nothing else about the error is published.
:class:`AlreadyExists` and :class:`NotFound` are the operator's (the `raas` command's).
"""

from __future__ import annotations


class AlreadyExists(Exception):
    """An operator's command would create what exists already (a tenant, a username...)."""


class NotFound(Exception):
    """An operator's command names what does not exist."""


class RegisterError(Exception):
    """Base of every refusal; ``reason`` is the contract's ``<Reason>``."""

    reason = "Internal"
    side = "Client"  # "Client": the caller must change the request; "Server": a retry may succeed
    message = "The request was refused."

    def __init__(self, message: str | None = None, **information: str) -> None:
        self.message = message or self.message
        self.information: list[tuple[str, str]] = [(k, str(v)) for k, v in information.items()]
        super().__init__(self.message)

    @property
    def faultcode(self) -> str:
        return f"{self.side}.{self.reason}"


class BlankValue(RegisterError):
    """A required text of only spaces: the schema's minLength cannot see it, the contract does."""

    reason = "SchemaValidationError"
    message = "The request does not conform to the WSDL schema."


class InvalidSsin(RegisterError):
    reason = "InvalidSsin"
    message = "The SSIN has wrong check digits or an impossible birth date."


class InvalidDate(RegisterError):
    reason = "InvalidDate"
    message = "The date cannot exist."


class InvalidPeriod(RegisterError):
    reason = "InvalidPeriod"
    message = "The period ends before it starts or lies outside 1900-01-01..9999-12-31."


class InvalidBce(RegisterError):
    reason = "InvalidBce"  # CLI only: never sent as a SOAP fault
    message = "The BCE/KBO number is not valid."


class UnknownSsin(RegisterError):
    reason = "UnknownSsin"
    message = "The SSIN is not known to the authentic source."


class ReplacedSsin(RegisterError):
    reason = "ReplacedSsin"
    message = "The SSIN was replaced by another one."


class CanceledSsin(RegisterError):
    reason = "CanceledSsin"
    message = "The SSIN was canceled."


class UnknownDossierType(RegisterError):
    reason = "UnknownDossierType"
    message = "The dossier type is not defined for this tenant."


class InvalidPageToken(RegisterError):
    reason = "InvalidPageToken"
    message = "The page token was not issued for this query."


class IdentityMismatch(RegisterError):
    reason = "IdentityMismatch"
    message = "The identity given differs from the authentic source."

    def __init__(self, mismatches: list[tuple[str, str]]) -> None:
        super().__init__()
        self.information = list(mismatches)


class NotAuthorized(RegisterError):
    reason = "NotAuthorized"
    message = "The SSIN is not in the caller's register."


class UnknownFlow(RegisterError):
    reason = "UnknownFlow"
    message = "The flow is neither a register flow nor a defined network flow."


class NotABisNumber(RegisterError):
    reason = "NotABisNumber"
    message = "The SSIN is a national register number; only BIS numbers can be updated here."


class PossibleDuplicate(RegisterError):
    reason = "PossibleDuplicate"
    message = "The person may exist already; send force=true to create a BIS number all the same."

    def __init__(self, candidates: list[str]) -> None:
        super().__init__()
        self.information = [("ssin", ssin) for ssin in candidates]


class UnknownDelivery(RegisterError):
    reason = "UnknownDelivery"
    message = "No delivery of this tenant has that file name."


class RateLimited(RegisterError):
    """(1.1) The tenant has used up its search quota; ``retryAfterSeconds``: whole seconds, at least 1."""

    reason = "RateLimited"
    message = "The search quota is used up; retry later."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"The search quota is used up; retry in {retry_after_seconds} s.", retryAfterSeconds=retry_after_seconds
        )


class Authentication(RegisterError):
    reason = "Authentication"
    message = "Authentication failed."


class Unavailable(RegisterError):
    reason = "Unavailable"
    side = "Server"
    message = "The service is temporarily unavailable; retry later."
