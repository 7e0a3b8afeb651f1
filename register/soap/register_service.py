"""RegisterService (urn:be:raas:register:v1): translation between SOAP and the use cases, nothing else."""

from __future__ import annotations

from spyne import Boolean, ComplexModel, Integer32, ServiceBase, Unicode, rpc

from register.domain.identity import Identity as StatedIdentity
from register.soap.context import call_of, services_of
from register.soap.namespaces import REGISTER
from register.soap.types import (
    Code,
    Count,
    Identity,
    OptionalCode,
    OptionalSsin,
    Period,
    Ssin,
    Text,
    list_of,
    named,
    optional,
    required,
)


class Registration(ComplexModel):
    __namespace__ = REGISTER
    _type_info = [("ssin", Ssin), ("dossierType", Code), ("period", required(Period))]


class DossierType(ComplexModel):
    __namespace__ = REGISTER
    _type_info = [("code", Code), ("label", Text)]


Registrations = list_of(Registration, "registration")
DossierTypes = list_of(DossierType, "dossierType")
_, PageSize = named(Integer32, "pageSize", REGISTER, ge=1, le=1000)
_, PageToken = named(Unicode, "pageToken", REGISTER, min_len=1, max_len=512)


def _registration(found) -> Registration:
    return Registration(
        ssin=found.ssin,
        dossierType=found.dossier_type,
        period=Period(startDate=found.period.start, endDate=found.period.end),
    )


class RegisterService(ServiceBase):
    @rpc(
        Ssin,
        Code,
        required(Period),
        optional(Identity),
        _in_arg_names={"ssin": "ssin", "dossier_type": "dossierType", "period": "period", "identity": "identity"},
        _returns=(required(Registration), Count, Boolean(min_occurs=1, nillable=False)),
        _out_variable_names=("registration", "mergedCount", "changed"),
    )
    def registerPerson(ctx, ssin, dossier_type, period, identity):
        given = (
            StatedIdentity(identity.lastName, identity.firstName, identity.birthDate, identity.gender)
            if identity is not None
            else None
        )
        done = services_of(ctx).register.register_person(
            call_of(ctx), ssin, dossier_type, period.startDate, period.endDate, given
        )
        return _registration(done.registration), done.merged_count, done.changed

    @rpc(
        Ssin,
        Code,
        optional(Period),
        _in_arg_names={"ssin": "ssin", "dossier_type": "dossierType", "period": "period"},
        _returns=(Count, Count, Registrations),
        _out_variable_names=("deletedCount", "changedCount", "remaining"),
    )
    def unregisterPerson(ctx, ssin, dossier_type, period):
        done = services_of(ctx).register.unregister_person(
            call_of(ctx), ssin, dossier_type, *((period.startDate, period.endDate) if period else ())
        )
        remaining = [
            Registration(ssin=ssin, dossierType=dossier_type, period=Period(startDate=p.start, endDate=p.end))
            for p in done.remaining
        ]
        return done.deleted_count, done.changed_count, remaining

    @rpc(
        OptionalSsin,
        OptionalCode,
        optional(Period),
        PageSize,
        PageToken,
        _in_arg_names={
            "ssin": "ssin",
            "dossier_type": "dossierType",
            "period": "period",
            "page_size": "pageSize",
            "page_token": "pageToken",
        },
        _returns=(Registrations, PageToken),
        _out_variable_names=("registrations", "nextPageToken"),
    )
    def listRegistrations(ctx, ssin, dossier_type, period, page_size, page_token):
        page = services_of(ctx).register.list_registrations(
            call_of(ctx),
            ssin,
            dossier_type,
            *((period.startDate, period.endDate) if period else (None, None)),
            page_size=page_size,
            page_token=page_token,
        )
        return [_registration(found) for found in page.registrations], page.next_token

    @rpc(_returns=DossierTypes, _out_variable_name="dossierTypes")
    def listDossierTypes(ctx):
        return [
            DossierType(code=c, label=label) for c, label in services_of(ctx).register.list_dossier_types(call_of(ctx))
        ]
