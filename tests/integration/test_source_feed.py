"""`raas source apply FILE.xml` (CONTRACT.md section 7): records in document order, all or nothing,
replacements that carry every tenant's lines along, and the journal the nightly files read."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import text

from register.domain.errors import ReplacedSsin
from register.services import source_feed
from register.services.source_feed import FeedError
from register.services.source_import import import_file
from tests.conftest import new_ssin, wrong_check_digits
from tests.integration.helpers import p, snapshot, stored_periods

NS = "urn:be:raas:source:v1"

ROOT = Path(__file__).resolve().parents[2]


def feed(*records: str) -> str:
    """A feed document: each record on its own lines, so that line numbers are predictable."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + f'<SourceFeed xmlns="{NS}">\n'
        + "".join(records)
        + "</SourceFeed>\n"
    )


def person_changed(ssin: str, last="Peeters", first="Jan", born="1985-07-30", gender="M", extra="") -> str:
    sex = f"<gender>{gender}</gender>" if gender else ""
    return (
        f"<personChanged><ssin>{ssin}</ssin><lastName>{last}</lastName><firstName>{first}</firstName>"
        f"<birthDate>{born}</birthDate>{sex}{extra}</personChanged>\n"
    )


def replaced(old: str, new: str) -> str:
    return f"<ssinReplaced><oldSsin>{old}</oldSsin><newSsin>{new}</newSsin></ssinReplaced>\n"


def canceled(ssin: str) -> str:
    return f"<ssinCanceled><ssin>{ssin}</ssin></ssinCanceled>\n"


@pytest.fixture
def apply(engine, tmp_path):
    def run(document: str):
        path = tmp_path / "feed.xml"
        path.write_text(document, encoding="utf-8")
        return source_feed.apply_file(engine, path)

    return run


def person(engine, ssin: str):
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM person WHERE ssin = :s"), {"s": ssin}).mappings().first()


def journal(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT sequence, tenant_id, flow, ssin, new_ssin, dossier_types, changes, person, recorded_on"
                " FROM journal ORDER BY sequence"
            )
        ).mappings()
        return [dict(r) for r in rows]


# --- each record kind ---------------------------------------------------------------------------


def test_an_unknown_ssin_in_person_changed_is_created_without_a_mutation(engine, apply):
    ssin = new_ssin()
    extra = (
        "<nationality>BE</nationality><deathDate>2020-02-02</deathDate>"
        "<address><street>Wetstraat</street><houseNumber>16</houseNumber><postalCode>1000</postalCode>"
        "<municipality>Brussel</municipality></address>"
    )
    done = apply(feed(person_changed(ssin, "Van den Broeck", "Éloïse", "1985-07-00", "F", extra)))
    assert (done.created, done.changed, done.mutations) == (1, 0, 0)
    stored = person(engine, ssin)
    assert (stored["kind"], stored["status"], stored["last_name"], stored["first_name"]) == (
        "NR", "ACTIVE", "Van den Broeck", "Éloïse",
    )  # fmt: skip
    assert (stored["birth_date"], stored["gender"], stored["nationality"], stored["death_date"]) == (
        "1985-07-00", "F", "BE", date(2020, 2, 2),
    )  # fmt: skip
    assert stored["address"] == {
        "street": "Wetstraat",
        "houseNumber": "16",
        "postalCode": "1000",
        "municipality": "Brussel",
    }
    assert stored["last_name_key"] == "vandenbroeck"
    assert journal(engine) == []


