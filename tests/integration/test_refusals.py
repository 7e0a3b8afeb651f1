"""Refusals of registerPerson and unregisterPerson: the contract's reason, its information,
the contract's order of checks (CONTRACT.md section 2), and nothing written."""

from __future__ import annotations

from datetime import date

import pytest

from register.domain import errors
from register.domain.identity import Identity
from tests.conftest import new_ssin
from tests.integration.helpers import d, p, snapshot, stored_periods

JAN = (d("2020-01-01"), d("2020-01-31"))
BACKWARDS = (d("2020-02-01"), d("2020-01-31"))


def refused(engine, error_type, call):
    """Run ``call``, which must raise ``error_type``, and check that no table changed."""
    before = snapshot(engine)
    with pytest.raises(error_type) as caught:
        call()
    assert snapshot(engine) == before
    return caught.value


def info(error) -> dict[str, str]:
    return dict(error.information)


@pytest.fixture
def ssin(world):
    return world.person(last_name="Van den Broeck", first_name="Éloïse", birth_date="1985-07-30", gender="F")


@pytest.fixture
def existing(service, tenant, ssin):
    """One stored line, so that "nothing written" also covers changes to existing lines."""
    service.register_person(tenant.call(), ssin, "A", d("2019-01-01"), d("2019-12-31"))


def register(service, tenant, ssin, dossier_type="A", period=JAN, identity=None):
    return lambda: service.register_person(tenant.call(), ssin, dossier_type, *period, identity)


# -- the SSIN ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["85073003329", "85133003320", "85073203315", "8507300332", "8507300332X"])
def test_an_invalid_ssin_is_refused_naming_the_value_sent(service, tenant, engine, existing, value):
    error = refused(engine, errors.InvalidSsin, register(service, tenant, value))
    assert error.information == [("ssin", value)]


def test_an_invalid_ssin_is_refused_before_an_invalid_period(service, tenant, engine):
    error = refused(engine, errors.InvalidSsin, register(service, tenant, "85073003329", period=BACKWARDS))
    assert info(error) == {"ssin": "85073003329"}


def test_an_unknown_ssin_is_refused(service, tenant, engine, existing):
    unknown = new_ssin()
    error = refused(engine, errors.UnknownSsin, register(service, tenant, unknown))
    assert error.information == [("ssin", unknown)]


def test_an_unknown_ssin_with_an_invalid_period_is_refused_as_unknown(service, tenant, engine):
    unknown = new_ssin()
    error = refused(engine, errors.UnknownSsin, register(service, tenant, unknown, period=BACKWARDS))
    assert info(error) == {"ssin": unknown}


def test_an_unknown_ssin_with_an_invalid_birth_date_is_refused_as_unknown(service, tenant, engine):
    unknown = new_ssin()
    identity = Identity(birth_date="2021-02-30")
    refused(engine, errors.UnknownSsin, register(service, tenant, unknown, identity=identity))


def test_an_unknown_ssin_is_refused_before_an_unknown_dossier_type(service, tenant, engine):
    refused(engine, errors.UnknownSsin, register(service, tenant, new_ssin(), dossier_type="NOPE"))


def test_unregistering_an_unknown_ssin_is_refused(service, tenant, engine):
    unknown = new_ssin()
    error = refused(engine, errors.UnknownSsin, lambda: service.unregister_person(tenant.call(), unknown, "A"))
    assert info(error) == {"ssin": unknown}


def test_unregistering_an_unknown_ssin_with_an_invalid_period_is_refused_as_unknown(service, tenant, engine):
    unknown = new_ssin()
    refused(engine, errors.UnknownSsin, lambda: service.unregister_person(tenant.call(), unknown, "A", *BACKWARDS))


def test_unregistering_a_replaced_ssin_with_an_invalid_period_is_refused_as_replaced(service, tenant, world, engine):
    a, b = world.person(), world.person()
    world.set_status(a, "REPLACED", b)
    error = refused(engine, errors.ReplacedSsin, lambda: service.unregister_person(tenant.call(), a, "A", *BACKWARDS))
    assert info(error) == {"ssin": a, "replacedBy": b}


def test_a_replaced_ssin_is_refused_naming_the_last_ssin_of_its_chain(service, tenant, world, engine):
    a, b, c = world.person(), world.person(), world.person()
    world.set_status(b, "REPLACED", c)
    world.set_status(a, "REPLACED", b)
    error = refused(engine, errors.ReplacedSsin, register(service, tenant, a))
    assert info(error) == {"ssin": a, "replacedBy": c}
    error = refused(engine, errors.ReplacedSsin, register(service, tenant, b))
    assert info(error) == {"ssin": b, "replacedBy": c}


def test_a_replaced_ssin_with_an_invalid_period_is_refused_as_replaced(service, tenant, world, engine):
    a, b = world.person(), world.person()
    world.set_status(a, "REPLACED", b)
    error = refused(engine, errors.ReplacedSsin, register(service, tenant, a, period=BACKWARDS))
    assert info(error) == {"ssin": a, "replacedBy": b}


