"""PersonService's use cases on a real PostgreSQL: getPerson's authorisation, BIS numbers (valid,
unique under concurrent creation, duplicate check), updateBisPerson and its journal entry."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text
from stdnum.be import bis as stdnum_bis

from register.domain import errors
from register.domain.person import Address, PersonIdentity
from register.services.persons import PersonService, phonetic_matches
from register.services.search import PersonSearch
from tests.conftest import new_ssin, wrong_check_digits


@pytest.fixture
def persons(engine) -> PersonService:
    return PersonService(engine)


def journal(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT tenant_id, flow, ssin, changes FROM journal ORDER BY sequence")).all()


def audit(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT tenant_id, operation, ssins, outcome FROM audit ORDER BY id")).all()


# --- getPerson ----------------------------------------------------------------------------------


def test_get_person_answers_a_person_of_the_callers_register_and_audits_it(engine, persons, world, service, tenant):
    ssin = world.person("Peeters", "Jan", "1985-07-30", "M", nationality="BE")
    service.register_person(tenant.call(), ssin, "A", date(2020, 1, 1), date(2020, 12, 31))  # an ended line counts
    view = persons.get_person(tenant.call(), ssin)
    assert (view.ssin, view.kind, view.status, view.replaced_by) == (ssin, "NR", "ACTIVE", None)
    assert view.identity == PersonIdentity("Peeters", "Jan", "1985-07-30", "M", "BE")
    assert audit(engine)[-1] == (tenant.id, "getPerson", [ssin], "OK")


def test_get_person_refuses_a_person_outside_the_callers_register(persons, world, service, make_tenant):
    ssin = world.person()
    owner, stranger = make_tenant("A"), make_tenant("A")
    service.register_person(owner.call(), ssin, "A", date(2020, 1, 1), None)
    with pytest.raises(errors.NotAuthorized) as refused:
        persons.get_person(stranger.call(), ssin)
    assert refused.value.information == [("ssin", ssin)]


def test_get_person_of_a_replaced_ssin_answers_its_replacement_when_the_chain_end_is_registered(
    persons, world, service, tenant
):
    old, new = world.person(), world.person()
    world.set_status(old, "REPLACED", new)
    service.register_person(tenant.call(), new, "A", date(2020, 1, 1), None)
    view = persons.get_person(tenant.call(), old)
    assert (view.status, view.replaced_by) == ("REPLACED", new)


def test_get_person_checks_the_ssin_before_anything_else(persons, tenant):
    with pytest.raises(errors.InvalidSsin):
        persons.get_person(tenant.call(), "85073003329")
    with pytest.raises(errors.UnknownSsin):
        persons.get_person(tenant.call(), new_ssin())


# --- createBisNumber ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "birth_date, gender, month",
    [
        ("1985-07-30", "M", 47),
        ("1985-07-30", None, 27),
        ("1985-07-00", "F", 47),
        ("1985-00-00", None, 20),
        ("2004-02-29", "F", 42),
    ],  # fmt: skip
)
def test_a_new_bis_number_is_valid_and_follows_the_cbss_rules(engine, persons, tenant, birth_date, gender, month):
    identity = PersonIdentity("Nowak", "Ania", birth_date, gender, "PL", address=Address(municipality="Gent"))
    view = persons.create_bis_number(tenant.call(), identity, birth_place="Kraków")
    assert stdnum_bis.is_valid(view.ssin), view.ssin
    assert int(view.ssin[2:4]) == month and view.ssin[4:6] == birth_date[8:10]
    if gender:
        assert stdnum_bis.get_gender(view.ssin) == gender
    assert (view.kind, view.status, view.identity, view.birth_place) == ("BIS", "ACTIVE", identity, "Kraków")
    assert audit(engine)[-1] == (tenant.id, "createBisNumber", [view.ssin], "OK")


def test_bis_numbers_are_unique_under_eight_concurrent_creators(engine, tenant):
    created: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def creator(n: int) -> None:
        persons = PersonService(engine)
        start.wait()
        try:
            for i in range(25):
                identity = PersonIdentity(f"Person{n}x{i}", "Test", "1990-03-00", "M")
                created.append(persons.create_bis_number(tenant.call(), identity).ssin)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=creator, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(created) == 200 and len(set(created)) == 200
    assert all(stdnum_bis.is_valid(ssin) and ssin[2:6] == "4300" for ssin in created)


def test_a_strong_candidate_is_a_possible_duplicate_unless_forced(engine, persons, world, tenant):
    existing = world.person("Van den Broeck", "Éloïse", "1985-07-30", "F")
    swapped = world.person("Eloise", "Vandenbroeck", "1985-07-00", "F")
    world.person("Van den Broeck", "Éloïse", "1986-07-30", "F")  # another year: not a candidate
    identity = PersonIdentity("VANDENBROECK", "eloise", "1985-07-30", None)
    with pytest.raises(errors.PossibleDuplicate) as refused:
        persons.create_bis_number(tenant.call(), identity)
    assert sorted(refused.value.information) == sorted([("ssin", existing), ("ssin", swapped)])
    assert persons.create_bis_number(tenant.call(), identity, force=True).kind == "BIS"


def test_with_the_phonetic_search_a_respelling_or_a_typo_is_a_possible_duplicate_too(engine, world, tenant):
    persons = PersonService(engine, strong_matches=phonetic_matches(PersonSearch(engine)))
    existing = world.person("Vandenbroeck", "Jean-Pierre", "1985-07-30", "M")
    unrelated = world.person("Vandenbossche", "Marie", "1985-07-30", "F")
    with pytest.raises(errors.PossibleDuplicate) as refused:
        persons.create_bis_number(tenant.call(), PersonIdentity("Van den Broek", "Jean Pierre", "1985-07-30", "M"))
    assert refused.value.information == [("ssin", existing)]
    created = persons.create_bis_number(tenant.call(), PersonIdentity("Janssens", "Marie", "1985-07-30", "F"))
    assert created.ssin not in (existing, unrelated)


def test_an_impossible_birth_date_is_refused(persons, tenant):
    with pytest.raises(errors.InvalidDate):
        persons.create_bis_number(tenant.call(), PersonIdentity("Nowak", "Ania", "1985-02-30"))


# --- updateBisPerson ----------------------------------------------------------------------------


@pytest.fixture
def bis_person(persons, service, tenant) -> str:
    ssin = persons.create_bis_number(tenant.call(), PersonIdentity("Nowak", "Ania", "1985-07-30", "F", "PL")).ssin
    service.register_person(tenant.call(), ssin, "A", date(2024, 1, 1), None)
    return ssin


def test_update_bis_person_changes_the_given_fields_and_journals_them(engine, persons, tenant, bis_person):
    view = persons.update_bis_person(
        tenant.call(), bis_person, last_name="Nowak-Peeters", address=Address(street="Kerkstraat", municipality="Gent")
    )
    assert view.identity == PersonIdentity(
        "Nowak-Peeters", "Ania", "1985-07-30", "F", "PL", address=Address(street="Kerkstraat", municipality="Gent")
    )
    (entry,) = journal(engine)
    assert entry == (
        tenant.id,
        "IDENTITY_CHANGED",
        bis_person,
        [
            {"name": "lastName", "old": "Nowak", "new": "Nowak-Peeters"},
            {"name": "address.street", "new": "Kerkstraat"},
            {"name": "address.municipality", "new": "Gent"},
        ],
    )
    assert audit(engine)[-1] == (tenant.id, "updateBisPerson", [bis_person], "OK")


def test_update_bis_person_with_nothing_new_journals_nothing(engine, persons, tenant, bis_person):
    persons.update_bis_person(tenant.call(), bis_person, last_name="Nowak")
    assert journal(engine) == []


def test_update_bis_person_refusals_come_in_the_contracts_order(
    persons, world, service, make_tenant, tenant, bis_person
):
    stranger = make_tenant("A")
    national = world.person()
    service.register_person(tenant.call(), national, "A", date(2024, 1, 1), None)
    with pytest.raises(errors.InvalidSsin):
        persons.update_bis_person(tenant.call(), wrong_check_digits(bis_person), birth_date="2021-02-30")
    with pytest.raises(errors.UnknownSsin):
        persons.update_bis_person(tenant.call(), new_ssin(bis="known"), birth_date="2021-02-30")
    with pytest.raises(errors.NotABisNumber):
        persons.update_bis_person(tenant.call(), national, birth_date="2021-02-30")
    with pytest.raises(errors.NotAuthorized):
        persons.update_bis_person(stranger.call(), bis_person, birth_date="2021-02-30")
    with pytest.raises(errors.InvalidDate):
        persons.update_bis_person(tenant.call(), bis_person, birth_date="2021-02-30")


def test_update_bis_person_of_a_replaced_ssin_names_its_replacement(persons, world, tenant, bis_person):
    new = world.person()
    world.set_status(bis_person, "REPLACED", new)
    with pytest.raises(errors.ReplacedSsin) as refused:
        persons.update_bis_person(tenant.call(), bis_person, last_name="X")
    assert refused.value.information == [("ssin", bis_person), ("replacedBy", new)]
