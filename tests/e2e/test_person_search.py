"""searchPersonByPhoneticCriteria end to end: the real server, called with zeep (strict) at
/ws/PersonService, and with raw envelopes for what zeep would refuse to send."""

from __future__ import annotations

import json
import subprocess

import pytest
import zeep
import zeep.wsse.username
from zeep.exceptions import Fault

from tests.e2e.helpers import SOAP_ENV, assert_fault, assert_raw_fault, post, security_header
from tests.e2e.test_node_soap import NODE_DIR, node_soap  # noqa: F401 - the fixture, where node is installed
from tests.integration.helpers import audit_rows

PERSON = "urn:be:raas:person:v1"


@pytest.fixture
def endpoint(server) -> str:
    return f"{server.base}/ws/PersonService"


@pytest.fixture
def person_client(server, endpoint, world):
    """A tenant's credential and a strict zeep client of PersonService."""
    bce = world.tenant("A")
    username, password = world.client(bce)
    client = zeep.Client(
        f"{endpoint}?wsdl",
        wsse=zeep.wsse.username.UsernameToken(username, password),
        settings=zeep.Settings(strict=True),
    )
    client.credentials = (username, password)
    yield client
    client.transport.session.close()


@pytest.fixture
def population(world) -> dict[str, str]:
    return {
        "vandenbroeck": world.person("Van den Broeck", "Jean-Pierre", "1985-07-30", "M"),
        "dhondt": world.person("D'Hondt", "Marie", "1990-02-00", "F"),
        "peeters": world.person("Peeters", "Jan", "1985-07-30", "M"),
        "pieters": world.person("Pieters", "Jan", "1985-07-30", None),
    }


def _envelope(body: str, username: str, password: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:p="{PERSON}">'
        f"<soapenv:Header>{security_header(username, password)}</soapenv:Header>"
        f"<soapenv:Body><p:searchPersonByPhoneticCriteria>{body}</p:searchPersonByPhoneticCriteria></soapenv:Body>"
        "</soapenv:Envelope>"
    )


def test_a_search_answers_the_best_candidates_first(person_client, population):
    results = person_client.service.searchPersonByPhoneticCriteria(
        lastName="VANDENBROEK", firstName="Jean Pierre", birthDate="1985-07-30"
    )
    best = results[0]
    assert (best.ssin, best.lastName, best.firstName, best.birthDate, best.gender) == (
        population["vandenbroeck"],
        "Van den Broeck",
        "Jean-Pierre",
        "1985-07-30",
        "M",
    )
    assert 0.9 <= best.score <= 1


def test_swapped_names_typos_and_incomplete_dates_are_found(person_client, population):
    service = person_client.service
    assert service.searchPersonByPhoneticCriteria(lastName="Marie", firstName="Dhondt")[0].ssin == population["dhondt"]
    found = service.searchPersonByPhoneticCriteria(lastName="Peetrs", firstName="Jan", birthDate="1985-07-00")
    assert found[0].ssin == population["peeters"]
    found = service.searchPersonByPhoneticCriteria(lastName="D Hondt", birthDate="1990-02-14")
    assert [r.ssin for r in found] == [population["dhondt"]]


def test_an_unknown_gender_is_absent_and_the_gender_filter_applies(person_client, population):
    found = person_client.service.searchPersonByPhoneticCriteria(lastName="Pieters", firstName="Jan", gender="F")
    assert [(r.ssin, r.gender) for r in found] == [(population["pieters"], None)]


def test_tolerance_counts_in_the_dates_unit(person_client, population):
    service = person_client.service
    assert service.searchPersonByPhoneticCriteria(lastName="Van den Broeck", birthDate="1985-08-02") is None
    found = service.searchPersonByPhoneticCriteria(lastName="Van den Broeck", birthDate="1985-08-02", tolerance=3)
    assert found[0].ssin == population["vandenbroeck"]
    found = service.searchPersonByPhoneticCriteria(lastName="Van den Broeck", birthDate="1986-00-00", tolerance=1)
    assert found[0].ssin == population["vandenbroeck"]