def test_unregistering_a_replaced_ssin_is_refused_naming_the_chain_end(service, tenant, world, engine):
    a, b, c = world.person(), world.person(), world.person()
    world.set_status(b, "REPLACED", c)
    world.set_status(a, "REPLACED", b)
    error = refused(engine, errors.ReplacedSsin, lambda: service.unregister_person(tenant.call(), a, "A"))
    assert info(error) == {"ssin": a, "replacedBy": c}


def test_a_canceled_ssin_is_refused_for_registration(service, tenant, world, engine, ssin, existing):
    world.set_status(ssin, "CANCELED")
    error = refused(engine, errors.CanceledSsin, register(service, tenant, ssin))
    assert info(error) == {"ssin": ssin}


def test_a_canceled_ssin_with_an_invalid_period_is_refused_as_canceled(service, tenant, world, engine, ssin):
    world.set_status(ssin, "CANCELED")
    refused(engine, errors.CanceledSsin, register(service, tenant, ssin, period=BACKWARDS))


def test_the_lines_of_a_canceled_ssin_can_still_be_unregistered(service, tenant, world, engine, ssin):
    service.register_person(tenant.call(), ssin, "A", d("2020-01-01"), d("2020-12-31"))
    world.set_status(ssin, "CANCELED")
    result = service.unregister_person(tenant.call(), ssin, "A", d("2020-06-01"), d("2020-12-31"))
    assert (result.deleted_count, result.changed_count, result.remaining) == (0, 1, (p("2020-01-01", "2020-05-31"),))
    result = service.unregister_person(tenant.call(), ssin, "A")
    assert (result.deleted_count, result.remaining) == (1, ())
    assert stored_periods(engine, tenant.id, ssin, "A") == []


def test_unregistering_a_canceled_ssin_with_an_invalid_period_is_refused_as_invalid_period(
    service, tenant, world, engine, ssin
):
    world.set_status(ssin, "CANCELED")
    error = refused(
        engine, errors.InvalidPeriod, lambda: service.unregister_person(tenant.call(), ssin, "A", *BACKWARDS)
    )
    assert info(error) == {"endDate": "2020-01-31"}


# -- the dossier type ---------------------------------------------------------------------------


def test_an_unknown_dossier_type_is_refused(service, tenant, engine, ssin, existing):
    error = refused(engine, errors.UnknownDossierType, register(service, tenant, ssin, dossier_type="NOPE"))
    assert info(error) == {"dossierType": "NOPE"}


def test_a_dossier_type_is_matched_exactly_not_ignoring_case(service, tenant, engine, ssin):
    refused(engine, errors.UnknownDossierType, register(service, tenant, ssin, dossier_type="a"))


def test_another_tenants_dossier_type_is_unknown_to_this_tenant(service, tenant, make_tenant, engine, ssin, existing):
    make_tenant("THEIRS")
    error = refused(engine, errors.UnknownDossierType, register(service, tenant, ssin, dossier_type="THEIRS"))
    assert info(error) == {"dossierType": "THEIRS"}


def test_unregistering_under_an_unknown_dossier_type_is_refused(service, tenant, make_tenant, engine, ssin, existing):
    make_tenant("THEIRS")
    error = refused(engine, errors.UnknownDossierType, lambda: service.unregister_person(tenant.call(), ssin, "THEIRS"))
    assert info(error) == {"dossierType": "THEIRS"}


# -- the period ---------------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused_naming_the_end_date(service, tenant, engine, ssin, existing):
    error = refused(engine, errors.InvalidPeriod, register(service, tenant, ssin, period=BACKWARDS))
    assert info(error) == {"endDate": "2020-01-31"}


def test_a_start_before_1900_is_refused_naming_the_start_date(service, tenant, engine, ssin, existing):
    error = refused(engine, errors.InvalidPeriod, register(service, tenant, ssin, period=(date(1899, 12, 31), None)))
    assert info(error) == {"startDate": "1899-12-31"}


def test_unregistering_an_end_before_the_start_is_refused(service, tenant, engine, ssin, existing):
    error = refused(
        engine, errors.InvalidPeriod, lambda: service.unregister_person(tenant.call(), ssin, "A", *BACKWARDS)
    )
    assert info(error) == {"endDate": "2020-01-31"}


def test_unregistering_from_before_1900_is_refused_naming_the_start_date(service, tenant, engine, ssin, existing):
    error = refused(
        engine, errors.InvalidPeriod, lambda: service.unregister_person(tenant.call(), ssin, "A", date(1899, 1, 1))
    )
    assert info(error) == {"startDate": "1899-01-01"}


# -- the identity -------------------------------------------------------------------------------