def test_a_changed_identity_is_journaled_to_each_tenant_concerned_with_old_and_new_values(
    engine, apply, world, service, make_tenant
):
    ssin = world.person("Peeters", "Jan", "1985-07-30", "M", nationality="BE")
    current, ended, other = make_tenant("A", "B"), make_tenant("A"), make_tenant("A")
    service.register_person(current.call(), ssin, "A", date(2024, 1, 1), None)
    service.register_person(current.call(), ssin, "B", date(2020, 1, 1), date(2020, 12, 31))
    service.register_person(ended.call(), ssin, "A", date(2020, 1, 1), date(2020, 12, 31))  # ended: not concerned
    service.register_person(other.call(), world.person(), "A", date(2024, 1, 1), None)  # another person

    done = apply(
        feed(person_changed(ssin, "Peeters-Claes", "Jan", "1985-07-30", None, "<nationality>NL</nationality>"))
    )

    assert (done.changed, done.mutations) == (1, 1)
    (entry,) = journal(engine)
    assert entry["tenant_id"] == current.id and entry["flow"] == "IDENTITY_CHANGED" and entry["ssin"] == ssin
    assert entry["changes"] == [
        {"name": "lastName", "old": "Peeters", "new": "Peeters-Claes"},
        {"name": "gender", "old": "M"},
        {"name": "nationality", "old": "BE", "new": "NL"},
    ]
    assert entry["person"] == {
        "ssin": ssin, "kind": "NR", "status": "ACTIVE", "lastName": "Peeters-Claes", "firstName": "Jan",
        "birthDate": "1985-07-30", "nationality": "NL",
    }  # fmt: skip
    # 1.1: the dossier types of the lines that made the tenant concerned (a subscription's filter); B ended
    assert entry["new_ssin"] is None and entry["dossier_types"] == ["A"]
    assert person(engine, ssin)["last_name_key"] == "peetersclaes"


def test_an_identity_equal_to_the_stored_one_changes_nothing(engine, apply, world, service, tenant):
    ssin = world.person("Peeters", "Jan", "1985-07-30", "M")
    service.register_person(tenant.call(), ssin, "A", date(2024, 1, 1), None)
    done = apply(feed(person_changed(ssin)))
    assert (done.unchanged, done.changed, done.mutations) == (1, 0, 0)
    assert journal(engine) == []


def test_a_canceled_ssin_keeps_its_lines_refuses_registrations_and_records_no_mutation(
    engine, apply, world, service, tenant
):
    ssin = world.person()
    service.register_person(tenant.call(), ssin, "A", date(2024, 1, 1), None)
    assert apply(feed(canceled(ssin))).canceled == 1
    assert person(engine, ssin)["status"] == "CANCELED"
    assert stored_periods(engine, tenant.id, ssin, "A") == [p("2024-01-01")]
    assert journal(engine) == []
    with pytest.raises(Exception) as refused:
        service.register_person(tenant.call(), ssin, "A", date(2025, 1, 1), None)
    assert refused.value.reason == "CanceledSsin"


# --- replacement --------------------------------------------------------------------------------


def test_a_replacement_moves_the_lines_of_two_tenants_merging_them_with_the_lines_already_on_the_new_ssin(
    engine, apply, world, service, make_tenant
):
    old, new = world.person(), world.person()
    first, second = make_tenant("A", "B"), make_tenant("A")
    register = service.register_person
    register(first.call(), old, "A", date(2020, 1, 1), date(2020, 6, 30))
    register(first.call(), old, "A", date(2021, 1, 1), None)
    register(first.call(), new, "A", date(2020, 7, 1), date(2020, 9, 30))  # touches the first old line
    register(first.call(), new, "A", date(2020, 11, 1), date(2020, 11, 30))  # a gap on both sides: stays apart
    register(first.call(), old, "B", date(2019, 1, 1), date(2019, 12, 31))  # ended: moved, not reported
    register(second.call(), old, "A", date(2024, 3, 1), date(2024, 5, 31))  # ended before today
    register(second.call(), new, "A", date(2024, 5, 1), None)  # overlaps it

    done = apply(feed(replaced(old, new)))

    assert (done.replaced, done.lines_moved) == (1, 4)
    assert stored_periods(engine, first.id, new, "A") == [
        p("2020-01-01", "2020-09-30"), p("2020-11-01", "2020-11-30"), p("2021-01-01"),
    ]  # fmt: skip
    assert stored_periods(engine, first.id, new, "B") == [p("2019-01-01", "2019-12-31")]
    assert stored_periods(engine, second.id, new, "A") == [p("2024-03-01")]
    for tenant, code in ((first, "A"), (first, "B"), (second, "A")):
        assert stored_periods(engine, tenant.id, old, code) == []
    stored = person(engine, old)
    assert (stored["status"], stored["replaced_by"]) == ("REPLACED", new)
    # the second tenant's only old line ended before today: it is not concerned
    (entry,) = journal(engine)
    assert {k: entry[k] for k in ("tenant_id", "flow", "ssin", "new_ssin", "dossier_types", "changes", "person")} == {
        "tenant_id": first.id, "flow": "SSIN_REPLACED", "ssin": old, "new_ssin": new,
        "dossier_types": ["A", "B"], "changes": None, "person": None,
    }  # fmt: skip
    assert entry["recorded_on"] == engine_today(engine)


