"""The XSDs under xsd/ compile in every tool a recipient may use, and share the WSDLs' simple types."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT / "xsd").glob("*.xsd"))
XS = "{http://www.w3.org/2001/XMLSchema}"
# the WSDLs' common simple types (urn:be:raas:common:v1) that the nightly files use
SHARED = ("ssin", "incompleteDate", "gender", "text", "code")


def test_there_are_the_five_schemas_of_the_contract():
    assert [p.name for p in SCHEMAS] == [
        "mutations-v1.xsd", "network-feed-v1.xsd", "network-v1.xsd", "source-feed-v1.xsd", "voucher-v1.xsd"
    ]  # fmt: skip


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_a_schema_compiles_in_lxml_and_xmlschema(path):
    etree.XMLSchema(etree.parse(str(path)))
    assert xmlschema.XMLSchema(str(path)).target_namespace.startswith("urn:be:raas:")


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint (Debian: libxml2-utils) is not installed")
@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_a_schema_compiles_in_xmllint(path):
    # an empty document fails validation, which xmllint reports only once the schema compiled
    done = subprocess.run(
        ["xmllint", "--noout", "--schema", str(path), "-"], input=b"<empty/>", capture_output=True, timeout=30
    )
    assert b"fails to validate" in done.stderr, done.stderr.decode()
    assert b"failed to compile" not in done.stderr


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_a_schema_and_its_root_elements_are_documented(path):
    root = etree.parse(str(path)).getroot()
    assert root.find(f"{XS}annotation/{XS}documentation") is not None
    for element in root.findall(f"{XS}element"):
        assert element.find(f"{XS}annotation") is not None, element.get("name")


def _simple_types(root) -> dict[str, bytes]:
    """name -> the restriction's canonical XML, prefixes and annotations aside."""
    types = {}
    for simple in root.iter(f"{XS}simpleType"):
        restriction = simple.find(f"{XS}restriction")
        facets = sorted((etree.QName(f).localname, f.get("value")) for f in restriction)
        types[simple.get("name")] = (restriction.get("base").split(":")[-1], facets)
    return types


def test_the_mutation_file_uses_the_simple_types_of_the_wsdls_common_schema():
    wsdl = etree.parse(str(ROOT / "wsdl" / "RegisterService.wsdl")).getroot()
    common = next(s for s in wsdl.iter(f"{XS}schema") if s.get("targetNamespace") == "urn:be:raas:common:v1")
    mutations = _simple_types(etree.parse(str(ROOT / "xsd" / "mutations-v1.xsd")).getroot())
    wsdl_types = _simple_types(common)
    for name in SHARED:
        assert mutations[name] == wsdl_types[name], name


@pytest.mark.parametrize("name", ["network-v1.xsd", "network-feed-v1.xsd"])
def test_the_network_schemas_use_the_simple_types_of_the_wsdls(name):
    wsdl = etree.parse(str(ROOT / "wsdl" / "RegisterService.wsdl")).getroot()
    common = _simple_types(
        next(s for s in wsdl.iter(f"{XS}schema") if s.get("targetNamespace") == "urn:be:raas:common:v1")
    )
    subscription = etree.parse(str(ROOT / "wsdl" / "SubscriptionService.wsdl")).getroot()
    flow = _simple_types(subscription)["flow"]
    network = _simple_types(etree.parse(str(ROOT / "xsd" / name)).getroot())
    for shared in ("ssin", "code"):
        if shared in network:
            assert network[shared] == common[shared], shared
    assert network["flow"] == flow
