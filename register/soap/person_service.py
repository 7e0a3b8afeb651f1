"""PersonService (urn:be:raas:person:v1): searchPersonByPhoneticCriteria, getPerson,
createBisNumber, updateBisPerson (CONTRACT.md section 4).

Translation between SOAP and the use cases (register.services.search and
register.services.persons), nothing else.
"""

from __future__ import annotations

from spyne import Boolean, ComplexModel, Double, Integer32, ServiceBase, Unicode, rpc

from register.domain.person import ADDRESS_PARTS, PersonIdentity
from register.domain.person import Address as AddressValue
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
    list_of,
    named,
    optional,
    required,
)

DEFAULT_MAX_RESULTS = 10

Score, _ = named(Double, "score", PERSON, ge=0, le=1)
_, Tolerance = named(Integer32, "tolerance", PERSON, ge=0)
_, MaxResults = named(Integer32, "maxResults", PERSON, ge=1, le=100)
Kind, _ = named(Unicode, "kind", PERSON, values=("NR", "BIS"))
Status, _ = named(Unicode, "status", PERSON, values=("ACTIVE", "REPLACED", "CANCELED"))


class SearchResult(ComplexModel):
    __namespace__ = PERSON
    _type_info = [
        ("ssin", Ssin),
        ("lastName", Text),
        ("firstName", Text),
        ("birthDate", IncompleteDate),
        ("gender", OptionalGender),
        ("score", Score),
    ]


SearchResults = list_of(SearchResult, "result")


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
    return AddressValue(**{attr: getattr(address, name) for name, attr in ADDRESS_PARTS}) if address else None


def _address_out(address: AddressValue | None) -> Address | None:
    return Address(**{name: getattr(address, attr) for name, attr in ADDRESS_PARTS}) if address else None


def _person_out(view: PersonView) -> Person:
    identity = view.identity
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
        address=_address_out(identity.address),
    )


class PersonService(ServiceBase):
    @rpc(
        Text,
        OptionalText,
        OptionalIncompleteDate,
        Tolerance,
        OptionalGender,
        MaxResults,
        _in_arg_names={
            "last_name": "lastName",
            "first_name": "firstName",
            "birth_date": "birthDate",
            "tolerance": "tolerance",
            "gender": "gender",
            "max_results": "maxResults",
        },
        _returns=SearchResults,
        _out_variable_name="results",
    )
    def searchPersonByPhoneticCriteria(ctx, last_name, first_name, birth_date, tolerance, gender, max_results):
        found = services_of(ctx).search.search(
            last_name,
            first_name,
            birth_date,
            tolerance or 0,
            gender,
            max_results or DEFAULT_MAX_RESULTS,
            call=call_of(ctx),
        )
        return [
            SearchResult(
                ssin=c.ssin,
                lastName=c.last_name,
                firstName=c.first_name,
                birthDate=c.birth_date,
                gender=c.gender,
                score=c.score,
            )
            for c in found
        ]

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
