"""The schemas `raas` reads at run time ship inside the package (register/xsd/), with the very bytes of
the published copies at the repository's root (xsd/), which recipients and clients download."""

from __future__ import annotations

from pathlib import Path

from register import safe_xml

PUBLISHED = Path(__file__).resolve().parents[2] / "xsd"


def test_every_published_schema_is_in_the_package_with_the_same_bytes():
    published = {str(path.relative_to(PUBLISHED)): path.read_bytes() for path in PUBLISHED.rglob("*.xsd")}
    packaged_root = Path(str(safe_xml.XSD))
    packaged = {str(path.relative_to(packaged_root)): path.read_bytes() for path in packaged_root.rglob("*.xsd")}
    assert published, "no published schema found"
    assert packaged.keys() == published.keys()
    assert {name for name in published if packaged[name] != published[name]} == set()


def test_the_packaged_schemas_compile():
    for entry in safe_xml.XSD.iterdir():
        if entry.name.endswith(".xsd"):
            assert safe_xml.schema(entry.name) is not None
