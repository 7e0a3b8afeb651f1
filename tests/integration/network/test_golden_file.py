"""The golden NetworkFile (xsd/examples/): a fixed scenario gives these bytes, data file and voucher.

They show recipients what a network flow's files look like and hold the format
still. RAAS_UPDATE_GOLDEN=1 rewrites them from what the run writes (then review the diff).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import text

from register import safe_xml
from register.batch import validation
from tests.integration.batch.conftest import ROOT, run, subscribe
from tests.integration.batch.conftest import Subscriber as Tenant
from tests.integration.network.conftest import DIMONA_NS, Record, declaration, grant, line

EXAMPLES = ROOT / "xsd" / "examples"
BCE = "0203040596"
JAN, LUC, NEW_LUC = "85073003328", "77123145624", "77123145723"
NAMES = [f"RAAS_{BCE}_DIMONA_20260115{kind}.xml" for kind in ("", ".voucher")]


@pytest.fixture
def scenario(world, flows, dimona, engine, write_feed):
    with engine.begin() as c:
        c.execute(text("ALTER TABLE journal ALTER COLUMN sequence RESTART"))
    world.tenants.create(BCE, "Golden tenant")
    for code in ("SOCIAL", "ALLOWANCE"):
        world.tenants.add_dossier_type(BCE, code, code.title())
    tenant = Tenant(BCE, world.tenants.id_of(BCE))
    world.person("Peeters", "Jan", "1985-07-30", "M", ssin=JAN)
    world.person("Dubois", "Luc", "1977-12-31", "M", ssin=LUC)
    world.person("Dubois", "Luc", "1977-12-31", "M", ssin=NEW_LUC)
    world.set_status(LUC, "REPLACED", NEW_LUC)
    line(engine, tenant.id, JAN, "SOCIAL", "2024-01-01")
    line(engine, tenant.id, NEW_LUC, "SOCIAL", "2023-01-01")
    line(engine, tenant.id, NEW_LUC, "ALLOWANCE", "2024-01-01", "2024-12-31")
    grant(flows, BCE, dimona, ref="SCSZ/24/001")
    subscribe(engine, tenant, dimona)
    unqualified = (
        f'<d:declaration xmlns:d="{DIMONA_NS}"><employer>Brasserie L\'Étoile &amp; Fils</employer></d:declaration>'
    )
    flows.ingest(
        write_feed(
            dimona,
            Record("DIMONA-2026-000001", JAN, "2026-01-12", "IN", declaration("ACME & Co", "200")),
            Record("DIMONA-2026-000002", LUC, "2024-06-30", "OUT", unqualified),
        )
    )
    with engine.begin() as c:
        c.execute(text("UPDATE journal SET recorded_on = DATE '2026-01-14'"))
    return tenant


def test_the_fixed_scenario_writes_the_golden_network_file(scenario, conn, outbox):
    run(conn, outbox, date(2026, 1, 15))

    written = {path.name: path.read_bytes() for path in (outbox / BCE).iterdir()}
    assert sorted(written) == sorted(NAMES)
    if os.environ.get("RAAS_UPDATE_GOLDEN"):
        for name, content in written.items():
            (EXAMPLES / name).write_bytes(content)
    for name in NAMES:
        assert written[name] == (EXAMPLES / name).read_bytes(), name


@pytest.mark.parametrize("name", NAMES)
def test_a_golden_network_file_is_valid_against_its_schema_in_lxml_and_xmlschema(name):
    schema = "voucher-v1.xsd" if ".voucher" in name else "network-v1.xsd"
    path = EXAMPLES / name
    safe_xml.schema(schema).assertValid(validation.etree.parse(str(path)))
    xmlschema.XMLSchema(str(Path(str(safe_xml.XSD)) / schema)).validate(str(path))