def engine_today(engine) -> date:
    with engine.connect() as conn:
        return conn.execute(text("SELECT raas_today()")).scalar_one()


def test_a_chain_ends_on_its_last_ssin_and_a_replaced_ssin_is_refused_naming_it(engine, apply, world, service, tenant):
    a, b, c = world.person(), world.person(), world.person()
    service.register_person(tenant.call(), a, "A", date(2024, 1, 1), None)
    apply(feed(replaced(a, b)))
    apply(feed(replaced(b, c)))
    assert stored_periods(engine, tenant.id, c, "A") == [p("2024-01-01")]
    assert [(e["ssin"], e["new_ssin"]) for e in journal(engine)] == [(a, b), (b, c)]
    for ssin in (a, b):
        with pytest.raises(ReplacedSsin) as refused:
            service.register_person(tenant.call(), ssin, "A", date(2025, 1, 1), None)
        assert refused.value.information == [("ssin", ssin), ("replacedBy", c)]
        with pytest.raises(ReplacedSsin):
            service.unregister_person(tenant.call(), ssin, "A")


def test_a_replacement_by_an_already_replaced_ssin_moves_the_lines_to_the_end_of_its_chain(
    engine, apply, world, service, tenant
):
    a, b, c = world.person(), world.person(), world.person()
    apply(feed(replaced(b, c)))
    service.register_person(tenant.call(), a, "A", date(2024, 1, 1), None)
    apply(feed(replaced(a, b)))
    assert stored_periods(engine, tenant.id, c, "A") == [p("2024-01-01")]
    assert person(engine, a)["replaced_by"] == b
    assert [(e["ssin"], e["new_ssin"]) for e in journal(engine)] == [(a, c)]


def test_a_file_creates_the_new_ssin_before_replacing_by_it(engine, apply, world, service, tenant):
    old, new = world.person(), new_ssin(date(1985, 7, 30))
    service.register_person(tenant.call(), old, "A", date(2024, 1, 1), None)
    done = apply(feed(person_changed(new), replaced(old, new)))
    assert (done.created, done.replaced) == (1, 1)
    assert stored_periods(engine, tenant.id, new, "A") == [p("2024-01-01")]


def test_the_same_replacement_applied_twice_changes_nothing_the_second_time(engine, apply, world):
    old, new = world.person(), world.person()
    apply(feed(replaced(old, new)))
    assert apply(feed(replaced(old, new))).replaced == 0
    assert len(journal(engine)) == 0  # no tenant had lines


# --- refusals: the whole file, naming the line --------------------------------------------------


@pytest.mark.parametrize(
    "records, line, words",
    [
        (lambda s: [person_changed(s["known"], "Claes"), replaced(s["unknown"], s["known"])], 4, "is not known"),
        (lambda s: [person_changed(s["known"], "Claes"), replaced(s["known"], s["unknown"])], 4, "is not known"),
        (lambda s: [person_changed(s["known"], "Claes"), canceled(s["unknown"])], 4, "is not known"),
        (lambda s: [person_changed(s["known"], "Claes"), replaced(s["known"], s["known"])], 4, "cannot replace itself"),
        (lambda s: [person_changed(s["known"], "Claes"), replaced(s["replaced"], s["known"])], 4, "already replaced"),
        (lambda s: [person_changed(s["known"], "Claes"), replaced(s["replacement"], s["replaced"])], 4, "a cycle"),
        (lambda s: [person_changed(s["known"], "Claes"), canceled(s["replaced"])], 4, "was replaced"),
        (lambda s: [person_changed(s["known"], "Claes"), person_changed(s["bad"])], 4, "check digits"),
        (
            lambda s: [person_changed(s["known"], "Claes"), person_changed(s["new"], born="2021-02-30")],
            4,
            "cannot exist",
        ),
    ],
    ids=[
        "unknown-old",
        "unknown-new",
        "unknown-canceled",
        "itself",
        "twice",
        "cycle",
        "cancel-replaced",
        "check-digits",
        "impossible-date",
    ],  # fmt: skip
)
def test_a_record_that_cannot_apply_rejects_the_whole_file_naming_its_line(engine, apply, world, records, line, words):
    known, old, replacement = world.person(), world.person(), world.person()
    apply(feed(replaced(old, replacement)))
    ssins = {
        "known": known, "unknown": new_ssin(), "replaced": old, "replacement": replacement,
        "bad": wrong_check_digits(known), "new": new_ssin(),
    }  # fmt: skip
    before = snapshot(engine), journal(engine)
    with pytest.raises(FeedError) as refused:
        apply(feed(*records(ssins)))
    assert refused.value.line == line
    assert words in str(refused.value) and str(refused.value).startswith(f"line {line}: ")
    assert (snapshot(engine), journal(engine)) == before


