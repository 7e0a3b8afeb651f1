"""PersonService end to end: the real `raas serve`, called with zeep (strict), for getPerson,
createBisNumber and updateBisPerson and their faults (CONTRACT.md section 4; the search:
test_person_search.py; the WSDL: test_wsdl.py)."""

from __future__ import annotations

from datetime import date

import pytest
import zeep
from sqlalchemy import text
from stdnum.be import bis as stdnum_bis
from zeep.exceptions import Fault

from tests.conftest import new_ssin, wrong_check_digits
from tests.e2e.helpers import COMMON

PERSON = "urn:be:raas:person:v1"
COMMITTED_ADDRESS = "http://127.0.0.1:8000/ws/PersonService"


@pytest.fixture
def person_client(world, make_client, server):
    """(person service, register service, bce) of a new tenant with dossier types A and B."""
    bce = world.tenant("A", "B")
    username, password = world.client(bce)
    register = make_client(username, password)
    wsse = zeep.wsse.username.UsernameToken(username, password)
    client = zeep.Client(f"{server.base}/ws/PersonService?wsdl", wsse=wsse, settings=zeep.Settings(strict=True))
    yield client.service, register.service, bce
    client.transport.session.close()


def fault_of(call, *args, **kwargs) -> tuple[str, str, list[tuple[str, str]]]:
    """(faultcode, reasonCode, information) of a call that must fail."""
    with pytest.raises(Fault) as raised:
        call(*args, **kwargs)
    fault = raised.value
    detail = fault.detail.find(f"{{{COMMON}}}FaultDetail")
    information = [
        (node.findtext(f"{{{COMMON}}}fieldName"), node.findtext(f"{{{COMMON}}}fieldValue"))
        for node in detail.iterfind(f"{{{COMMON}}}information")
    ]
    return fault.code, detail.findtext(f"{{{COMMON}}}reasonCode"), information


def _rows(world, query: str, **params) -> list:
    with world.engine.connect() as conn:
        return conn.execute(text(query), params).all()


# --- getPerson ----------------------------------------------------------------------------------


def test_get_person_answers_a_registered_person(person_client, world):
    persons, register, _ = person_client
    ssin = world.person("Van den Broeck", "Éloïse", "1985-07-00", "F", nationality="BE")
    register.registerPerson(ssin=ssin, dossierType="A", period={"startDate": date(2024, 1, 1)})
    found = persons.getPerson(ssin=ssin)
    assert (found.ssin, found.kind, found.status, found.replacedBy) == (ssin, "NR", "ACTIVE", None)
    assert (found.lastName, found.firstName, found.birthDate, found.gender, found.nationality) == (
        "Van den Broeck", "Éloïse", "1985-07-00", "F", "BE",
    )  # fmt: skip
    assert found.address is None and found.deathDate is None


def test_get_person_of_a_replaced_ssin_is_an_answer_not_a_fault(person_client, world):
    persons, register, _ = person_client
    old, new = world.person(), world.person()
    register.registerPerson(ssin=new, dossierType="A", period={"startDate": date(2024, 1, 1)})
    world.set_status(old, "REPLACED", new)
    found = persons.getPerson(ssin=old)
    assert (found.status, found.replacedBy) == ("REPLACED", new)


def test_get_person_faults(person_client, world):
    persons, _, _ = person_client
    valid = world.person()
    bad = wrong_check_digits(valid)
    assert fault_of(persons.getPerson, ssin=bad) == ("soapenv:Client.InvalidSsin", "InvalidSsin", [("ssin", bad)])
    unknown = new_ssin()
    assert fault_of(persons.getPerson, ssin=unknown)[1:] == ("UnknownSsin", [("ssin", unknown)])
    assert fault_of(persons.getPerson, ssin=valid)[1:] == ("NotAuthorized", [("ssin", valid)])
    assert fault_of(persons.getPerson, ssin="123")[1] == "SchemaValidationError"
    faults = _rows(world, "SELECT operation, outcome FROM audit WHERE outcome <> 'OK' ORDER BY id")
    assert [tuple(f) for f in faults][-3:] == [
        ("getPerson", "Client.UnknownSsin"), ("getPerson", "Client.NotAuthorized"),
        ("getPerson", "Client.SchemaValidationError"),
    ]  # fmt: skip


def test_a_wrong_password_is_an_authentication_fault(make_client, server):
    client = zeep.Client(
        f"{server.base}/ws/PersonService?wsdl",
        wsse=zeep.wsse.username.UsernameToken("nobody", "wrong password"),
        settings=zeep.Settings(strict=True),
    )
    try:
        assert fault_of(client.service.getPerson, ssin="85073003328")[1] == "Authentication"
    finally:
        client.transport.session.close()


# --- createBisNumber ----------------------------------------------------------------------------


