"""listRegistrations: order, filters and keyset paging with signed tokens (CONTRACT.md section 3)."""

from __future__ import annotations

import base64
import json
import random

import pytest
from sqlalchemy import text

from register.domain import errors
from register.domain.registration import Registration
from register.services.paging import PageTokens
from register.services.register import DEFAULT_PAGE_SIZE, RegisterService
from tests.integration.helpers import d, p


def lines_of(page) -> list[tuple]:
    return [(line.ssin, line.dossier_type, line.period) for line in page.registrations]


def all_pages(service, call, page_size, **filters) -> list[list[Registration]]:
    pages, token = [], None
    while True:
        page = service.list_registrations(call, page_size=page_size, page_token=token, **filters)
        pages.append(page.registrations)
        token = page.next_token
        if token is None:
            return pages
        assert len(pages) < 50, "paging does not end"


@pytest.fixture
def persons(world):
    return sorted(world.person() for _ in range(3))


@pytest.fixture
def stored(service, tenant, persons):
    """Lines for three persons under A and B, registered in a shuffled order; returns them in listing order."""
    periods = [p("2020-01-01", "2020-01-31"), p("2020-03-01", "2020-03-31"), p("2021-01-01")]
    wanted = [(ssin, dt, period) for ssin in persons for dt in ("A", "B") for period in periods]
    for ssin, dt, period in random.Random(7).sample(wanted, len(wanted)):
        service.register_person(tenant.call(), ssin, dt, period.start, period.end)
    return wanted  # already in (ssin, dossier type, start) order


def test_lines_are_listed_by_ssin_then_dossier_type_then_start_date(service, tenant, stored):
    assert lines_of(service.list_registrations(tenant.call())) == stored


def test_the_ssin_filter_keeps_that_persons_lines(service, tenant, stored, persons):
    assert lines_of(service.list_registrations(tenant.call(), ssin=persons[1])) == [
        line for line in stored if line[0] == persons[1]
    ]


def test_the_dossier_type_filter_keeps_that_types_lines(service, tenant, stored):
    assert lines_of(service.list_registrations(tenant.call(), dossier_type="B")) == [
        line for line in stored if line[1] == "B"
    ]


def test_an_undefined_dossier_type_filter_lists_nothing(service, tenant, stored):
    assert service.list_registrations(tenant.call(), dossier_type="NOPE").registrations == []


@pytest.mark.parametrize(
    ("start", "end", "expected_starts"),
    [
        ("2020-01-31", "2020-03-01", ["2020-01-01", "2020-03-01"]),  # one day of each end
        ("2020-02-01", "2020-02-29", []),  # the gap between two lines
        ("2020-03-15", "2020-03-15", ["2020-03-01"]),
        ("2020-04-01", None, ["2021-01-01"]),  # open filter: every later line
        ("2030-01-01", "2030-01-01", ["2021-01-01"]),  # inside an open line
        ("1900-01-01", "9999-12-31", ["2020-01-01", "2020-03-01", "2021-01-01"]),
    ],
)
def test_the_period_filter_keeps_the_lines_overlapping_it(service, tenant, stored, start, end, expected_starts):
    listed = service.list_registrations(tenant.call(), start=d(start), end=d(end) if end else None)
    assert lines_of(listed) == [line for line in stored if line[2].start.isoformat() in expected_starts]


def test_filters_combine(service, tenant, stored, persons):
    listed = service.list_registrations(
        tenant.call(), ssin=persons[2], dossier_type="A", start=d("2020-03-31"), end=d("2021-01-01")
    )
    assert lines_of(listed) == [(persons[2], "A", p("2020-03-01", "2020-03-31")), (persons[2], "A", p("2021-01-01"))]


def test_an_invalid_ssin_filter_is_refused(service, tenant):
    with pytest.raises(errors.InvalidSsin) as refusal:
        service.list_registrations(tenant.call(), ssin="85073003329")
    assert refusal.value.information == [("ssin", "85073003329")]


def test_an_invalid_period_filter_is_refused(service, tenant):
    with pytest.raises(errors.InvalidPeriod):
        service.list_registrations(tenant.call(), start=d("2020-02-01"), end=d("2020-01-01"))


def test_an_empty_register_lists_nothing_and_has_no_next_page(service, tenant):
    page = service.list_registrations(tenant.call())
    assert (page.registrations, page.next_token) == ([], None)


# -- paging ---------------------------------------------------------------------------------------


@pytest.fixture
def twenty_five(service, tenant, world):
    """25 lines: 5 persons x 5 separate periods."""
    for ssin in [world.person() for _ in range(5)]:
        for month in (1, 3, 5, 7, 9):
            service.register_person(tenant.call(), ssin, "A", d(f"2020-{month:02d}-01"), d(f"2020-{month:02d}-10"))
    return lines_of(service.list_registrations(tenant.call()))


def test_pages_of_ten_over_25_lines_hold_10_10_and_5_without_duplicates_or_gaps(service, tenant, twenty_five):
    assert len(twenty_five) == 25
    pages = all_pages(service, tenant.call(), 10)
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [(line.ssin, line.dossier_type, line.period) for page in pages for line in page] == twenty_five


def test_only_the_last_page_has_no_next_page_token(service, tenant, twenty_five):
    first = service.list_registrations(tenant.call(), page_size=10)
    second = service.list_registrations(tenant.call(), page_size=10, page_token=first.next_token)
    third = service.list_registrations(tenant.call(), page_size=10, page_token=second.next_token)
    assert first.next_token and second.next_token and first.next_token != second.next_token
    assert third.next_token is None


