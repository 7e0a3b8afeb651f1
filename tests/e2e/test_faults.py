"""The faults of CONTRACT.md section 2 as a SOAP client sees them, and the order of the checks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from zeep.exceptions import Fault

from tests.conftest import new_ssin
from tests.e2e.helpers import (
    PASSWORD_DIGEST,
    SOAP_ENV,
    assert_fault,
    assert_raw_fault,
    envelope,
    information_of,
    post,
    register_body,
    security_header,
)

D = date
JAN = {"startDate": D(2024, 1, 1), "endDate": D(2024, 1, 31)}


def bad_check_digits(ssin: str) -> str:
    return ssin[:9] + f"{(int(ssin[9:]) % 97) + 1:02d}"


@pytest.fixture
def person(world):
    return world.person(last_name="Peeters", first_name="Jan", birth_date="1985-07-30", gender="M")


# --- Authentication -------------------------------------------------------------------------------


def test_a_wrong_password_is_an_authentication_fault(world, caller, person, make_client, unchanged):
    client = make_client(caller.username, caller.password + "x")
    with pytest.raises(Fault) as exc:
        client.service.registerPerson(ssin=person, dossierType="A", period=JAN)
    assert_fault(exc, "Authentication", [])


def test_an_unknown_username_is_an_authentication_fault(world, caller, person, make_client, unchanged):
    client = make_client("nobody-" + caller.username, caller.password)
    with pytest.raises(Fault) as exc:
        client.service.listDossierTypes()
    assert_fault(exc, "Authentication", [])


def test_a_call_without_security_header_is_an_authentication_fault(world, caller, person, make_client, unchanged):
    client = make_client(None)
    for call in (
        lambda: client.service.registerPerson(ssin=person, dossierType="A", period=JAN),
        lambda: client.service.unregisterPerson(ssin=person, dossierType="A"),
        lambda: client.service.listRegistrations(),
        lambda: client.service.listDossierTypes(),
    ):
        with pytest.raises(Fault) as exc:
            call()
        assert_fault(exc, "Authentication", [])


def test_a_password_digest_is_refused_even_with_the_right_password(world, caller, person, server, unchanged):
    answer = post(
        server.endpoint,
        envelope(register_body(person), header=security_header(caller.username, caller.password, PASSWORD_DIGEST)),
    )
    assert_raw_fault(answer, "Authentication", [])


def test_zeeps_password_digest_is_refused(world, caller, person, make_client, unchanged):
    client = make_client(caller.username, caller.password, use_digest=True)
    with pytest.raises(Fault) as exc:
        client.service.registerPerson(ssin=person, dossierType="A", period=JAN)
    assert_fault(exc, "Authentication", [])


def test_a_token_without_password_is_an_authentication_fault(world, caller, person, server, unchanged):
    header = security_header(caller.username, "x").replace('<wsse:Password Type="', '<wsse:Nonce Type="')
    header = header.replace("</wsse:Password>", "</wsse:Nonce>")
    assert_raw_fault(post(server.endpoint, envelope(register_body(person), header=header)), "Authentication", [])


def test_repeated_failed_logins_still_answer_authentication(world, caller, make_client):
    client = make_client(caller.username, "wrong password")
    for _ in range(8):
        with pytest.raises(Fault) as exc:
            client.service.listDossierTypes()
        assert_fault(exc, "Authentication", [])
    # throttled for a while (register.services.auth), but there is no permanent lockout
    with pytest.raises(Fault) as exc:
        caller.service.listDossierTypes()
    assert_fault(exc, "Authentication", [])
    with world.engine.begin() as conn:  # as if the longest wait had passed
        conn.execute(text("UPDATE auth_failure SET last_at = last_at - interval '61 seconds'"))
    assert len(caller.service.listDossierTypes()) == 2


# --- SSIN checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_invalid",
    [
        pytest.param(bad_check_digits, id="check-digits"),
        pytest.param(lambda s: "85133000000", id="month-13"),
        pytest.param(lambda s: "85073200000", id="day-32"),
        pytest.param(lambda s: "85530100000", id="month-53"),
    ],
)
def test_an_invalid_ssin_is_named_in_the_fault(world, caller, person, make_invalid, unchanged):
    invalid = make_invalid(person)
    for call in (
        lambda: caller.service.registerPerson(ssin=invalid, dossierType="A", period=JAN),
        lambda: caller.service.unregisterPerson(ssin=invalid, dossierType="A"),
        lambda: caller.service.listRegistrations(ssin=invalid),
    ):
        with pytest.raises(Fault) as exc:
            call()
        assert_fault(exc, "InvalidSsin", [("ssin", invalid)])


def test_a_valid_ssin_unknown_to_the_source_is_unknown(world, caller, unchanged):
    unknown = new_ssin(D(1990, 2, 3))
    for call in (
        lambda: caller.service.registerPerson(ssin=unknown, dossierType="A", period=JAN),
        lambda: caller.service.unregisterPerson(ssin=unknown, dossierType="A"),
    ):
        with pytest.raises(Fault) as exc:
            call()
        assert_fault(exc, "UnknownSsin", [("ssin", unknown)])


def test_a_replaced_ssin_names_the_last_ssin_of_its_chain(world, caller, unchanged):
    first, second, last = (world.person() for _ in range(3))
    world.set_status(second, "REPLACED", last)
    world.set_status(first, "REPLACED", second)
    for call in (
        lambda: caller.service.registerPerson(ssin=first, dossierType="A", period=JAN),
        lambda: caller.service.unregisterPerson(ssin=first, dossierType="A"),
    ):
        with pytest.raises(Fault) as exc:
            call()
        assert_fault(exc, "ReplacedSsin", [("ssin", first), ("replacedBy", last)])
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(ssin=second, dossierType="A", period=JAN)
    assert_fault(exc, "ReplacedSsin", [("ssin", second), ("replacedBy", last)])


def test_a_canceled_ssin_cannot_be_registered(world, caller, person, unchanged):
    world.set_status(person, "CANCELED")
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(ssin=person, dossierType="A", period=JAN)
    assert_fault(exc, "CanceledSsin", [("ssin", person)])


# --- the remaining checks -------------------------------------------------------------------------


def test_a_dossier_type_of_another_tenant_is_unknown(world, caller, person, unchanged):
    world.tenant("OTHER")
    for code in ("Z", "OTHER", "a"):
        for call in (
            lambda code=code: caller.service.registerPerson(ssin=person, dossierType=code, period=JAN),
            lambda code=code: caller.service.unregisterPerson(ssin=person, dossierType=code),
        ):
            with pytest.raises(Fault) as exc:
                call()
            assert_fault(exc, "UnknownDossierType", [("dossierType", code)])


@pytest.mark.parametrize(
    ("start", "end", "information"),
    [
        pytest.param("2024-02-01", "2024-01-31", [("endDate", "2024-01-31")], id="end-before-start"),
        pytest.param("1899-12-31", None, [("startDate", "1899-12-31")], id="start-before-1900"),
        pytest.param("1899-12-31", "1899-12-30", [("startDate", "1899-12-31")], id="both-wrong"),
    ],
)
def test_an_invalid_period_names_the_wrong_date(world, caller, person, start, end, information, unchanged):
    period = {"startDate": start, "endDate": end}
    for call in (
        lambda: caller.service.registerPerson(ssin=person, dossierType="A", period=period),
        lambda: caller.service.unregisterPerson(ssin=person, dossierType="A", period=period),
        lambda: caller.service.listRegistrations(period=period),
    ):
        with pytest.raises(Fault) as exc:
            call()
        assert_fault(exc, "InvalidPeriod", information)


@pytest.mark.parametrize(
    ("start", "end", "information"),
    [
        pytest.param("10000-01-01", None, [("startDate", "10000-01-01")], id="start-year-10000"),
        pytest.param("-0001-01-01", None, [("startDate", "-0001-01-01")], id="start-year-minus-1"),
        pytest.param("2024-01-01", "10000-01-01", [("endDate", "10000-01-01")], id="end-year-10000"),
    ],
)
def test_a_date_beyond_the_calendar_python_knows_is_an_invalid_period(world, caller, person, start, end, information):
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(ssin=person, dossierType="A", period={"startDate": start, "endDate": end})
    assert_fault(exc, "InvalidPeriod", information)


@pytest.mark.parametrize("birth_date", ["2021-02-30", "2021-13-00", "2021-00-05", "2023-02-29", "0000-01-01"])
def test_a_birth_date_that_cannot_exist_is_an_invalid_date(world, caller, person, birth_date, unchanged):
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(ssin=person, dossierType="A", period=JAN, identity={"birthDate": birth_date})
    assert_fault(exc, "InvalidDate", [("birthDate", birth_date)])


def test_an_identity_mismatch_names_each_differing_field_with_the_value_sent(world, caller, person, unchanged):
    identity = {"lastName": "Janssens", "firstName": "jan", "birthDate": "1985-07-31", "gender": "F"}
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(ssin=person, dossierType="A", period=JAN, identity=identity)
    assert_fault(exc, "IdentityMismatch", [("lastName", "Janssens"), ("birthDate", "1985-07-31"), ("gender", "F")])
    assert "Peeters" not in exc.value.message and "1985-07-30" not in str(information_of(exc.value))


def test_an_identity_mismatch_on_one_field_names_only_that_field(world, caller, person, unchanged):
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(ssin=person, dossierType="A", period=JAN, identity={"firstName": "Joris"})
    assert_fault(exc, "IdentityMismatch", [("firstName", "Joris")])


def test_a_page_token_not_issued_for_the_query_is_invalid(world, caller, make_client):
    ssins = [world.person() for _ in range(3)]
    for ssin in ssins:
        caller.service.registerPerson(ssin=ssin, dossierType="A", period=JAN)
    token = caller.service.listRegistrations(pageSize=1).nextPageToken
    assert token
    for kwargs in (
        {"pageToken": "not-a-token"},
        {"pageToken": token + "x"},
        {"pageToken": token, "dossierType": "A"},
        {"pageToken": token, "ssin": ssins[0]},
        {"pageToken": token, "period": JAN},
    ):
        with pytest.raises(Fault) as exc:
            caller.service.listRegistrations(pageSize=1, **kwargs)
        assert_fault(exc, "InvalidPageToken", [("pageToken", kwargs["pageToken"])])
    # a page token is the tenant's own: the same query by another tenant cannot use it
    other = make_client(*world.client(world.tenant("A")))
    with pytest.raises(Fault) as exc:
        other.service.listRegistrations(pageSize=1, pageToken=token)
    assert_fault(exc, "InvalidPageToken", [("pageToken", token)])


# --- schema errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "element"),
    [
        pytest.param(
            lambda s, p: s.registerPerson(ssin=p[:10] + "a", dossierType="A", period=JAN), "ssin", id="letter-in-ssin"
        ),
        pytest.param(
            lambda s, p: s.registerPerson(ssin=p + "0", dossierType="A", period=JAN), "ssin", id="twelve-digits"
        ),
        pytest.param(
            lambda s, p: s.registerPerson(ssin=p, dossierType="A", period={"startDate": "2024-02-30"}),
            "startDate",
            id="not-a-date",
        ),
        pytest.param(
            lambda s, p: s.unregisterPerson(ssin=p, dossierType="A", period={"startDate": "1.1.2024"}),
            "startDate",
            id="not-a-date-either",
        ),
        pytest.param(
            lambda s, p: s.registerPerson(ssin=p, dossierType="A", period=JAN, identity={"gender": "X"}),
            "gender",
            id="gender-X",
        ),
        pytest.param(
            lambda s, p: s.registerPerson(ssin=p, dossierType="A", period=JAN, identity={"birthDate": "1985-7-30"}),
            "birthDate",
            id="birth-date-shape",
        ),
        pytest.param(
            lambda s, p: s.registerPerson(ssin=p, dossierType="x" * 65, period=JAN), "dossierType", id="long-code"
        ),
        pytest.param(lambda s, p: s.listRegistrations(pageSize=0), "pageSize", id="page-size-0"),
        pytest.param(lambda s, p: s.listRegistrations(pageSize=1001), "pageSize", id="page-size-1001"),
        pytest.param(lambda s, p: s.listRegistrations(pageToken="t" * 513), "pageToken", id="page-token-513"),
    ],
)
def test_a_value_the_schema_refuses_is_a_schema_error_naming_the_element(
    world, caller, person, call, element, unchanged
):
    with pytest.raises(Fault) as exc:
        call(caller.service, person)
    assert_fault(exc, "SchemaValidationError", [("element", element)])


MISSING = [
    pytest.param(
        "<r:registerPerson><r:ssin>{ssin}</r:ssin><r:dossierType>A</r:dossierType></r:registerPerson>",
        "period",
        id="no-period",
    ),
    pytest.param(
        "<r:registerPerson><r:ssin>{ssin}</r:ssin>"
        "<r:period><c:startDate>2024-01-01</c:startDate></r:period></r:registerPerson>",
        "dossierType",
        id="no-dossier-type",
    ),
    pytest.param(
        "<r:registerPerson><r:dossierType>A</r:dossierType>"
        "<r:period><c:startDate>2024-01-01</c:startDate></r:period></r:registerPerson>",
        "ssin",
        id="no-ssin",
    ),
    pytest.param(
        "<r:registerPerson><r:ssin>{ssin}</r:ssin><r:dossierType>A</r:dossierType>"
        "<r:period><c:endDate>2024-01-01</c:endDate></r:period></r:registerPerson>",
        "startDate",
        id="no-start-date",
    ),
    pytest.param("<r:unregisterPerson><r:ssin>{ssin}</r:ssin></r:unregisterPerson>", "dossierType", id="unregister"),
]


@pytest.mark.parametrize(("body", "element"), MISSING)
def test_a_missing_required_element_is_a_schema_error(world, caller, person, server, body, element, unchanged):
    answer = post(server.endpoint, envelope(body.format(ssin=person), caller.username, caller.password))
    fault = assert_raw_fault(answer, "SchemaValidationError")
    assert len(fault.information) == 1 and fault.information[0][0] == "element"
    assert element in (fault.diagnostic or "")  # libxml2's message says which element was expected


@pytest.mark.parametrize(("body", "element"), MISSING)
def test_a_missing_required_element_is_named_in_the_fault(world, caller, person, server, body, element):
    answer = post(server.endpoint, envelope(body.format(ssin=person), caller.username, caller.password))
    assert_raw_fault(answer, "SchemaValidationError", [("element", element)])


def test_the_diagnostic_of_a_schema_error_is_a_readable_sentence(world, caller, person, server):
    answer = post(server.endpoint, envelope(register_body(person[:10] + "a"), caller.username, caller.password))
    fault = assert_raw_fault(answer, "SchemaValidationError", [("element", "ssin")])
    assert fault.diagnostic and "{urn:" not in fault.diagnostic and not fault.diagnostic.startswith("be:raas")


def test_the_faultcode_is_a_qname_in_the_soap_envelope_namespace(world, caller, person, server):
    answer = post(server.endpoint, envelope(register_body(bad_check_digits(person)), caller.username, caller.password))
    fault = assert_raw_fault(answer, "InvalidSsin")
    assert fault.faultcode_namespace == SOAP_ENV


def test_an_empty_required_string_and_an_xsi_nil_are_schema_errors(world, caller, person, server, unchanged):
    empty_code = envelope(register_body(person, dossier_type=""), caller.username, caller.password)
    assert_raw_fault(post(server.endpoint, empty_code), "SchemaValidationError", [("element", "dossierType")])
    nil = envelope(
        register_body(person).replace(
            "</c:startDate>",
            '</c:startDate><c:endDate xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>',
        ),
        caller.username,
        caller.password,
    )
    assert_raw_fault(post(server.endpoint, nil), "SchemaValidationError", [("element", "endDate")])


def test_an_element_the_operation_does_not_have_is_a_schema_error(world, caller, person, server, unchanged):
    body = register_body(person).replace("</r:registerPerson>", "<r:comment>hi</r:comment></r:registerPerson>")
    fault = assert_raw_fault(
        post(server.endpoint, envelope(body, caller.username, caller.password)), "SchemaValidationError"
    )
    assert fault.information == [("element", "comment")]


# --- order of the checks (CONTRACT.md section 2) --------------------------------------------------


def test_wrong_credentials_beat_an_invalid_ssin(world, caller, person, make_client, unchanged):
    client = make_client(caller.username, "wrong password!")
    with pytest.raises(Fault) as exc:
        client.service.registerPerson(ssin=bad_check_digits(person), dossierType="Z", period=JAN)
    assert_fault(exc, "Authentication", [])


def test_wrong_credentials_beat_a_schema_error(world, caller, person, make_client, server, unchanged):
    client = make_client(caller.username, "wrong password!")
    with pytest.raises(Fault) as exc:
        client.service.registerPerson(ssin="not an ssin", dossierType="A", period=JAN)
    assert_fault(exc, "Authentication", [])
    with pytest.raises(Fault) as exc:
        client.service.listRegistrations(pageSize=0)
    assert_fault(exc, "Authentication", [])
    missing = "<r:registerPerson><r:ssin>x</r:ssin></r:registerPerson>"
    assert_raw_fault(post(server.endpoint, envelope(missing)), "Authentication", [])
    assert_raw_fault(post(server.endpoint, envelope("<r:noSuchOperation/>", caller.username, "bad")), "Authentication")


def test_a_schema_error_beats_an_invalid_ssin(world, caller, person, unchanged):
    with pytest.raises(Fault) as exc:
        caller.service.listRegistrations(ssin=bad_check_digits(person), pageSize=1001)
    assert_fault(exc, "SchemaValidationError", [("element", "pageSize")])


def test_an_invalid_ssin_beats_an_unknown_dossier_type_and_an_invalid_period(world, caller, person, unchanged):
    invalid = bad_check_digits(person)
    bad_period = {"startDate": "2024-02-01", "endDate": "2024-01-01"}
    for call in (
        lambda: caller.service.registerPerson(ssin=invalid, dossierType="Z", period=bad_period),
        lambda: caller.service.unregisterPerson(ssin=invalid, dossierType="Z", period=bad_period),
        lambda: caller.service.listRegistrations(ssin=invalid, period=bad_period, pageToken="bad"),
    ):
        with pytest.raises(Fault) as exc:
            call()
        assert_fault(exc, "InvalidSsin", [("ssin", invalid)])


def test_an_unknown_ssin_beats_an_invalid_period_a_dossier_type_and_a_date(world, caller, unchanged):
    unknown = new_ssin(D(1990, 2, 3))
    bad_period = {"startDate": "2024-02-01", "endDate": "2024-01-01"}
    for call in (
        lambda: caller.service.registerPerson(ssin=unknown, dossierType="A", period=bad_period),
        lambda: caller.service.registerPerson(ssin=unknown, dossierType="Z", period=JAN),
        lambda: caller.service.registerPerson(
            ssin=unknown, dossierType="A", period=JAN, identity={"birthDate": "2021-02-30"}
        ),
        lambda: caller.service.unregisterPerson(ssin=unknown, dossierType="Z", period=bad_period),
    ):
        with pytest.raises(Fault) as exc:
            call()
        assert_fault(exc, "UnknownSsin", [("ssin", unknown)])


def test_a_replaced_or_canceled_ssin_beats_the_remaining_checks(world, caller, unchanged):
    replaced, new, canceled = (world.person() for _ in range(3))
    world.set_status(replaced, "REPLACED", new)
    world.set_status(canceled, "CANCELED")
    bad_period = {"startDate": "1800-01-01"}
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(ssin=replaced, dossierType="Z", period=bad_period)
    assert_fault(exc, "ReplacedSsin", [("ssin", replaced), ("replacedBy", new)])
    with pytest.raises(Fault) as exc:
        caller.service.registerPerson(
            ssin=canceled, dossierType="Z", period=bad_period, identity={"birthDate": "2021-02-30", "lastName": "X"}
        )
    assert_fault(exc, "CanceledSsin", [("ssin", canceled)])
