"""PersonService (urn:be:raas:person:v1): getPerson, createBisNumber, updateBisPerson.

Translation between SOAP and the use cases (register.services.persons), nothing
else. The phonetic search, served at the same endpoint, lives in
person_search_service.py.
"""

from __future__ import annotations

from spyne import Boolean, ComplexModel, ServiceBase, Unicode, rpc

from register.domain.person import Address as AddressValue
from register.domain.person import PersonIdentity
from register.services.persons import PersonView
from register.soap.context import call_of, services_of
from register.soap.namespaces import PERSON
from register.soap.types import (
    Address,
    IncompleteDate,
    OptionalDate,
    OptionalGender,
    OptionalIncompleteDate,
    OptionalSsin,
    OptionalText,
    Ssin,
    Text,
    named,
    optional,
    required,
)

Kind, _ = named(Unicode, "kind", PERSON, values=("NR", "BIS"))
Status, _ = named(Unicode, "status", PERSON, values=("ACTIVE", "REPLACED", "CANCELED"))


class Person(ComplexModel):
    __namespace__ = PERSON
    _type_info = [
        ("ssin", Ssin),
        ("kind", Kind),
        ("status", Status),
        ("replacedBy", OptionalSsin),
        ("lastName", Text),
        ("firstName", Text),
        ("birthDate", IncompleteDate),
        ("gender", OptionalGender),
        ("deathDate", OptionalDate),
        ("nationality", OptionalText),
        ("birthPlace", OptionalText),
        ("address", optional(Address)),
    ]


def _address_in(address: Address | None) -> AddressValue | None:
    if address is None:
        return None
    return AddressValue(
        address.street, address.houseNumber, address.box, address.postalCode, address.municipality, address.country
    )


def _person_out(view: PersonView) -> Person:
    identity = view.identity
    address = identity.address
    return Person(
        ssin=view.ssin,
        kind=view.kind,
        status=view.status,
        replacedBy=view.replaced_by,
        lastName=identity.last_name,
        firstName=identity.first_name,
        birthDate=identity.birth_date,
        gender=identity.gender,
        deathDate=identity.death_date,
        nationality=identity.nationality,
        birthPlace=view.birth_place,
        address=Address(
            street=address.street,
            houseNumber=address.house_number,
            box=address.box,
            postalCode=address.postal_code,
            municipality=address.municipality,
            country=address.country,
        )
        if address
        else None,
    )


class PersonService(ServiceBase):
    @rpc(Ssin, _in_arg_names={"ssin": "ssin"}, _returns=required(Person), _out_variable_name="person")
    def getPerson(ctx, ssin):
        return _person_out(services_of(ctx).persons.get_person(call_of(ctx), ssin))

    @rpc(
        Text,
        Text,
        IncompleteDate,
        OptionalGender,
        OptionalText,
        OptionalText,
        optional(Address),
        Boolean(min_occurs=0, nillable=False),
        _in_arg_names={
            "last_name": "lastName",
            "first_name": "firstName",
            "birth_date": "birthDate",
            "gender": "gender",
            "nationality": "nationality",
            "birth_place": "birthPlace",
            "address": "address",
            "force": "force",
        },
        _returns=(Ssin, required(Person)),
        _out_variable_names=("ssin", "person"),
    )
    def createBisNumber(ctx, last_name, first_name, birth_date, gender, nationality, birth_place, address, force):
        identity = PersonIdentity(last_name, first_name, birth_date, gender, nationality, address=_address_in(address))
        view = services_of(ctx).persons.create_bis_number(call_of(ctx), identity, birth_place, bool(force))
        return view.ssin, _person_out(view)

    @rpc(
        Ssin,
        OptionalText,
        OptionalText,
        OptionalIncompleteDate,
        OptionalGender,
        OptionalText,
        optional(Address),
        _in_arg_names={
            "ssin": "ssin",
            "last_name": "lastName",
            "first_name": "firstName",
            "birth_date": "birthDate",
            "gender": "gender",
            "nationality": "nationality",
            "address": "address",
        },
        _returns=required(Person),
        _out_variable_name="person",
    )
    def updateBisPerson(ctx, ssin, last_name, first_name, birth_date, gender, nationality, address):
        view = services_of(ctx).persons.update_bis_person(
            call_of(ctx),
            ssin,
            address=_address_in(address),
            last_name=last_name,
            first_name=first_name,
            birth_date=birth_date,
            gender=gender,
            nationality=nationality,
        )
        return _person_out(view)