def test_a_page_size_equal_to_the_number_of_lines_needs_no_next_page(service, tenant, twenty_five):
    page = service.list_registrations(tenant.call(), page_size=25)
    assert (len(page.registrations), page.next_token) == (25, None)


def test_a_page_size_of_one_walks_every_line(service, tenant, twenty_five):
    pages = all_pages(service, tenant.call(), 1)
    assert [(line.ssin, line.dossier_type, line.period) for page in pages for line in page] == twenty_five
    assert len(pages) == 25


def test_paging_with_filters_pages_through_the_filtered_lines_only(service, tenant, stored, persons):
    pages = all_pages(service, tenant.call(), 2, dossier_type="A", start=d("2020-02-01"), end=None)
    expected = [line for line in stored if line[1] == "A" and line[2].start >= d("2020-03-01")]
    assert [len(page) for page in pages] == [2, 2, 2]
    assert [(line.ssin, line.dossier_type, line.period) for page in pages for line in page] == expected


def test_a_token_may_be_reused_with_another_page_size(service, tenant, twenty_five):
    first = service.list_registrations(tenant.call(), page_size=10)
    rest = service.list_registrations(tenant.call(), page_size=100, page_token=first.next_token)
    assert lines_of(rest) == twenty_five[10:] and rest.next_token is None


def test_the_default_page_size_is_100(service, tenant, world, engine):
    ssin = world.person()
    with engine.begin() as conn:  # 101 separate one-day lines, inserted directly to keep the test fast
        conn.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " SELECT :t, :s, 'A', daterange(day::date, day::date, '[]')"
                " FROM generate_series(date '2020-01-01', date '2020-01-01' + 200, interval '2 days') AS day"
            ),
            {"t": tenant.id, "s": ssin},
        )
    assert DEFAULT_PAGE_SIZE == 100
    first = service.list_registrations(tenant.call())
    assert len(first.registrations) == 100 and first.next_token is not None
    second = service.list_registrations(tenant.call(), page_token=first.next_token)
    assert [line.period for line in second.registrations] == [p("2020-07-19", "2020-07-19")]
    assert second.next_token is None


@pytest.fixture
def token(service, tenant, twenty_five):
    return service.list_registrations(tenant.call(), page_size=10).next_token


@pytest.mark.parametrize(
    "other_filters",
    [
        {"dossier_type": "A"},
        {"start": d("2020-01-01"), "end": None},
        {"start": d("2020-01-01"), "end": d("2020-12-31")},
    ],
)
def test_a_token_reused_with_other_filters_is_refused(service, tenant, token, other_filters):
    with pytest.raises(errors.InvalidPageToken) as refusal:
        service.list_registrations(tenant.call(), page_size=10, page_token=token, **other_filters)
    assert refusal.value.information == [("pageToken", token)]


def test_a_token_reused_with_another_ssin_filter_is_refused(service, tenant, twenty_five):
    ssin = twenty_five[0][0]
    token = service.list_registrations(tenant.call(), ssin=ssin, page_size=2).next_token
    assert token is not None
    assert len(service.list_registrations(tenant.call(), ssin=ssin, page_token=token).registrations) == 3
    with pytest.raises(errors.InvalidPageToken):
        service.list_registrations(tenant.call(), ssin=twenty_five[-1][0], page_token=token)
    with pytest.raises(errors.InvalidPageToken):
        service.list_registrations(tenant.call(), page_token=token)


def test_a_token_used_by_another_tenant_is_refused(service, make_tenant, token):
    other = make_tenant("A", "B")
    with pytest.raises(errors.InvalidPageToken):
        service.list_registrations(other.call(), page_size=10, page_token=token)


def test_a_token_issued_with_another_secret_is_refused(registrations, tenant, token):
    other_instance = RegisterService(registrations, PageTokens(b"x" * 32))
    with pytest.raises(errors.InvalidPageToken):
        other_instance.list_registrations(tenant.call(), page_size=10, page_token=token)


def test_a_token_with_a_forged_keyset_is_refused(service, tenant, token):
    payload, _, signature = token.partition(".")
    keyset = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    keyset[2] = "1900-01-01"
    forged = base64.urlsafe_b64encode(json.dumps(keyset).encode()).rstrip(b"=").decode()
    with pytest.raises(errors.InvalidPageToken):
        service.list_registrations(tenant.call(), page_size=10, page_token=f"{forged}.{signature}")


@pytest.mark.parametrize(
    "tampered",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: ("B" if t[0] != "B" else "C") + t[1:],  # payload changed
        lambda t: t.partition(".")[0],  # no signature
        lambda t: "." + t.partition(".")[2],  # no payload
        lambda t: "",
        lambda t: "not a token",
        lambda t: t + t,
    ],
)
def test_a_tampered_token_is_refused(service, tenant, token, tampered):
    with pytest.raises(errors.InvalidPageToken):
        service.list_registrations(tenant.call(), page_size=10, page_token=tampered(token) or "x")


@pytest.mark.parametrize("where", ["signature", "payload"])
def test_a_token_with_non_ascii_characters_is_refused_as_invalid(service, tenant, token, where):
    payload, _, signature = token.partition(".")
    bad = f"{payload}.{signature[:-1]}é" if where == "signature" else f"é{payload}.{signature}"
    with pytest.raises(errors.InvalidPageToken):
        service.list_registrations(tenant.call(), page_size=10, page_token=bad)
