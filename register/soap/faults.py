"""SOAP faults as the contract publishes them (CONTRACT.md section 2).

Every fault leaving the server is built here: ``soapenv:Client.<Reason>`` or
``soapenv:Server.<Reason>``, a one-line English faultstring, and a
``{urn:be:raas:common:v1}FaultDetail``. Spyne cannot take a ComplexModel as
fault detail, so the detail element is built with lxml (DESIGN.md).
"""

from __future__ import annotations

import logging
import uuid

import psycopg
import psycopg_pool
import sqlalchemy.exc
from lxml.builder import ElementMaker
from spyne import Fault

from register.domain.errors import RegisterError
from register.soap.namespaces import COMMON

log = logging.getLogger("raas.soap")

# What the database driver, its pools and SQLAlchemy raise when the database is down, restarting,
# slow or out of connections: Server.Unavailable (a retry may succeed), never Server.Internal.
DATABASE_UNAVAILABLE = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
)
_E = ElementMaker(namespace=COMMON, nsmap={"c": COMMON})


class RaasFault(Fault):
    """A fault of the contract's table, with its FaultDetail."""

    def __init__(self, side: str, reason: str, message: str, information=(), diagnostic: str | None = None):
        detail = _E.FaultDetail(
            _E.reasonCode(reason),
            *([_E.diagnostic(diagnostic)] if diagnostic else []),
            *(_E.information(_E.fieldName(name), _E.fieldValue(value)) for name, value in information),
        )
        super().__init__(faultcode=f"{side}.{reason}", faultstring=message, detail=detail)
        self.reason = reason
        self.information = list(information)

    @classmethod
    def of(cls, error: RegisterError) -> RaasFault:
        return cls(error.side, error.reason, error.message, error.information)


def client(reason: str, message: str, **information: str) -> RaasFault:
    return RaasFault("Client", reason, message, information.items())


def unavailable() -> RaasFault:
    return RaasFault("Server", "Unavailable", "The service is temporarily unavailable; retry later.")


def internal(exc: BaseException) -> RaasFault:
    """Server.Internal: the traceback goes to the log under an incident id, never to the caller."""
    incident = uuid.uuid4().hex
    log.error("incident %s: %s", incident, type(exc).__name__, exc_info=exc)
    return RaasFault(
        "Server", "Internal", f"An unexpected error occurred (incident {incident}).", [("incidentId", incident)]
    )


def from_spyne(fault: Fault) -> RaasFault:
    """Spyne's own faults (raised before our code runs) in the contract's terms."""
    if isinstance(fault, RaasFault):
        return fault
    code = fault.faultcode or ""
    if code in ("Client.RequestTooLong", "Client.RequestTooLongError"):
        return client("RequestTooLarge", "The request body is larger than this service accepts.")
    if code.startswith("Client.ResourceNotFound") or code == "Client.SchemaValidationError":
        return client("SchemaValidationError", "The request does not conform to the WSDL schema.")
    if code.startswith("Client"):
        return client("MalformedRequest", "The request is not a well-formed SOAP 1.1 message.")
    return internal(fault)