def test_no_match_is_an_empty_results_wrapper(endpoint, person_client, population):
    answer = post(endpoint, _envelope("<p:lastName>Wouters</p:lastName>", *person_client.credentials))
    assert answer.status_code == 200
    assert b"<tns:results/>" in answer.content or b"results/>" in answer.content, answer.content


def test_max_results_defaults_to_ten_and_limits(world, person_client):
    for day in range(1, 13):
        world.person("Peeters", "Jan", f"1985-07-{day:02d}", "M")
    service = person_client.service
    assert len(service.searchPersonByPhoneticCriteria(lastName="Peeters")) == 10
    assert len(service.searchPersonByPhoneticCriteria(lastName="Peeters", maxResults=3)) == 3
    assert len(service.searchPersonByPhoneticCriteria(lastName="Peeters", maxResults=100)) == 12


def test_each_search_is_audited_with_the_ssins_it_returned(world, person_client, population):
    found = person_client.service.searchPersonByPhoneticCriteria(lastName="Peeters", firstName="Jan")
    (row,) = [r for r in audit_rows(world.engine) if r.operation == "searchPersonByPhoneticCriteria"]
    assert row.outcome == "OK" and row.username == person_client.credentials[0] and row.request_id
    assert row.ssins == [r.ssin for r in found]


@pytest.mark.parametrize("birth_date", ["2021-02-30", "1985-13-01", "1985-00-05"])
def test_an_impossible_birth_date_is_invalid_date(world, person_client, population, birth_date):
    with pytest.raises(Fault) as exc:
        person_client.service.searchPersonByPhoneticCriteria(lastName="Peeters", birthDate=birth_date)
    assert_fault(exc, "InvalidDate", [("birthDate", birth_date)])
    assert [r.outcome for r in audit_rows(world.engine)] == ["Client.InvalidDate"]


@pytest.mark.parametrize(
    "body",
    [
        "<p:firstName>Jan</p:firstName>",  # no lastName
        "<p:lastName></p:lastName>",
        "<p:lastName>Peeters</p:lastName><p:birthDate>1985-7-30</p:birthDate>",
        "<p:lastName>Peeters</p:lastName><p:tolerance>-1</p:tolerance>",
        "<p:lastName>Peeters</p:lastName><p:tolerance>many</p:tolerance>",
        "<p:lastName>Peeters</p:lastName><p:gender>X</p:gender>",
        "<p:lastName>Peeters</p:lastName><p:maxResults>0</p:maxResults>",
        "<p:lastName>Peeters</p:lastName><p:maxResults>101</p:maxResults>",
        "<p:lastName>Peeters</p:lastName><p:shoeSize>44</p:shoeSize>",
    ],
)
def test_a_request_outside_the_schema_is_a_schema_validation_error(endpoint, person_client, population, body):
    assert_raw_fault(post(endpoint, _envelope(body, *person_client.credentials)), "SchemaValidationError")


def test_a_wrong_password_is_an_authentication_fault_before_the_schema(endpoint, person_client, population):
    username, _ = person_client.credentials
    answer = post(endpoint, _envelope("<p:maxResults>0</p:maxResults>", username, "wrong password!"))
    assert_raw_fault(answer, "Authentication")


def test_a_search_without_credentials_is_refused(server, endpoint, population):
    client = zeep.Client(f"{endpoint}?wsdl", settings=zeep.Settings(strict=True))
    try:
        with pytest.raises(Fault) as exc:
            client.service.searchPersonByPhoneticCriteria(lastName="Peeters")
    finally:
        client.transport.session.close()
    assert_fault(exc, "Authentication")


def test_node_soap_searches_without_warnings(node_soap, endpoint, person_client, population):  # noqa: F811
    username, password = person_client.credentials
    done = subprocess.run(
        [str(node_soap), "search.js", f"{endpoint}?wsdl", username, password],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["warnings"] == []
    result = out["search"]["result"]["results"]["result"]
    best = result[0] if isinstance(result, list) else result  # node-soap gives one item as an object
    assert (best["ssin"], best["lastName"], best["birthDate"]) == (
        population["vandenbroeck"],
        "Van den Broeck",
        "1985-07-30",
    )
    assert out["invalidDate"]["fault"]["faultcode"] == "soapenv:Client.InvalidDate"
