"""The published WSDLs: built from the code, committed under wsdl/, held equal by a test.

`python -m register.soap.wsdl [DIR]` (or `make wsdl`) writes them into DIR
(default wsdl/) with the default public URL, http://127.0.0.1:8000, indented
for review; the test compares them with the served ones as parsed XML.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree
from spyne.interface.wsdl import Wsdl11

from register.soap import application

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


XS = "http://www.w3.org/2001/XMLSchema"
_KIND_ORDER = {f"{{{XS}}}{kind}": i for i, kind in enumerate(("import", "simpleType", "complexType", "element"))}


def document(wsgi_app, name: str, public_url: str) -> bytes:
    wsdl = Wsdl11(wsgi_app.app.interface)
    wsdl.build_interface_document(f"{public_url.rstrip('/')}/ws/{name}")
    return _stable(wsdl.get_interface_document())


def _stable(content: bytes) -> bytes:
    """Spyne declares schema types in an order that depends on the process (sets of classes
    hashed by id): sort each schema's declarations so every process publishes the same bytes."""
    root = etree.fromstring(content)
    for schema in root.iter(f"{{{XS}}}schema"):
        children = list(schema)
        children.sort(key=lambda e: (_KIND_ORDER.get(e.tag, 9), e.get("name") or e.get("namespace") or ""))
        schema[:] = children
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def documents(public_url: str = DEFAULT_PUBLIC_URL) -> dict[str, bytes]:
    return {
        name: document(
            application.build_service(application.Services(None, None, None, None), name, classes, tns, 0),
            name,
            public_url,
        )
        for name, (classes, tns) in application.SERVICES.items()
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "wsdl")
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in documents().items():
        pretty = etree.tostring(etree.fromstring(content), pretty_print=True, xml_declaration=True, encoding="UTF-8")
        (folder / f"{name}.wsdl").write_bytes(pretty)
        print(f"wrote {folder / name}.wsdl")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
