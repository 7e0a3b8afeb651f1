"""The nightly files (CONTRACT.md section 6): content, scope, validity, vouchers, reruns."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from sqlalchemy import text

from register.batch import job, validation
from tests.integration.batch.conftest import journal, line, rename, replace, run, subscribe

NS = "{urn:be:raas:mutations:v1}"
VNS = "{urn:be:raas:voucher:v1}"
RUN_DATE = date(2026, 1, 15)
XSD = Path(__file__).resolve().parents[3] / "xsd"  # the published schemas


def files(outbox, bce):
    return sorted(p.name for p in (outbox / bce).iterdir())


def sequences(path) -> list[int]:
    root = etree.parse(str(path)).getroot()
    return [int(r.findtext(f"{NS}sequence")) for r in root if r.tag != f"{NS}header"]


def test_a_subscriber_receives_its_mutations_in_a_data_file_and_a_voucher(world, subscriber, conn, outbox):
    tenant = subscriber("SSIN_REPLACED", "IDENTITY_CHANGED")
    ssin, new = world.person(), world.person("Peeters", "Jan")
    line(world.engine, tenant, ssin)
    rename(world.engine, ssin, "Peters")
    replace(world.engine, ssin, new)

    summary = run(conn, outbox, RUN_DATE)

    assert (summary.tenants, summary.files, summary.records) == (1, 2, 2)
    bce = tenant.bce
    assert files(outbox, bce) == [
        f"RAAS_{bce}_IDENTITY_CHANGED_20260115.voucher.xml",
        f"RAAS_{bce}_IDENTITY_CHANGED_20260115.xml",
        f"RAAS_{bce}_SSIN_REPLACED_20260115.voucher.xml",
        f"RAAS_{bce}_SSIN_REPLACED_20260115.xml",
    ]
    for flow in ("SSIN_REPLACED", "IDENTITY_CHANGED"):
        data = outbox / bce / f"RAAS_{bce}_{flow}_20260115.xml"
        voucher = etree.parse(str(data.with_name(data.name.replace(".xml", ".voucher.xml")))).getroot()
        content = data.read_bytes()
        assert voucher.findtext(f"{VNS}sha256") == hashlib.sha256(content).hexdigest()
        assert int(voucher.findtext(f"{VNS}sizeBytes")) == len(content)
        assert sequences(data) == journal(world.engine, tenant, flow)
        assert int(voucher.findtext(f"{VNS}recordCount")) == 1
        for schema, document in (("mutations-v1.xsd", data), ("voucher-v1.xsd", voucher)):
            tree = etree.parse(str(document)) if isinstance(document, type(data)) else document.getroottree()
            etree.XMLSchema(etree.parse(str(XSD / schema))).assertValid(tree)
            xmlschema.XMLSchema(str(XSD / schema)).validate(etree.tostring(tree).decode())


def _today(engine) -> date:
    with engine.connect() as c:
        return c.execute(text("SELECT raas_today()")).scalar_one()


def _records(path) -> list[tuple[str, str]]:
    """(element, ssin) of each record of a data file."""
    root = etree.parse(str(path)).getroot()
    return [
        (etree.QName(r).localname, r.findtext(f"{NS}ssin") or r.findtext(f"{NS}oldSsin"))
        for r in root
        if r.tag != f"{NS}header"
    ]


def test_a_subscriber_is_concerned_by_a_person_with_a_line_not_ended_before_the_day_of_the_mutation(
    world, subscriber, conn, outbox
):
    today = _today(world.engine)
    ended_yesterday, ends_today, starts_tomorrow, no_line = (subscriber("IDENTITY_CHANGED") for _ in range(4))
    not_subscribed = subscriber()
    ssin = world.person()
    line(world.engine, ended_yesterday, ssin, end=today - timedelta(days=1))
    line(world.engine, ends_today, ssin, end=today)
    line(world.engine, starts_tomorrow, ssin, start=today + timedelta(days=1))
    line(world.engine, not_subscribed, ssin)
    rename(world.engine, ssin, "Peters")

    summary = run(conn, outbox, RUN_DATE)

    def received(tenant):
        return _records(outbox / tenant.bce / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml")

    assert received(ends_today) == received(starts_tomorrow) == [("identityChanged", ssin)]
    assert received(ended_yesterday) == received(no_line) == []
    assert not (outbox / not_subscribed.bce).exists()
    assert (summary.tenants, summary.files, summary.records) == (4, 4, 2)


def test_a_replacement_reaches_the_subscribers_with_lines_of_the_old_ssin_only(world, subscriber, conn, outbox):
    old_holder, new_holder = subscriber("SSIN_REPLACED"), subscriber("SSIN_REPLACED")
    old, new = world.person(), world.person()
    line(world.engine, old_holder, old, "A")
    line(world.engine, old_holder, old, "B")
    line(world.engine, new_holder, new)
    replace(world.engine, old, new)

    run(conn, outbox, RUN_DATE)

    data = outbox / old_holder.bce / f"RAAS_{old_holder.bce}_SSIN_REPLACED_20260115.xml"
    record = etree.parse(str(data)).getroot()[1]
    assert [c.text for c in record][2:] == [old, new, "A", "B"]
    assert _records(outbox / new_holder.bce / f"RAAS_{new_holder.bce}_SSIN_REPLACED_20260115.xml") == []


def test_a_run_with_nothing_to_report_writes_empty_files_with_their_vouchers(world, subscriber, conn, outbox):
    tenant = subscriber("SSIN_REPLACED", "IDENTITY_CHANGED")

    summary = run(conn, outbox, RUN_DATE)

    assert (summary.files, summary.records) == (2, 0)
    for flow in ("SSIN_REPLACED", "IDENTITY_CHANGED"):
        data = outbox / tenant.bce / f"RAAS_{tenant.bce}_{flow}_20260115.xml"
        assert _records(data) == []
        validation.check_data_file(data, 0, None, None)
        voucher = etree.parse(str(data.with_name(data.name.replace(".xml", ".voucher.xml")))).getroot()
        assert voucher.findtext(f"{VNS}recordCount") == "0"
        assert voucher.find(f"{VNS}firstSequence") is None and voucher.find(f"{VNS}lastSequence") is None


def test_a_rerun_of_a_finished_date_changes_nothing_and_later_mutations_go_to_the_next_date(
    world, subscriber, conn, outbox, renamed
):
    tenant, ssin = renamed
    run(conn, outbox, RUN_DATE)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (outbox / tenant.bce).iterdir()}
    rename(world.engine, ssin, "Pieters")

    again = run(conn, outbox, RUN_DATE, clock=lambda: 1 / 0)  # nothing is written: no clock is read

    assert (again.files, again.unchanged) == (0, 1)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (outbox / tenant.bce).iterdir()} == before
    run(conn, outbox, RUN_DATE + timedelta(days=1))
    first, second = journal(world.engine, tenant, "IDENTITY_CHANGED")
    assert sequences(outbox / tenant.bce / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml") == [first]
    assert sequences(outbox / tenant.bce / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260116.xml") == [second]


def test_a_new_subscription_starts_from_the_journals_present_not_its_past(world, subscriber, conn, outbox):
    tenant = subscriber()
    ssin = world.person()
    line(world.engine, tenant, ssin)
    rename(world.engine, ssin, "Peters")  # journaled for the tenant, before it subscribed
    subscribe(world.engine, tenant, "IDENTITY_CHANGED")
    rename(world.engine, ssin, "Pieters")

    run(conn, outbox, RUN_DATE)

    past, present = journal(world.engine, tenant, "IDENTITY_CHANGED")
    assert sequences(outbox / tenant.bce / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml") == [present]


def test_a_date_before_the_last_one_delivered_is_skipped(world, subscriber, conn, outbox):
    tenant = subscriber("IDENTITY_CHANGED")
    run(conn, outbox, RUN_DATE)

    earlier = run(conn, outbox, RUN_DATE - timedelta(days=1))

    assert (earlier.files, earlier.skipped) == (0, 1)
    assert not (outbox / tenant.bce / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260114.xml").exists()


def test_a_run_date_after_today_is_refused(world, subscriber, conn, outbox):
    subscriber("IDENTITY_CHANGED")
    with pytest.raises(job.BatchError, match="after today"):
        run(conn, outbox, _today(world.engine) + timedelta(days=1))
    assert not outbox.exists() or not any(outbox.rglob("*.xml"))


def test_a_rerun_writes_a_delivered_file_that_has_gone_again_byte_for_byte(world, subscriber, conn, outbox, renamed):
    tenant, ssin = renamed
    run(conn, outbox, RUN_DATE)
    folder = outbox / tenant.bce
    delivered = {p.name: p.read_bytes() for p in folder.iterdir()}
    for path in folder.iterdir():  # an outbox restored from a snapshot older than the run
        path.unlink()
    rename(world.engine, ssin, "Pieters")

    again = run(conn, outbox, RUN_DATE, clock=lambda: 1 / 0)

    assert (again.files, again.restored) == (0, 1)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == delivered


def test_a_delivered_file_that_cannot_be_rebuilt_identically_fails_its_subscription_only(
    world, subscriber, conn, outbox, engine
):
    tenant = subscriber("IDENTITY_CHANGED")
    run(conn, outbox, RUN_DATE)
    data = outbox / tenant.bce / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml"
    data.unlink()
    with engine.begin() as c:
        c.execute(text("UPDATE delivery SET sha256 = repeat('0', 64)"))

    other = subscriber("IDENTITY_CHANGED")

    summary = run(conn, outbox, RUN_DATE)

    assert len(summary.failed) == 1 and "not rebuilt byte for byte" in summary.failed[0]
    assert not data.exists() and not list(data.parent.glob(".*.part"))
    assert summary.files == 1 and (outbox / other.bce).exists()  # the other subscriber was served


def test_the_delivery_row_records_what_the_voucher_says(world, subscriber, conn, outbox, engine, renamed):
    tenant, ssin = renamed
    run(conn, outbox, RUN_DATE)

    with engine.connect() as c:
        row = c.execute(text("SELECT * FROM delivery")).mappings().one()
        cursor = c.execute(text("SELECT delivered_through FROM subscription")).scalar_one()
    data = outbox / tenant.bce / row["file_name"]
    assert row["voucher_name"] == data.name.replace(".xml", ".voucher.xml")
    assert row["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert (row["size_bytes"], row["record_count"], row["run_date"]) == (data.stat().st_size, 1, RUN_DATE)
    assert row["first_sequence"] == row["last_sequence"] == cursor == journal(engine, tenant, "IDENTITY_CHANGED")[0]