@pytest.mark.parametrize(
    "document, line, words",
    [
        (feed("<personChanged><ssin>1</ssin></personChanged>\n"), 3, "ssin"),
        (feed(person_changed("85073003328", born="1985-7-30")), 3, "birthDate"),
        (feed("<unknown/>\n"), 3, "unknown"),
        ('<?xml version="1.0"?>\n<SourceFeed xmlns="urn:other"/>\n', 2, "SourceFeed"),
        ('<?xml version="1.0"?>\n<SourceFeed xmlns="urn:be:raas:source:v1">\n<ssinCanceled>\n', 4, "not well-formed"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
            '<SourceFeed xmlns="urn:be:raas:source:v1">&e;</SourceFeed>\n',
            1,
            "DOCTYPE",
        ),
    ],
    ids=["schema-short-ssin", "schema-date-shape", "unknown-element", "wrong-namespace", "not-well-formed", "doctype"],
)
def test_an_invalid_file_is_refused_before_anything_is_applied(engine, apply, world, document, line, words):
    world.person()
    before = snapshot(engine)
    with pytest.raises(FeedError) as refused:
        apply(document)
    assert refused.value.line == line, str(refused.value)
    assert words in str(refused.value)
    assert "/etc/passwd" not in str(refused.value) or "DOCTYPE" in str(refused.value)
    assert snapshot(engine) == before


def test_the_feed_schema_is_valid_for_xmlschema_too_and_accepts_the_documents_we_write():
    schema = xmlschema.XMLSchema(str(ROOT / "xsd" / source_feed.SCHEMA))
    schema.validate(
        feed(person_changed("85073003328"), replaced("85073003328", "90020212372"), canceled("90020212372"))
    )


# --- the CSV import journals identity changes as well -------------------------------------------


def test_a_csv_row_that_differs_is_an_identity_change_with_its_mutation(engine, world, service, tenant, tmp_path):
    ssin = world.person("Peeters", "Jan", "1985-07-30", "M", nationality="BE")
    service.register_person(tenant.call(), ssin, "A", date(2024, 1, 1), None)
    path = tmp_path / "persons.csv"
    path.write_text(
        f"ssin,lastName,firstName,birthDate,gender,nationality,deathDate\n{ssin},Peeters,Jan,1985-07-30,M,BE,2026-01-02\n"
    )
    assert import_file(engine, str(path)).updated == 1
    (entry,) = journal(engine)
    assert (entry["tenant_id"], entry["flow"], entry["changes"]) == (
        tenant.id, "IDENTITY_CHANGED", [{"name": "deathDate", "new": "2026-01-02"}],
    )  # fmt: skip
    assert entry["person"]["deathDate"] == "2026-01-02"
    assert json.dumps(entry["changes"])  # stored as JSON the batch can read back


def test_a_csv_without_the_optional_columns_keeps_the_stored_nationality_and_death_date(
    engine, world, service, tenant, tmp_path
):
    ssin = world.person("Peeters", "Jan", "1985-07-30", "M", nationality="BE", death_date="2025-01-01")
    service.register_person(tenant.call(), ssin, "A", date(2024, 1, 1), None)
    path = tmp_path / "persons.csv"
    path.write_text(f"ssin,lastName,firstName,birthDate,gender\n{ssin},Peeters,Johan,1985-07-30,M\n")
    assert import_file(engine, str(path)).updated == 1
    stored = person(engine, ssin)
    assert (stored["first_name"], stored["nationality"], stored["death_date"]) == ("Johan", "BE", date(2025, 1, 1))
    (entry,) = journal(engine)
    assert entry["changes"] == [{"name": "firstName", "old": "Jan", "new": "Johan"}]