def test_create_bis_number_answers_a_valid_new_bis_number_and_its_person(person_client, world):
    persons, _, bce = person_client
    answer = persons.createBisNumber(
        lastName="Nowak",
        firstName="Zofia",
        birthDate="1990-03-00",
        gender="F",
        nationality="PL",
        birthPlace="Kraków",
        address={"street": "Kerkstraat", "houseNumber": "12", "postalCode": "9000", "municipality": "Gent"},
    )
    assert stdnum_bis.is_valid(answer.ssin) and answer.ssin[:4] == "9043"
    person = answer.person
    assert (person.ssin, person.kind, person.status, person.birthPlace) == (answer.ssin, "BIS", "ACTIVE", "Kraków")
    assert (person.address.street, person.address.municipality, person.address.box) == ("Kerkstraat", "Gent", None)
    stored = _rows(world, "SELECT kind, last_name, birth_date FROM person WHERE ssin = :s", s=answer.ssin)
    assert [tuple(r) for r in stored] == [("BIS", "Nowak", "1990-03-00")]


def test_create_bis_number_refuses_a_possible_duplicate_unless_forced(person_client, world):
    persons, _, _ = person_client
    existing = world.person("D'Hondt", "Marie-Claire", "1970-05-04", "F")
    code, reason, information = fault_of(
        persons.createBisNumber, lastName="DHONDT", firstName="marie claire", birthDate="1970-05-00"
    )
    assert (code, reason, information) == (
        "soapenv:Client.PossibleDuplicate",
        "PossibleDuplicate",
        [("ssin", existing)],
    )
    audited = _rows(world, "SELECT operation, ssins, outcome FROM audit ORDER BY id DESC LIMIT 1")
    assert [tuple(a) for a in audited] == [("createBisNumber", [existing], "Client.PossibleDuplicate")]
    forced = persons.createBisNumber(lastName="DHONDT", firstName="marie claire", birthDate="1970-05-00", force=True)
    assert forced.ssin[:6] == "702500" and forced.ssin != existing


def test_create_bis_number_refuses_a_blank_name_as_a_schema_error(person_client):
    persons, _, _ = person_client
    code, reason, information = fault_of(persons.createBisNumber, lastName="  ", firstName="B", birthDate="2001-02-03")
    assert (reason, information) == ("SchemaValidationError", [("element", "lastName")])


def test_create_bis_number_refuses_an_impossible_birth_date(person_client):
    persons, _, _ = person_client
    code, reason, information = fault_of(persons.createBisNumber, lastName="A", firstName="B", birthDate="2021-02-30")
    assert (reason, information) == ("InvalidDate", [("birthDate", "2021-02-30")])


# --- updateBisPerson ----------------------------------------------------------------------------


def test_update_bis_person_changes_the_identity_and_journals_it(person_client, world):
    persons, register, _ = person_client
    created = persons.createBisNumber(lastName="Nowak", firstName="Ania", birthDate="1985-07-30", gender="F")
    register.registerPerson(ssin=created.ssin, dossierType="A", period={"startDate": date(2024, 1, 1)})
    person = persons.updateBisPerson(ssin=created.ssin, firstName="Anna", address={"municipality": "Gent"})
    assert (person.firstName, person.lastName, person.address.municipality) == ("Anna", "Nowak", "Gent")
    journal = _rows(world, "SELECT flow, ssin, changes FROM journal ORDER BY sequence")
    assert [tuple(r) for r in journal] == [
        (
            "IDENTITY_CHANGED",
            created.ssin,
            [{"name": "firstName", "old": "Ania", "new": "Anna"}, {"name": "address.municipality", "new": "Gent"}],
        )
    ]


def test_update_bis_person_faults(person_client, world):
    persons, register, _ = person_client
    national = world.person()
    register.registerPerson(ssin=national, dossierType="A", period={"startDate": date(2024, 1, 1)})
    outsider = persons.createBisNumber(lastName="Nowak", firstName="Ania", birthDate="1985-07-30", gender="F")
    assert fault_of(persons.updateBisPerson, ssin=national, lastName="X")[1:] == ("NotABisNumber", [("ssin", national)])
    assert fault_of(persons.updateBisPerson, ssin=outsider.ssin, lastName="X")[1:] == (
        "NotAuthorized", [("ssin", outsider.ssin)],
    )  # fmt: skip
    replacement = world.person()
    world.set_status(outsider.ssin, "REPLACED", replacement)
    assert fault_of(persons.updateBisPerson, ssin=outsider.ssin, lastName="X")[1:] == (
        "ReplacedSsin", [("ssin", outsider.ssin), ("replacedBy", replacement)],
    )  # fmt: skip
    assert fault_of(persons.updateBisPerson, ssin=national, gender="X")[1] == "SchemaValidationError"
