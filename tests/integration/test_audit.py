"""Every successful call leaves exactly one audit row, written with the call itself (DESIGN.md)."""

from __future__ import annotations

import pytest

from register.domain import errors
from register.domain.calls import Call
from tests.integration.helpers import audit_rows, d


@pytest.fixture
def ssin(world):
    return world.person()


def only_new_row(engine, before: int):
    rows = audit_rows(engine)
    assert len(rows) == before + 1, f"expected exactly one new audit row, got {len(rows) - before}"
    return rows[-1]


def as_audited(row) -> tuple:
    return (row.tenant_id, row.username, row.operation, row.ssins, row.outcome, row.request_id)


@pytest.mark.parametrize("already_covered", [False, True])
def test_a_registration_is_audited_once_whether_or_not_it_changed_anything(
    service, tenant, ssin, engine, already_covered
):
    if already_covered:
        service.register_person(tenant.call(), ssin, "A", d("2020-01-01"), None)
    before = len(audit_rows(engine))
    call = Call(tenant.id, "alice", "req-register-1")
    result = service.register_person(call, ssin, "A", d("2020-02-01"), d("2020-02-29"))
    assert result.changed is not already_covered
    row = only_new_row(engine, before)
    assert as_audited(row) == (tenant.id, "alice", "registerPerson", [ssin], "OK", "req-register-1")


@pytest.mark.parametrize("with_period", [False, True])
def test_an_unregistration_is_audited_once(service, tenant, ssin, engine, with_period):
    service.register_person(tenant.call(), ssin, "A", d("2020-01-01"), None)
    before = len(audit_rows(engine))
    call = Call(tenant.id, "bob", "req-unregister-1")
    period = (d("2020-03-01"), d("2020-03-31")) if with_period else ()
    service.unregister_person(call, ssin, "A", *period)
    row = only_new_row(engine, before)
    assert as_audited(row) == (tenant.id, "bob", "unregisterPerson", [ssin], "OK", "req-unregister-1")


def test_an_unregistration_that_removes_nothing_is_audited_too(service, tenant, ssin, engine):
    service.unregister_person(Call(tenant.id, "bob", "req-nothing"), ssin, "A")
    assert [as_audited(row) for row in audit_rows(engine)] == [
        (tenant.id, "bob", "unregisterPerson", [ssin], "OK", "req-nothing")
    ]


def test_a_listing_by_ssin_is_audited_with_that_ssin(service, tenant, ssin, engine):
    service.list_registrations(Call(tenant.id, "carol", "req-list-1"), ssin=ssin)
    assert [as_audited(row) for row in audit_rows(engine)] == [
        (tenant.id, "carol", "listRegistrations", [ssin], "OK", "req-list-1")
    ]


def test_a_listing_without_ssin_is_audited_without_ssins(service, tenant, engine):
    service.list_registrations(Call(tenant.id, "carol", "req-list-2"), dossier_type="A")
    assert [as_audited(row) for row in audit_rows(engine)] == [
        (tenant.id, "carol", "listRegistrations", None, "OK", "req-list-2")
    ]


def test_each_page_of_a_listing_is_audited_once(service, tenant, world, engine):
    for ssin in (world.person(), world.person(), world.person()):
        service.register_person(tenant.call(), ssin, "A", d("2020-01-01"), None)
    before = len(audit_rows(engine))
    first = service.list_registrations(Call(tenant.id, "carol", "page-1"), page_size=2)
    service.list_registrations(Call(tenant.id, "carol", "page-2"), page_size=2, page_token=first.next_token)
    assert [row.request_id for row in audit_rows(engine)[before:]] == ["page-1", "page-2"]


def test_listing_dossier_types_is_audited_once(service, tenant, engine):
    service.list_dossier_types(Call(tenant.id, "dave", "req-types"))
    assert [as_audited(row) for row in audit_rows(engine)] == [
        (tenant.id, "dave", "listDossierTypes", None, "OK", "req-types")
    ]


def test_a_refused_call_leaves_no_ok_audit_row(service, tenant, ssin, engine):
    before = audit_rows(engine)
    with pytest.raises(errors.UnknownDossierType):
        service.register_person(tenant.call(), ssin, "NOPE", d("2020-01-01"), None)
    with pytest.raises(errors.UnknownDossierType):
        service.unregister_person(tenant.call(), ssin, "NOPE")
    assert audit_rows(engine) == before


def test_a_sequence_of_calls_leaves_one_row_per_call_in_call_order(service, tenant, ssin, engine):
    steps = [
        ("r1", lambda call: service.register_person(call, ssin, "A", d("2020-01-01"), d("2020-01-31"))),
        ("r2", lambda call: service.register_person(call, ssin, "A", d("2020-01-05"), d("2020-01-06"))),
        ("u1", lambda call: service.unregister_person(call, ssin, "A", d("2020-01-10"), d("2020-01-12"))),
        ("l1", lambda call: service.list_registrations(call, ssin=ssin)),
        ("u2", lambda call: service.unregister_person(call, ssin, "A")),
    ]
    for request_id, step in steps:
        step(Call(tenant.id, "erin", request_id))
    assert [(row.request_id, row.operation) for row in audit_rows(engine)] == [
        ("r1", "registerPerson"),
        ("r2", "registerPerson"),
        ("u1", "unregisterPerson"),
        ("l1", "listRegistrations"),
        ("u2", "unregisterPerson"),
    ]
