"""The Registrations repository on its own: what the plpgsql functions answer."""

from __future__ import annotations

from datetime import date

from register.adapters.registrations import Outcome
from register.domain.registration import Registered, Registration, Unregistered
from tests.conftest import new_ssin
from tests.integration.helpers import p


def test_merge_answers_a_refusal_as_an_outcome_with_its_information(registrations, tenant, world):
    a, b, c = world.person(), world.person(), world.person()
    world.set_status(b, "REPLACED", c)
    world.set_status(a, "REPLACED", b)
    call = tenant.call()
    assert registrations.merge(call, new_ssin(), "A", p("2020-01-01")) == Outcome("UnknownSsin")
    assert registrations.merge(call, a, "A", p("2020-01-01")) == Outcome("ReplacedSsin", (c,))
    assert registrations.merge(call, c, "NOPE", p("2020-01-01")) == Outcome("UnknownDossierType")


def test_merge_compares_the_identity_keys_it_is_given(registrations, tenant, world):
    ssin = world.person(last_name="Peeters", first_name="Jan", birth_date="1985-07-30", gender="M")
    call = tenant.call()
    refused = registrations.merge(
        call,
        ssin,
        "A",
        p("2020-01-01"),
        last_name_key="janssens",
        first_name_key="jan",
        birth_date="1985-07-00",
        gender="F",
    )
    assert refused == Outcome("IdentityMismatch", ("lastName", "gender"))
    accepted = registrations.merge(call, ssin, "A", p("2020-01-01"), last_name_key="peeters", birth_date="1985-00-00")
    assert accepted == Registered(Registration(ssin, "A", p("2020-01-01")), 0, True)


def test_remove_answers_counts_and_the_remaining_lines(registrations, tenant, world):
    ssin = world.person()
    call = tenant.call()
    registrations.merge(call, ssin, "A", p("2020-01-01", "2020-01-31"))
    registrations.merge(call, ssin, "A", p("2020-03-01", "2020-03-31"))
    assert registrations.remove(call, ssin, "A", p("2020-01-15", "2020-03-10")) == Unregistered(
        0, 2, (p("2020-01-01", "2020-01-14"), p("2020-03-11", "2020-03-31"))
    )
    assert registrations.remove(call, ssin, "A", None) == Unregistered(2, 0, ())


def test_remove_refuses_like_merge_but_lets_a_canceled_ssin_through(registrations, tenant, world):
    canceled = world.person()
    world.set_status(canceled, "CANCELED")
    call = tenant.call()
    assert registrations.merge(call, canceled, "A", p("2020-01-01")) == Outcome("CanceledSsin")
    assert registrations.remove(call, canceled, "A", None) == Unregistered(0, 0, ())
    assert registrations.remove(call, new_ssin(), "A", None) == Outcome("UnknownSsin")
    assert registrations.remove(call, canceled, "NOPE", None) == Outcome("UnknownDossierType")


def test_person_refusal_names_why_an_ssin_cannot_be_used(registrations, world):
    active, canceled, replaced, successor = world.person(), world.person(), world.person(), world.person()
    world.set_status(canceled, "CANCELED")
    world.set_status(replaced, "REPLACED", successor)
    assert registrations.person_refusal(active) == Outcome(None)
    assert registrations.person_refusal(new_ssin()) == Outcome("UnknownSsin")
    assert registrations.person_refusal(replaced) == Outcome("ReplacedSsin", (successor,))
    assert registrations.person_refusal(canceled) == Outcome("CanceledSsin")
    assert registrations.person_refusal(canceled, allow_canceled=True) == Outcome(None)


def test_find_pages_by_keyset_in_listing_order(registrations, tenant, world):
    first, second = sorted([world.person(), world.person()])
    call = tenant.call()
    for ssin in (second, first):
        for dossier_type in ("B", "A"):
            registrations.merge(call, ssin, dossier_type, p("2020-05-01", "2020-05-31"))
            registrations.merge(call, ssin, dossier_type, p("2020-01-01", "2020-01-31"))
    everything = registrations.find(call, ssin=None, dossier_type=None, period=None, after=None, limit=100)
    assert [(line.ssin, line.dossier_type, line.period.start.month) for line in everything] == [
        (s, dt, month) for s in (first, second) for dt in ("A", "B") for month in (1, 5)
    ]
    after = registrations.find(
        call, ssin=None, dossier_type=None, period=None, after=(first, "B", date(2020, 1, 1)), limit=2
    )
    assert after == [
        Registration(first, "B", p("2020-05-01", "2020-05-31")),
        Registration(second, "A", p("2020-01-01", "2020-01-31")),
    ]


def test_dossier_types_are_listed_by_code_with_their_labels(registrations, make_tenant):
    tenant = make_tenant("UNEMPLOYMENT", "FAMILY", "PENSION")
    assert registrations.dossier_types(tenant.call()) == [
        ("FAMILY", "Dossier type FAMILY"),
        ("PENSION", "Dossier type PENSION"),
        ("UNEMPLOYMENT", "Dossier type UNEMPLOYMENT"),
    ]
