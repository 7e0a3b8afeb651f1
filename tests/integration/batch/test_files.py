"""The nightly files (CONTRACT.md section 6): content, scope, validity, vouchers, reruns."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import xmlschema
from lxml import etree
from sqlalchemy import text

from batch import validation
from tests.integration.batch.conftest import journal, line, rename, replace, run

NS = "{urn:be:raas:mutations:v1}"
VNS = "{urn:be:raas:voucher:v1}"
RUN_DATE = date(2026, 1, 15)
XSD = validation.XSD


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
