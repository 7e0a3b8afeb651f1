"""PersonService's searchPersonByPhoneticCriteria (urn:be:raas:person:v1, CONTRACT.md section 4):
translation between SOAP and register.services.search, nothing else.

The other PersonService operations live in register/soap/person_service.py;
both classes are served together at /ws/PersonService (register.soap.application).
"""

from __future__ import annotations

from spyne import ComplexModel, Double, Integer32, ServiceBase, rpc

from register.soap.context import call_of, services_of
from register.soap.namespaces import PERSON
from register.soap.types import (
    IncompleteDate,
    OptionalGender,
    OptionalIncompleteDate,
    OptionalText,
    Ssin,
    Text,
    list_of,
    named,
)

DEFAULT_MAX_RESULTS = 10


Score, _ = named(Double, "score", PERSON, ge=0, le=1)


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
_, Tolerance = named(Integer32, "tolerance", PERSON, ge=0)
_, MaxResults = named(Integer32, "maxResults", PERSON, ge=1, le=100)


class PersonSearchService(ServiceBase):
    __service_name__ = "PersonService"  # the WSDL's service, shared with register.soap.person_service

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
