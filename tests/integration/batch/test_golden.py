"""Golden nightly files (xsd/examples/): a fixed scenario gives these bytes, file and voucher.

They show recipients what the files look like, and hold the format still: a
change of a byte is a change of the published format. RAAS_UPDATE_GOLDEN=1
rewrites them from what the run writes (then review the diff).
"""

from __future__ import annotations

import os

import pytest
import xmlschema
from sqlalchemy import text

from register import safe_xml
from register.batch import validation
from register.domain.person import Address
from tests.integration.batch.conftest import ROOT, line, rename, replace, run
from tests.integration.batch.test_files import RUN_DATE

EXAMPLES = ROOT / "xsd" / "examples"
BCE = "0203040596"
JAN, MARIE, LUC, NEW_LUC = "85073003328", "90020212372", "77123145624", "77123145723"
NAMES = [
    f"RAAS_{BCE}_{flow}_20260115{kind}.xml"
    for flow in ("IDENTITY_CHANGED", "SSIN_REPLACED")
    for kind in ("", ".voucher")
]


@pytest.fixture
def scenario(world, subscriber, engine):
    with engine.begin() as c:
        c.execute(text("ALTER TABLE journal ALTER COLUMN sequence RESTART"))
    tenant = subscriber("SSIN_REPLACED", "IDENTITY_CHANGED", dossier_types=("SOCIAL", "ALLOWANCE"), bce=BCE)
    world.person("Peeters", "Jan", "1985-07-30", "M", ssin=JAN)
    world.person("Janssens", "Marie", "1990-02-02", "F", ssin=MARIE)
    world.person("Dubois", "Luc", "1977-12-31", "M", ssin=LUC)
    world.person("Dubois", "Luc", "1977-12-31", "M", ssin=NEW_LUC)
    for ssin, dossier_type in ((JAN, "SOCIAL"), (MARIE, "SOCIAL"), (LUC, "SOCIAL"), (LUC, "ALLOWANCE")):
        line(engine, tenant, ssin, dossier_type)
    rename(engine, JAN, "Peeters-D'Hondt", "Jan", "1985-07-30", "M", nationality="BE",
           address=Address("Rue de l'Église & Fils", "12", "b", "1000", "Bruxelles", "BE"))  # fmt: skip
    rename(engine, MARIE, "Janssens", "Marie", "1990-02-00", None)
    replace(engine, LUC, NEW_LUC)
    with engine.begin() as c:
        c.execute(text("UPDATE journal SET recorded_on = DATE '2026-01-14'"))
    return tenant


def test_the_fixed_scenario_writes_the_golden_files(scenario, conn, outbox):
    run(conn, outbox, RUN_DATE)

    written = {path.name: path.read_bytes() for path in (outbox / BCE).iterdir()}
    assert sorted(written) == sorted(NAMES)
    if os.environ.get("RAAS_UPDATE_GOLDEN"):
        EXAMPLES.mkdir(exist_ok=True)
        for name, content in written.items():
            (EXAMPLES / name).write_bytes(content)
    for name in NAMES:
        assert written[name] == (EXAMPLES / name).read_bytes(), name


@pytest.mark.parametrize("name", NAMES)
def test_a_golden_file_is_valid_against_its_schema_in_lxml_and_xmlschema(name):
    schema = "voucher-v1.xsd" if ".voucher" in name else "mutations-v1.xsd"
    path = EXAMPLES / name
    safe_xml.schema(schema).assertValid(validation.etree.parse(str(path)))
    xmlschema.XMLSchema(str(ROOT / "xsd" / schema)).validate(str(path))
