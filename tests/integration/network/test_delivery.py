"""Network flows' nightly files (CONTRACT.md sections 5, 6 and 9): NetworkFile and voucher, the subscription's
filter, an ended authorization holding records back for good, exactly once when a run is killed."""

from __future__ import annotations

import hashlib
import signal
from datetime import date
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from sqlalchemy import text

from register import safe_xml
from tests.integration.batch.conftest import Subscriber as Tenant
from tests.integration.batch.conftest import raas, run, subscribe
from tests.integration.batch.test_exactly_once import batch_run, final_names_without_voucher, kill_before
from tests.integration.network.conftest import DIMONA_NS, Record, declaration, grant, line

N = "{urn:be:raas:network:v1}"
VNS = "{urn:be:raas:voucher:v1}"
RUN_DATE, NEXT_DATE = date(2026, 1, 15), date(2026, 1, 16)
XSD = Path(str(safe_xml.XSD))  # the packaged schemas (the published bytes)


@pytest.fixture
def tenant(world, flows, dimona) -> Tenant:
    """A tenant with dossier types A and B, authorized for DIMONA since 2020, subscribed to it."""
    bce = world.tenant("A", "B")
    found = Tenant(bce, world.tenants.id_of(bce))
    grant(flows, bce, dimona)
    subscribe(world.engine, found, dimona)
    return found


def data_file(outbox, tenant, day=RUN_DATE):
    return outbox / tenant.bce / f"RAAS_{tenant.bce}_DIMONA_{day:%Y%m%d}.xml"


