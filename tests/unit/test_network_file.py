"""A network flow's data file (batch/network_file.py): what the text writer writes is valid against
xsd/network-v1.xsd, carries payloads unchanged, and the read-back check (batch/validation.py, NETWORK)
refuses a damaged one naming its line."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from register import safe_xml
from register.batch import network_file, validation
from register.batch.mutation_file import Header

N = "{urn:be:raas:network:v1}"
PAYLOAD = '<d:declaration xmlns:d="urn:example:dimona:v1"><employer>A &amp; B &lt;C&gt;&#xD;</employer></d:declaration>'
NESTED = '<x:m xmlns:x="urn:x"><n:record xmlns:n="urn:be:raas:network:v1"><n:sequence>1</n:sequence></n:record></x:m>'


def rows(count: int, payload: str = PAYLOAD) -> list[tuple]:
    return [
        (n, date(2026, 1, 14), "77123145723", "77123145624" if n % 2 else "77123145723", date(2024, 6, 30), "OUT",
         ["ALLOWANCE", "SOCIAL"], f"R&D/<{n}>", payload)
        for n in range(1, count + 1)
    ]  # fmt: skip


def write(tmp_path, records: list[tuple]):
    first, last = (records[0][0], records[-1][0]) if records else (None, None)
    header = Header("0203040596", "DIMONA", date(2026, 1, 15), first, last, len(records),
                    datetime(2026, 1, 15, 1, 30, tzinfo=timezone(timedelta(hours=1))))  # fmt: skip
    path = tmp_path / "RAAS_0203040596_DIMONA_20260115.xml"
    path.write_text("".join(network_file.render(header, records)), encoding="utf-8")
    return path


@pytest.mark.parametrize("count", [0, 1, 3 * validation._SLICE + 7])
def test_a_network_file_as_written_is_valid_and_passes_the_read_back_check(tmp_path, count):
    path = write(tmp_path, rows(count))
    checked = validation.check_data_file(path, count, 1 if count else None, count or None, validation.NETWORK)
    assert checked.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    safe_xml.schema("network-v1.xsd").assertValid(etree.parse(str(path)))
    if count <= 1:
        xmlschema.XMLSchema(str(Path(str(safe_xml.XSD)) / "network-v1.xsd")).validate(str(path))


def test_a_record_carries_its_fields_escaped_and_its_payload_unchanged(tmp_path):
    (first, second) = etree.parse(str(write(tmp_path, rows(2)))).getroot().findall(f"{N}record")
    assert first.findtext(f"{N}reference") == "R&D/<1>"
    assert (first.findtext(f"{N}ssin"), first.findtext(f"{N}originalSsin")) == ("77123145723", "77123145624")
    assert second.find(f"{N}originalSsin") is None
    (payload,) = first.find(f"{N}payload")
    assert payload.findtext("employer") == "A & B <C>\r"  # a child in no namespace stays in none
    assert etree.tostring(payload, method="c14n", exclusive=True).decode() == PAYLOAD


def test_an_element_of_the_files_namespace_inside_a_payload_is_the_payloads(tmp_path):
    path = write(tmp_path, rows(3, NESTED))
    assert validation.check_data_file(path, 3, 1, 3, validation.NETWORK).record_count == 3


@pytest.mark.parametrize(
    "damage, reason",
    [
        ("<n:kind>OUT</n:kind>", "kind"),
        ("<n:dossierType>ALLOWANCE</n:dossierType><n:dossierType>SOCIAL</n:dossierType>", "dossierType"),
    ],
)
def test_a_damaged_network_file_is_refused_naming_its_line(tmp_path, damage, reason):
    path = write(tmp_path, rows(700))
    content = path.read_text()
    at = content.index("<n:sequence>650<")
    content = content[:at] + content[at:].replace(damage, "", 1)
    path.write_text(content)
    with pytest.raises(validation.InvalidFile, match=rf"line {content[:at].count(chr(10)) + 1}: .*{reason}"):
        validation.check_data_file(path, 700, 1, 700, validation.NETWORK)
