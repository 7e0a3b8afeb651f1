"""RegisterService's operations through zeep (strict), against the running server."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from zeep.helpers import serialize_object

D = date


def period(start: date, end: date | None = None) -> dict:
    return {"startDate": start, "endDate": end}


def as_dict(value):
    return serialize_object(value, dict)


def lines(wrapper) -> list[tuple]:
    """A registrations/remaining wrapper as (ssin, dossierType, startDate, endDate); zeep gives None when empty."""
    if wrapper is None:
        return []
    return [(r.ssin, r.dossierType, r.period.startDate, r.period.endDate) for r in wrapper.registration]


def test_registering_a_new_line_answers_it_with_nothing_merged(world, caller):
    ssin = world.person()
    result = caller.service.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1), D(2024, 1, 31)))
    assert as_dict(result) == {
        "registration": {
            "ssin": ssin,
            "dossierType": "A",
            "period": {"startDate": D(2024, 1, 1), "endDate": D(2024, 1, 31)},
        },
        "mergedCount": 0,
        "changed": True,
    }


def test_an_open_ended_period_comes_back_without_end_date(world, caller):
    ssin = world.person()
    result = caller.service.registerPerson(ssin=ssin, dossierType="B", period={"startDate": D(2024, 1, 1)})
    assert as_dict(result.registration.period) == {"startDate": D(2024, 1, 1), "endDate": None}
    assert (result.mergedCount, result.changed) == (0, True)


def test_a_period_touching_two_lines_merges_them_into_one(world, caller):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1), D(2024, 1, 31)))
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 3, 1), D(2024, 3, 31)))
    svc.registerPerson(ssin=ssin, dossierType="B", period=period(D(2024, 2, 1), D(2024, 2, 29)))  # other key
    result = svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 2, 1), D(2024, 2, 29)))
    assert as_dict(result) == {
        "registration": {
            "ssin": ssin,
            "dossierType": "A",
            "period": {"startDate": D(2024, 1, 1), "endDate": D(2024, 3, 31)},
        },
        "mergedCount": 2,
        "changed": True,
    }
    assert lines(svc.listRegistrations(ssin=ssin).registrations) == [
        (ssin, "A", D(2024, 1, 1), D(2024, 3, 31)),
        (ssin, "B", D(2024, 2, 1), D(2024, 2, 29)),
    ]


def test_an_overlapping_period_extends_the_line_and_a_gap_day_keeps_lines_apart(world, caller):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1), D(2024, 1, 31)))
    extended = svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 20), D(2024, 2, 10)))
    assert (extended.mergedCount, extended.changed) == (1, True)
    assert (extended.registration.period.startDate, extended.registration.period.endDate) == (
        D(2024, 1, 1),
        D(2024, 2, 10),
    )
    apart = svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 2, 12), D(2024, 2, 20)))
    assert (apart.mergedCount, apart.changed) == (0, True)
    open_ended = svc.registerPerson(ssin=ssin, dossierType="A", period={"startDate": D(2024, 2, 11)})
    assert as_dict(open_ended) == {
        "registration": {"ssin": ssin, "dossierType": "A", "period": {"startDate": D(2024, 1, 1), "endDate": None}},
        "mergedCount": 2,
        "changed": True,
    }


def test_a_period_already_covered_changes_nothing(world, caller, registrations):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1), D(2024, 12, 31)))
    before = registrations()
    for _ in range(2):  # registering the same thing twice is harmless
        result = svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 3, 1), D(2024, 3, 31)))
        assert as_dict(result) == {
            "registration": {
                "ssin": ssin,
                "dossierType": "A",
                "period": {"startDate": D(2024, 1, 1), "endDate": D(2024, 12, 31)},
            },
            "mergedCount": 0,
            "changed": False,
        }
    assert registrations() == before


def test_a_period_up_to_the_last_possible_day_is_answered(world, caller):
    ssin = world.person()
    result = caller.service.registerPerson(ssin=ssin, dossierType="A", period=period(D(1900, 1, 1), D(9999, 12, 31)))
    assert as_dict(result.registration.period) == {"startDate": D(1900, 1, 1), "endDate": D(9999, 12, 31)}
    assert lines(caller.service.listRegistrations(ssin=ssin).registrations) == [
        (ssin, "A", D(1900, 1, 1), D(9999, 12, 31))
    ]


def test_a_time_zone_on_a_date_is_ignored(world, caller):
    ssin = world.person()
    result = caller.service.registerPerson(
        ssin=ssin, dossierType="A", period={"startDate": "2024-01-01+02:00", "endDate": "2024-01-31Z"}
    )
    assert as_dict(result.registration.period) == {"startDate": D(2024, 1, 1), "endDate": D(2024, 1, 31)}
    listed = caller.service.listRegistrations(period={"startDate": "2024-01-31-11:00", "endDate": "2024-01-31+14:00"})
    assert lines(listed.registrations) == [(ssin, "A", D(2024, 1, 1), D(2024, 1, 31))]


def test_unregistering_up_to_the_last_possible_day_ends_an_open_line(world, caller, registrations):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2020, 1, 1)))
    result = svc.unregisterPerson(ssin=ssin, dossierType="A", period=period(D(2030, 1, 1), D(9999, 12, 31)))
    assert [row[3] for row in registrations()] == ["[2020-01-01,2030-01-01)"]  # no tail from year 10000
    assert (result.deletedCount, result.changedCount) == (0, 1)
    assert lines(result.remaining) == [(ssin, "A", D(2020, 1, 1), D(2029, 12, 31))]
    assert lines(svc.listRegistrations(ssin=ssin).registrations) == [(ssin, "A", D(2020, 1, 1), D(2029, 12, 31))]


def test_an_identity_equal_to_the_source_is_accepted(world, caller):
    ssin = world.person(last_name="Dupont-Lefèvre", first_name="Marie-José", birth_date="1985-07-30", gender="F")
    result = caller.service.registerPerson(
        ssin=ssin,
        dossierType="A",
        period=period(D(2024, 1, 1)),
        identity={"lastName": "dupont lefevre", "firstName": "MARIE JOSE", "birthDate": "1985-07-00", "gender": "F"},
    )
    assert (result.registration.ssin, result.mergedCount, result.changed) == (ssin, 0, True)


def test_an_incomplete_source_birth_date_matches_any_day_and_an_unknown_gender_any_gender(world, caller):
    ssin = world.person(last_name="O'Neill", first_name="Sean", birth_date="1970-00-00", gender=None)
    result = caller.service.registerPerson(
        ssin=ssin,
        dossierType="A",
        period=period(D(2024, 1, 1)),
        identity={"lastName": "ONeill", "birthDate": "1970-05-17", "gender": "M"},
    )
    assert result.changed is True


def test_unregistering_without_period_deletes_every_line_of_that_dossier_type(world, caller):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1), D(2024, 1, 31)))
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 3, 1)))
    svc.registerPerson(ssin=ssin, dossierType="B", period=period(D(2024, 1, 1)))
    result = svc.unregisterPerson(ssin=ssin, dossierType="A")
    assert as_dict(result) == {"deletedCount": 2, "changedCount": 0, "remaining": None}
    assert lines(svc.listRegistrations(ssin=ssin).registrations) == [(ssin, "B", D(2024, 1, 1), None)]


def test_unregistering_days_inside_a_line_splits_it(world, caller):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1), D(2024, 12, 31)))
    result = svc.unregisterPerson(ssin=ssin, dossierType="A", period=period(D(2024, 3, 1), D(2024, 3, 31)))
    assert as_dict(result) == {
        "deletedCount": 0,
        "changedCount": 1,
        "remaining": {
            "registration": [
                {
                    "ssin": ssin,
                    "dossierType": "A",
                    "period": {"startDate": D(2024, 1, 1), "endDate": D(2024, 2, 29)},
                },
                {
                    "ssin": ssin,
                    "dossierType": "A",
                    "period": {"startDate": D(2024, 4, 1), "endDate": D(2024, 12, 31)},
                },
            ]
        },
    }


def test_unregistering_a_period_shortens_some_lines_and_deletes_those_inside_it(world, caller):
    ssin = world.person()
    svc = caller.service
    for start, end in ((D(2024, 1, 1), D(2024, 1, 31)), (D(2024, 3, 1), D(2024, 3, 10)), (D(2024, 5, 1), None)):
        svc.registerPerson(ssin=ssin, dossierType="A", period=period(start, end))
    result = svc.unregisterPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 15), D(2024, 5, 31)))
    assert (result.deletedCount, result.changedCount) == (1, 2)
    assert lines(result.remaining) == [(ssin, "A", D(2024, 1, 1), D(2024, 1, 14)), (ssin, "A", D(2024, 6, 1), None)]


def test_unregistering_an_open_ended_period_cuts_the_tail(world, caller):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1)))
    result = svc.unregisterPerson(ssin=ssin, dossierType="A", period={"startDate": D(2024, 7, 1)})
    assert (result.deletedCount, result.changedCount) == (0, 1)
    assert lines(result.remaining) == [(ssin, "A", D(2024, 1, 1), D(2024, 6, 30))]


def test_unregistering_nothing_is_not_a_fault(world, caller):
    ssin = world.person()
    svc = caller.service
    svc.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1), D(2024, 1, 31)))
    result = svc.unregisterPerson(ssin=ssin, dossierType="A", period=period(D(2025, 1, 1), D(2025, 1, 31)))
    assert (result.deletedCount, result.changedCount) == (0, 0)
    assert lines(result.remaining) == [(ssin, "A", D(2024, 1, 1), D(2024, 1, 31))]
    assert as_dict(svc.unregisterPerson(ssin=ssin, dossierType="B")) == {
        "deletedCount": 0,
        "changedCount": 0,
        "remaining": None,
    }


def test_a_canceled_ssin_can_still_be_unregistered(world, caller):
    ssin = world.person()
    caller.service.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1)))
    world.set_status(ssin, "CANCELED")
    result = caller.service.unregisterPerson(ssin=ssin, dossierType="A")
    assert (result.deletedCount, result.changedCount, result.remaining) == (1, 0, None)


def _three_people(world, caller):
    first, second, third = sorted(world.person() for _ in range(3))
    svc = caller.service
    for ssin, dossier_type, start, end in (
        (second, "A", D(2023, 1, 1), D(2023, 12, 31)),
        (first, "B", D(2024, 1, 1), None),
        (first, "A", D(2024, 6, 1), D(2024, 6, 30)),
        (first, "A", D(2022, 1, 1), D(2022, 1, 31)),
        (third, "A", D(2021, 1, 1), D(2021, 1, 31)),
    ):
        svc.registerPerson(ssin=ssin, dossierType=dossier_type, period=period(start, end))
    return first, second, third


def test_listing_without_filters_gives_every_line_ordered_by_ssin_dossier_type_and_start(world, caller):
    first, second, third = _three_people(world, caller)
    result = caller.service.listRegistrations()
    assert result.nextPageToken is None
    assert lines(result.registrations) == [
        (first, "A", D(2022, 1, 1), D(2022, 1, 31)),
        (first, "A", D(2024, 6, 1), D(2024, 6, 30)),
        (first, "B", D(2024, 1, 1), None),
        (second, "A", D(2023, 1, 1), D(2023, 12, 31)),
        (third, "A", D(2021, 1, 1), D(2021, 1, 31)),
    ]


def test_listing_filters_by_ssin_dossier_type_and_overlapping_period(world, caller):
    first, second, third = _three_people(world, caller)
    svc = caller.service
    assert lines(svc.listRegistrations(ssin=second).registrations) == [(second, "A", D(2023, 1, 1), D(2023, 12, 31))]
    assert lines(svc.listRegistrations(dossierType="B").registrations) == [(first, "B", D(2024, 1, 1), None)]
    assert lines(svc.listRegistrations(period=period(D(2023, 12, 31), D(2024, 1, 1))).registrations) == [
        (first, "B", D(2024, 1, 1), None),
        (second, "A", D(2023, 1, 1), D(2023, 12, 31)),
    ]
    assert lines(svc.listRegistrations(period=period(D(2024, 6, 30))).registrations) == [
        (first, "A", D(2024, 6, 1), D(2024, 6, 30)),
        (first, "B", D(2024, 1, 1), None),
    ]
    assert lines(
        svc.listRegistrations(ssin=first, dossierType="A", period=period(D(2020, 1, 1), D(2022, 1, 1))).registrations
    ) == [(first, "A", D(2022, 1, 1), D(2022, 1, 31))]
    empty = svc.listRegistrations(ssin=first, dossierType="B", period=period(D(2020, 1, 1), D(2020, 12, 31)))
    assert (empty.registrations, empty.nextPageToken) == (None, None)


def test_listing_pages_through_next_page_tokens(world, caller):
    first, second, third = _three_people(world, caller)
    svc = caller.service
    everything = lines(svc.listRegistrations().registrations)
    seen, token, sizes = [], None, []
    while True:
        page = svc.listRegistrations(pageSize=2, pageToken=token)
        sizes.append(len(lines(page.registrations)))
        seen += lines(page.registrations)
        token = page.nextPageToken
        if token is None:
            break
        assert isinstance(token, str) and 1 <= len(token) <= 512
    assert sizes == [2, 2, 1]
    assert seen == everything
    # filtered paging: the token carries on the same query
    page = svc.listRegistrations(ssin=first, pageSize=1)
    rest = svc.listRegistrations(ssin=first, pageSize=1000, pageToken=page.nextPageToken)
    assert lines(page.registrations) + lines(rest.registrations) == everything[:3]
    assert rest.nextPageToken is None


def test_a_page_exactly_full_has_no_next_page_token(world, caller):
    _three_people(world, caller)
    page = caller.service.listRegistrations(pageSize=5)
    assert len(lines(page.registrations)) == 5 and page.nextPageToken is None


def test_listing_gives_100_lines_by_default(world, caller):
    ssin = world.person()
    caller.service.registerPerson(ssin=ssin, dossierType="A", period=period(D(2000, 1, 1), D(2000, 1, 1)))
    with world.engine.begin() as conn:  # 100 more one-day lines, two days apart
        conn.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " SELECT tenant_id, ssin, dossier_type, daterange(lower(period) + 2 * g, lower(period) + 2 * g + 1)"
                " FROM registration, generate_series(1, 100) AS g"
            )
        )
    first = caller.service.listRegistrations()
    assert len(lines(first.registrations)) == 100 and first.nextPageToken
    rest = caller.service.listRegistrations(pageToken=first.nextPageToken)
    last_day = D(2000, 1, 1) + timedelta(days=200)
    assert lines(rest.registrations) == [(ssin, "A", last_day, last_day)]
    assert rest.nextPageToken is None


def test_listing_dossier_types_gives_the_tenants_codes_and_labels(world, make_client):
    bce = world.tenant("SOC", "ALLOC", "A-1")
    world.tenant("OTHER")
    username, password = world.client(bce)
    result = make_client(username, password).service.listDossierTypes()
    assert as_dict(result) == [
        {"code": "A-1", "label": "Dossier type A-1"},
        {"code": "ALLOC", "label": "Dossier type ALLOC"},
        {"code": "SOC", "label": "Dossier type SOC"},
    ]


def test_a_tenant_sees_and_changes_only_its_own_lines(world, caller, make_client):
    ssin = world.person()
    other_bce = world.tenant("A")
    other = make_client(*world.client(other_bce))
    caller.service.registerPerson(ssin=ssin, dossierType="A", period=period(D(2024, 1, 1)))
    other.service.registerPerson(ssin=ssin, dossierType="A", period=period(D(2010, 1, 1), D(2010, 12, 31)))
    assert lines(other.service.listRegistrations().registrations) == [(ssin, "A", D(2010, 1, 1), D(2010, 12, 31))]
    removed = other.service.unregisterPerson(ssin=ssin, dossierType="A")
    assert (removed.deletedCount, removed.remaining) == (1, None)
    assert lines(caller.service.listRegistrations().registrations) == [(ssin, "A", D(2024, 1, 1), None)]