def test_an_impossible_birth_date_is_refused_as_invalid_date(service, tenant, engine, ssin, existing):
    identity = Identity(birth_date="2021-02-30")
    error = refused(engine, errors.InvalidDate, register(service, tenant, ssin, identity=identity))
    assert info(error) == {"birthDate": "2021-02-30"}


@pytest.mark.parametrize(
    ("identity", "field", "sent"),
    [
        (Identity(last_name="Vandenbroek"), "lastName", "Vandenbroek"),
        (Identity(first_name="Elise"), "firstName", "Elise"),
        (Identity(birth_date="1985-07-31"), "birthDate", "1985-07-31"),
        (Identity(birth_date="1985-08-00"), "birthDate", "1985-08-00"),
        (Identity(birth_date="1986-00-00"), "birthDate", "1986-00-00"),
        (Identity(gender="M"), "gender", "M"),
    ],
)
def test_an_identity_field_differing_from_the_source_is_refused_naming_the_value_sent(
    service, tenant, engine, ssin, existing, identity, field, sent
):
    error = refused(engine, errors.IdentityMismatch, register(service, tenant, ssin, identity=identity))
    assert error.information == [(field, sent)]


def test_every_differing_identity_field_is_named_and_matching_ones_are_not(service, tenant, engine, ssin):
    identity = Identity(last_name="Janssens", first_name="ELOISE", birth_date="1990-01-01", gender="M")
    error = refused(engine, errors.IdentityMismatch, register(service, tenant, ssin, identity=identity))
    assert sorted(error.information) == [("birthDate", "1990-01-01"), ("gender", "M"), ("lastName", "Janssens")]


def test_an_identity_mismatch_names_only_the_values_sent_never_the_sources(service, tenant, engine, ssin):
    identity = Identity(last_name="Peeters", first_name="Anna", birth_date="1970-01-01", gender="M")
    error = refused(engine, errors.IdentityMismatch, register(service, tenant, ssin, identity=identity))
    assert sorted(error.information) == [
        ("birthDate", "1970-01-01"),
        ("firstName", "Anna"),
        ("gender", "M"),
        ("lastName", "Peeters"),
    ]
    assert not {"Van den Broeck", "Éloïse", "1985-07-30", "F"} & {value for _, value in error.information}
    assert "Broeck" not in error.message and "1985" not in error.message


@pytest.mark.parametrize(
    "identity",
    [
        Identity(last_name="VAN DEN BROECK"),
        Identity(last_name="vandenbroeck"),
        Identity(last_name="Van-den-Broeck"),
        Identity(last_name="van den broeck", first_name="ELOISE"),
        Identity(first_name="Eloise"),
        Identity(first_name=" éloïse "),
        Identity(birth_date="1985-07-30"),
        Identity(birth_date="1985-07-00"),
        Identity(birth_date="1985-00-00"),
        Identity(gender="F"),
        Identity("Van den Broeck", "Éloïse", "1985-07-30", "F"),
    ],
)
def test_an_identity_equal_to_the_source_as_the_contract_compares_is_accepted(service, tenant, engine, ssin, identity):
    result = service.register_person(tenant.call(), ssin, "A", *JAN, identity)
    assert result.changed
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]


def test_names_match_ignoring_apostrophes(service, tenant, world, engine):
    ssin = world.person(last_name="D'Hondt", first_name="Marie-Claire", gender="F")
    for last_name, first_name in [("Dhondt", "Marie Claire"), ("D’HONDT", "marieclaire"), ("d hondt", "MARIE-CLAIRE")]:
        identity = Identity(last_name=last_name, first_name=first_name)
        service.register_person(tenant.call(), ssin, "A", *JAN, identity)
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]


def test_a_full_birth_date_matches_a_source_date_with_unknown_parts(service, tenant, world, engine):
    ssin = world.person(birth_date="1985-07-00")
    service.register_person(tenant.call(), ssin, "A", *JAN, Identity(birth_date="1985-07-30"))
    error = refused(
        engine,
        errors.IdentityMismatch,
        register(service, tenant, ssin, identity=Identity(birth_date="1985-08-30")),
    )
    assert error.information == [("birthDate", "1985-08-30")]


def test_a_gender_given_matches_a_source_that_does_not_know_it(service, tenant, world, engine):
    ssin = world.person(gender=None)
    service.register_person(tenant.call(), ssin, "A", *JAN, Identity(gender="M"))
    service.register_person(tenant.call(), ssin, "A", *JAN, Identity(gender="F"))
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2020-01-01", "2020-01-31")]


def test_an_identity_is_checked_even_when_the_period_is_already_covered(service, tenant, engine, ssin, existing):
    error = refused(
        engine,
        errors.IdentityMismatch,
        register(service, tenant, ssin, period=(d("2019-03-01"), d("2019-03-31")), identity=Identity(gender="M")),
    )
    assert error.information == [("gender", "M")]