def records(path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall(f"{N}record")


def references(outbox, tenant, days=(RUN_DATE,)) -> list[str]:
    found = []
    for day in days:
        path = data_file(outbox, tenant, day)
        if path.with_name(path.name.replace(".xml", ".voucher.xml")).exists():
            found += [r.findtext(f"{N}reference") for r in records(path)]
    return found


def test_a_network_subscriber_receives_a_valid_network_file_and_its_voucher(
    world, flows, dimona, tenant, conn, outbox, write_feed
):
    jan, old, new = world.person(), world.person(), world.person()
    world.set_status(old, "REPLACED", new)
    line(world.engine, tenant.id, jan, "A")
    line(world.engine, tenant.id, new, "A")
    line(world.engine, tenant.id, new, "B", "2024-01-01")
    payload = (
        f'<d:declaration xmlns:d="{DIMONA_NS}"><employer>Rue &lt;Haute&gt; &amp; Fils&#13;\n</employer></d:declaration>'
    )
    flows.ingest(write_feed(dimona, Record("D-1", jan, payload=payload), Record("D-2", old, kind="OUT")))

    summary = run(conn, outbox, RUN_DATE)

    assert (summary.files, summary.records) == (1, 2)
    path = data_file(outbox, tenant)
    content = path.read_bytes()
    voucher_path = path.with_name(path.name.replace(".xml", ".voucher.xml"))
    for schema, document in (("network-v1.xsd", path), ("voucher-v1.xsd", voucher_path)):
        safe_xml.schema(schema).assertValid(etree.parse(str(document)))
        xmlschema.XMLSchema(str(XSD / schema)).validate(str(document))
    voucher = etree.parse(str(voucher_path)).getroot()
    assert voucher.findtext(f"{VNS}schema") == "urn:be:raas:network:v1"
    assert voucher.findtext(f"{VNS}sha256") == hashlib.sha256(content).hexdigest()
    first, second = records(path)
    assert [first.findtext(f"{N}{f}") for f in ("reference", "ssin", "eventDate", "kind")] == [
        "D-1", jan, "2024-03-01", "IN",
    ]  # fmt: skip
    assert first.find(f"{N}originalSsin") is None
    assert [e.text for e in first.findall(f"{N}dossierType")] == ["A"]
    (delivered,) = first.find(f"{N}payload")
    assert etree.tostring(delivered, method="c14n", exclusive=True) == etree.tostring(
        etree.fromstring(payload.encode()), method="c14n", exclusive=True
    )  # unchanged: same namespace, same content (the carriage return included)
    assert delivered.findtext("employer") == "Rue <Haute> & Fils\r\n"
    assert (second.findtext(f"{N}ssin"), second.findtext(f"{N}originalSsin")) == (new, old)
    assert [e.text for e in second.findall(f"{N}dossierType")] == ["A", "B"]


def test_a_filter_delivers_only_its_dossier_types_and_passes_the_others_over(
    world, flows, dimona, tenant, conn, outbox, write_feed, engine
):
    jan, marie = world.person(), world.person("Janssens", "Marie", "1990-02-02", "F")
    line(engine, tenant.id, jan, "A")
    line(engine, tenant.id, jan, "B")
    line(engine, tenant.id, marie, "A")
    with engine.begin() as c:
        c.execute(text("UPDATE subscription SET dossier_types = '{B}' WHERE tenant_id = :t"), {"t": tenant.id})
    flows.ingest(write_feed(dimona, Record("D-1", jan), Record("D-2", marie)))

    run(conn, outbox, RUN_DATE)

    (only,) = records(data_file(outbox, tenant))
    assert only.findtext(f"{N}reference") == "D-1"
    assert [e.text for e in only.findall(f"{N}dossierType")] == ["B"]
    with engine.begin() as c:  # the filter lifted: what was passed over stays so
        c.execute(text("UPDATE subscription SET dossier_types = NULL WHERE tenant_id = :t"), {"t": tenant.id})
    run(conn, outbox, NEXT_DATE)
    assert records(data_file(outbox, tenant, NEXT_DATE)) == []


def test_an_authorization_revoked_between_ingest_and_delivery_holds_records_back_for_good(
    world, flows, dimona, tenant, conn, outbox, write_feed, engine
):
    jan = world.person()
    line(engine, tenant.id, jan)
    flows.ingest(write_feed(dimona, Record("D-1", jan)))
    flows.revoke(tenant.bce, dimona, RUN_DATE)  # from the run date on: none

    summary = run(conn, outbox, RUN_DATE)

    assert summary.held_back == 1 and "1 network records held back for good" in summary.line()
    assert records(data_file(outbox, tenant)) == []  # the file is written all the same, empty
    grant(flows, tenant.bce, dimona, date(2026, 1, 16), ref="renewed")
    run(conn, outbox, NEXT_DATE)
    assert records(data_file(outbox, tenant, NEXT_DATE)) == []


@pytest.mark.parametrize(
    "target",
    ["register.adapters.outbox.write_file", "register.adapters.deliveries.record", "register.batch.job._deliver"],
)
def test_a_killed_run_and_its_rerun_deliver_each_network_record_exactly_once(
    world, flows, dimona, tenant, database_url, outbox, write_feed, engine, target
):
    jan = world.person()
    line(engine, tenant.id, jan)
    flows.ingest(write_feed(dimona, *(Record(f"D-{i}", jan) for i in range(3))))

    code, _, _ = batch_run(database_url, outbox, python=kill_before(target))

    assert code == -signal.SIGKILL
    flows.ingest(write_feed(dimona, Record("D-late", jan)))  # recorded after the killed run, before the rerun
    code, out, err = batch_run(database_url, outbox)
    assert code == 0, err
    code, out, err = batch_run(database_url, outbox, date="2026-01-16")
    assert code == 0, err
    assert sorted(references(outbox, tenant, (RUN_DATE, NEXT_DATE))) == ["D-0", "D-1", "D-2", "D-late"]
    assert final_names_without_voucher(outbox) == []


def test_a_data_file_restored_from_the_journal_is_the_same_byte_for_byte(
    world, flows, dimona, tenant, conn, outbox, write_feed, engine
):
    jan = world.person()
    line(engine, tenant.id, jan, "A")
    line(engine, tenant.id, jan, "B")
    with engine.begin() as c:
        c.execute(text("UPDATE subscription SET dossier_types = '{B}' WHERE tenant_id = :t"), {"t": tenant.id})
    flows.ingest(write_feed(dimona, Record("D-1", jan, payload=declaration("Zoë & Noël"))))
    run(conn, outbox, RUN_DATE)
    path = data_file(outbox, tenant)
    written = path.read_bytes()
    path.unlink()
    with engine.begin() as c:  # the filter changed since: the file is rebuilt with the one it was written with
        c.execute(text("UPDATE subscription SET dossier_types = NULL WHERE tenant_id = :t"), {"t": tenant.id})

    summary = run(conn, outbox, RUN_DATE)

    assert summary.restored == 1 and path.read_bytes() == written


def test_the_cli_says_how_many_records_were_held_back(world, flows, dimona, tenant, database_url, outbox, write_feed):
    jan = world.person()
    line(world.engine, tenant.id, jan)
    flows.ingest(write_feed(dimona, Record("D-1", jan)))
    flows.revoke(tenant.bce, dimona, RUN_DATE)
    proc = raas(database_url, outbox, "batch", "run", "--date", RUN_DATE.isoformat())
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "1 network records held back for good (no authorization on the run date)" in out


def test_a_rerun_of_a_delivered_date_changes_nothing_byte_for_byte(
    world, flows, dimona, tenant, conn, outbox, write_feed, engine
):
    jan = world.person()
    line(engine, tenant.id, jan)
    flows.ingest(write_feed(dimona, Record("D-1", jan)))
    run(conn, outbox, RUN_DATE)
    before = {p.name: p.read_bytes() for p in (outbox / tenant.bce).iterdir()}
    flows.ingest(write_feed(dimona, Record("D-2", jan)))  # after the run: for the next date

    summary = run(conn, outbox, RUN_DATE)

    assert summary.unchanged == 1 and summary.files == 0
    assert {p.name: p.read_bytes() for p in (outbox / tenant.bce).iterdir()} == before


def test_a_filter_applies_to_the_register_flows_too(world, subscriber, conn, outbox, engine):
    """CONTRACT.md section 5 (1.1): a mutation of SSIN_REPLACED or IDENTITY_CHANGED is delivered when one of the
    lines that made the tenant concerned has a type of the filter; ssinReplaced lists those types only."""
    from tests.integration.batch.conftest import line as batch_line
    from tests.integration.batch.conftest import rename, replace

    tenant = subscriber("SSIN_REPLACED", "IDENTITY_CHANGED")
    with engine.begin() as c:
        c.execute(text("UPDATE subscription SET dossier_types = '{B}' WHERE tenant_id = :t"), {"t": tenant.id})
    only_a, both, new = world.person(), world.person("Janssens", "Marie", "1990-02-02", "F"), world.person()
    batch_line(engine, tenant, only_a, "A")
    batch_line(engine, tenant, both, "A")
    batch_line(engine, tenant, both, "B")
    rename(engine, only_a, "Peters")  # concerned through A only: filtered out
    rename(engine, both, "Janssen", "Marie", "1990-02-02", "F")
    replace(engine, both, new)

    run(conn, outbox, RUN_DATE)

    folder = outbox / tenant.bce
    m = "{urn:be:raas:mutations:v1}"
    changed = etree.parse(str(folder / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml")).getroot()
    assert [r.findtext(f"{m}ssin") for r in changed.findall(f"{m}identityChanged")] == [both]
    replaced = etree.parse(str(folder / f"RAAS_{tenant.bce}_SSIN_REPLACED_20260115.xml")).getroot()
    (record,) = replaced.findall(f"{m}ssinReplaced")
    assert [e.text for e in record.findall(f"{m}dossierType")] == ["B"]
