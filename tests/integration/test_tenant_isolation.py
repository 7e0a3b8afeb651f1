"""Each tenant sees and changes only its own lines (CONTRACT.md section 1)."""

from __future__ import annotations

import pytest

from register.domain import errors
from tests.integration.helpers import d, p, stored_periods


@pytest.fixture
def ssin(world):
    return world.person()


def test_the_same_ssin_and_dossier_type_code_of_two_tenants_stay_separate_lines(service, ours, theirs, ssin, engine):
    mine = service.register_person(ours.call(), ssin, "SHARED", d("2020-01-01"), d("2020-01-10"))
    other = service.register_person(theirs.call(), ssin, "SHARED", d("2020-01-05"), d("2020-01-20"))
    assert (mine.merged_count, other.merged_count, other.changed) == (0, 0, True)
    assert other.registration.period == p("2020-01-05", "2020-01-20")
    assert stored_periods(engine, ours.id, ssin, "SHARED") == [p("2020-01-01", "2020-01-10")]
    assert stored_periods(engine, theirs.id, ssin, "SHARED") == [p("2020-01-05", "2020-01-20")]


def test_a_period_another_tenant_already_covers_is_still_new_for_this_tenant(service, ours, theirs, ssin, engine):
    service.register_person(theirs.call(), ssin, "SHARED", d("2020-01-01"), None)
    result = service.register_person(ours.call(), ssin, "SHARED", d("2020-03-01"), d("2020-03-31"))
    assert (result.registration.period, result.changed) == (p("2020-03-01", "2020-03-31"), True)


def test_a_tenant_never_lists_another_tenants_lines(service, ours, theirs, ssin, world):
    other_person = world.person()
    service.register_person(ours.call(), ssin, "SHARED", d("2020-01-01"), d("2020-01-31"))
    service.register_person(theirs.call(), ssin, "SHARED", d("2020-06-01"), d("2020-06-30"))
    service.register_person(theirs.call(), ssin, "THEIRS", d("2020-01-01"), None)
    service.register_person(theirs.call(), other_person, "SHARED", d("2020-01-01"), None)

    def listed(**filters):
        return [
            (line.ssin, line.dossier_type, line.period)
            for line in service.list_registrations(ours.call(), **filters).registrations
        ]

    mine = [(ssin, "SHARED", p("2020-01-01", "2020-01-31"))]
    assert listed() == mine
    assert listed(ssin=ssin) == mine
    assert listed(dossier_type="SHARED") == mine
    assert listed(ssin=ssin, dossier_type="SHARED", start=d("2020-01-01"), end=None) == mine
    assert listed(start=d("2020-06-01"), end=d("2020-06-30")) == []
    assert listed(ssin=other_person) == []
    assert listed(dossier_type="THEIRS") == []


def test_a_tenant_cannot_unregister_another_tenants_lines(service, ours, theirs, ssin, engine):
    service.register_person(theirs.call(), ssin, "SHARED", d("2020-01-01"), d("2020-12-31"))
    service.register_person(theirs.call(), ssin, "THEIRS", d("2020-01-01"), d("2020-12-31"))

    whole = service.unregister_person(ours.call(), ssin, "SHARED")
    part = service.unregister_person(ours.call(), ssin, "SHARED", d("2020-03-01"), d("2020-03-31"))
    assert (whole.deleted_count, whole.changed_count, whole.remaining) == (0, 0, ())
    assert (part.deleted_count, part.changed_count, part.remaining) == (0, 0, ())
    with pytest.raises(errors.UnknownDossierType):
        service.unregister_person(ours.call(), ssin, "THEIRS")

    assert stored_periods(engine, theirs.id, ssin, "SHARED") == [p("2020-01-01", "2020-12-31")]
    assert stored_periods(engine, theirs.id, ssin, "THEIRS") == [p("2020-01-01", "2020-12-31")]


def test_unregistering_ones_own_lines_leaves_the_other_tenants_lines_alone(service, ours, theirs, ssin, engine):
    service.register_person(ours.call(), ssin, "SHARED", d("2020-01-01"), d("2020-12-31"))
    service.register_person(theirs.call(), ssin, "SHARED", d("2020-01-01"), d("2020-12-31"))
    result = service.unregister_person(ours.call(), ssin, "SHARED", d("2020-03-01"), d("2020-03-31"))
    assert result.remaining == (p("2020-01-01", "2020-02-29"), p("2020-04-01", "2020-12-31"))
    assert service.unregister_person(ours.call(), ssin, "SHARED").deleted_count == 2
    assert stored_periods(engine, theirs.id, ssin, "SHARED") == [p("2020-01-01", "2020-12-31")]


def test_a_tenant_lists_only_its_own_dossier_types(service, ours, theirs):
    assert service.list_dossier_types(ours.call()) == [("OURS", "Dossier type OURS"), ("SHARED", "Dossier type SHARED")]
    assert service.list_dossier_types(theirs.call()) == [
        ("SHARED", "Dossier type SHARED"),
        ("THEIRS", "Dossier type THEIRS"),
    ]
