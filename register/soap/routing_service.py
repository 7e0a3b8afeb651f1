"""RoutingService (urn:be:raas:routing:v1): findHolders, checkAuthorization (CONTRACT.md section 10).

Its callers authenticate with a network credential (register.soap.application
gives this service the network's authenticator). Translation between SOAP and
the use cases (register.services.routing), nothing else.
"""

from __future__ import annotations

from spyne import Boolean, ComplexModel, ServiceBase, Unicode, rpc

from register.domain.routing import AUTHORIZED, NO_FLOW_AUTHORIZATION, NO_LINE, UNKNOWN_TENANT
from register.soap.context import call_of, services_of
from register.soap.namespaces import ROUTING
from register.soap.types import Code, OptionalCode, OptionalDate, Period, Ssin, list_of, named, required

Bce, _ = named(Unicode, "bce", ROUTING, pattern="[0-9]{10}")
_, OptionalFlow = named(Unicode, "flow", ROUTING, pattern="[A-Z][A-Z0-9_]{1,31}")
Reason, _ = named(Unicode, "reason", ROUTING, values=(AUTHORIZED, UNKNOWN_TENANT, NO_LINE, NO_FLOW_AUTHORIZATION))


class Holder(ComplexModel):
    """A tenant's line of the person on the day."""

    __namespace__ = ROUTING
    _type_info = [("bce", Bce), ("dossierType", Code), ("period", required(Period))]


class Registration(ComplexModel):
    """A line of the tenant that qualifies (on the end of the SSIN's replacement chain)."""

    __namespace__ = ROUTING
    _type_info = [("ssin", Ssin), ("dossierType", Code), ("period", required(Period))]


Holders = list_of(Holder, "holder")
Registrations = list_of(Registration, "registration")


def _period(period) -> Period:
    return Period(startDate=period.start, endDate=period.end)


class RoutingService(ServiceBase):
    @rpc(
        Ssin,
        OptionalDate,
        OptionalCode,
        _in_arg_names={"ssin": "ssin", "day": "date", "dossier_type": "dossierType"},
        _returns=Holders,
        _out_variable_name="holders",
    )
    def findHolders(ctx, ssin, day, dossier_type):
        found = services_of(ctx).routing.find_holders(call_of(ctx), ssin, day, dossier_type)
        return [Holder(bce=h.bce, dossierType=h.dossier_type, period=_period(h.period)) for h in found]

    @rpc(
        Bce,
        Ssin,
        OptionalDate,
        OptionalFlow,
        _in_arg_names={"bce": "bce", "ssin": "ssin", "day": "date", "flow": "flow"},
        _returns=(Boolean(min_occurs=1, nillable=False), Reason, Registrations),
        _out_variable_names=("authorized", "reason", "registrations"),
    )
    def checkAuthorization(ctx, bce, ssin, day, flow):
        check = services_of(ctx).routing.check_authorization(call_of(ctx), bce, ssin, day, flow)
        lines = [
            Registration(ssin=r.ssin, dossierType=r.dossier_type, period=_period(r.period)) for r in check.registrations
        ]
        return check.authorized, check.reason, lines
