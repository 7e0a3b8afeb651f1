"""The second wall: PostgreSQL row-level security keeps a tenant's rows from the others' statements.

These tests run statements on the SOAP path's own pool (the application role)
that a buggy repository could send: wrong tenant, no tenant filter at all,
updates of the audit trail. The database refuses or returns nothing.
"""

from __future__ import annotations

import psycopg
import pytest

from register.adapters import reads
from register.adapters.database import run, statement_pool
from register.adapters.tenancy import APP_ROLE
from register.domain.calls import Call
from tests.integration.helpers import audit_rows, d


@pytest.fixture
def pool(engine):
    return statement_pool(engine)


@pytest.fixture
def both_registered(service, world, ours, theirs):
    ssin = world.person()
    service.register_person(ours.call(), ssin, "SHARED", d("2020-01-01"), d("2020-12-31"))
    service.register_person(theirs.call(), ssin, "SHARED", d("2021-01-01"), None)
    return ssin


def test_the_pool_is_the_application_role_which_owns_nothing_and_cannot_bypass_security(pool):
    (row,) = run(
        pool,
        "SELECT current_user AS name, r.rolsuper, r.rolbypassrls,"
        " (SELECT count(*) FROM pg_class WHERE relowner = r.oid) AS owned"
        " FROM pg_roles r WHERE r.rolname = current_user",
        {},
    )
    assert (row.name, row.rolsuper, row.rolbypassrls, row.owned) == (APP_ROLE, False, False, 0)


def test_a_repository_query_for_one_tenant_run_with_another_tenant_set_gets_nothing(
    pool, ours, theirs, both_registered
):
    query = "SELECT ssin FROM registration WHERE tenant_id = %(tenant)s AND ssin = %(ssin)s"
    params = {"tenant": ours.id, "ssin": both_registered}
    assert len(run(pool, query, params, tenant=ours.id)) == 1
    assert run(pool, query, params, tenant=theirs.id) == []


def test_the_registers_own_listing_with_the_wrong_tenant_set_returns_no_row(
    registrations, ours, theirs, both_registered, monkeypatch
):
    # the repository filters on the caller's tenant, the transaction is set to another one: the
    # statement's audit row (of the caller's tenant) is refused, so the whole statement is, rows included
    wrong = Call(ours.id, "someone", "req-1")
    original = reads.run  # the listings' statements run there (register.adapters.reads)
    monkeypatch.setattr(
        reads, "run", lambda pool, statement, params, tenant=None: original(pool, statement, params, theirs.id)
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match='policy for table "audit"'):
        registrations.find(wrong, ssin=both_registered, dossier_type=None, period=None, after=None, limit=10)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match='policy for table "audit"'):
        registrations.dossier_types(wrong)


def test_a_query_without_tenant_filter_sees_only_the_tenant_set(pool, ours, theirs, both_registered):
    assert {r.tenant_id for r in run(pool, "SELECT tenant_id FROM registration", {}, tenant=ours.id)} == {ours.id}
    assert {r.tenant_id for r in run(pool, "SELECT tenant_id FROM dossier_type", {}, tenant=theirs.id)} == {theirs.id}
    assert [r.id for r in run(pool, "SELECT id FROM tenant", {}, tenant=ours.id)] == [ours.id]


def test_without_a_tenant_set_no_tenant_owned_row_is_visible(pool, both_registered):
    for table in ("registration", "dossier_type", "tenant"):
        assert run(pool, f"SELECT 1 FROM {table}", {}) == [], table


def test_the_tenant_set_does_not_outlive_its_call(pool, ours, both_registered):
    assert run(pool, "SELECT 1 FROM registration", {}, tenant=ours.id)
    # the pool has one connection at rest: the next statement without tenant reuses it
    assert run(pool, "SELECT current_setting('raas.tenant_id', true) AS t", {})[0].t in (None, "")
    assert run(pool, "SELECT 1 FROM registration", {}) == []


def test_an_unfiltered_delete_removes_only_the_tenants_own_lines(pool, engine, ours, theirs, both_registered):
    run(pool, "DELETE FROM registration", {}, tenant=ours.id)
    assert {r.tenant_id for r in run(pool, "SELECT tenant_id FROM registration", {}, tenant=theirs.id)} == {theirs.id}


def test_a_line_cannot_be_written_for_another_tenant(pool, ours, theirs, both_registered):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        run(
            pool,
            "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
            " VALUES (%(t)s, %(s)s, 'SHARED', daterange('1990-01-01', '1990-02-01'))",
            {"t": theirs.id, "s": both_registered},
            tenant=ours.id,
        )


def test_the_register_function_given_another_tenant_than_the_one_set_finds_not_even_its_dossier_types(
    pool, ours, theirs, both_registered
):
    (row,) = run(
        pool,
        "SELECT outcome FROM raas_register(%(t)s, 'x', 'r', %(s)s, 'SHARED',"
        " daterange('1990-01-01', '1990-02-01'), NULL, NULL, NULL, NULL)",
        {"t": theirs.id, "s": both_registered},
        tenant=ours.id,
    )
    assert row.outcome == "UnknownDossierType"


def test_the_application_cannot_change_delete_or_read_audit_rows(pool, engine, ours, both_registered):
    before = audit_rows(engine)
    assert before
    for statement in ("UPDATE audit SET outcome = 'OK'", "DELETE FROM audit", "SELECT * FROM audit", "TRUNCATE audit"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run(pool, statement, {}, tenant=ours.id)
    assert audit_rows(engine) == before


def test_the_application_may_audit_for_its_tenant_or_for_no_tenant_only(pool, ours, theirs):
    insert = "INSERT INTO audit (tenant_id, operation, outcome) VALUES (%(t)s, 'x', 'OK')"
    run(pool, insert, {"t": ours.id}, tenant=ours.id)
    run(pool, insert, {"t": None})
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        run(pool, insert, {"t": theirs.id}, tenant=ours.id)


def test_credentials_are_read_only_through_the_narrow_function(pool, world, ours):
    username, _ = world.client(ours.bce)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(pool, "SELECT password_hash FROM client", {}, tenant=ours.id)
    (row,) = run(pool, "SELECT tenant_id, username FROM raas_login(%(u)s, NULL, 5, 20, 60)", {"u": username})
    assert (row.tenant_id, row.username) == (ours.id, username)


def test_the_authentic_source_is_readable_and_writable_but_not_deletable(pool, both_registered):
    assert run(pool, "SELECT ssin FROM person WHERE ssin = %(s)s", {"s": both_registered})
    run(pool, "UPDATE person SET nationality = 'BE' WHERE ssin = %(s)s", {"s": both_registered})
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(pool, "DELETE FROM person WHERE ssin = %(s)s", {"s": both_registered})


def test_the_application_cannot_create_objects(pool):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(pool, "CREATE TABLE public.sneaky (id int)", {})


def test_not_even_the_owner_updates_or_deletes_audit_rows(engine, both_registered):
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    before = audit_rows(engine)
    for statement in ("UPDATE audit SET outcome = 'OK'", "DELETE FROM audit"):
        with pytest.raises(ProgrammingError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert audit_rows(engine) == before
