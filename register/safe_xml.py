"""The one way RaaS reads XML it did not write itself: SOAP requests, source feeds, the batch's read-back.

Entities are never resolved, no DTD is loaded, nothing is fetched from the
network, and nesting deeper than libxml2's default limit (256) is refused
(no ``huge_tree``). Callers still refuse a DOCTYPE they find (``has_doctype``):
lxml keeps an internal subset without acting on it.

lxml parsers must not be shared between threads (gunicorn's gthread workers),
so each thread gets its own. The XSDs of xsd/ are compiled once per process.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

# The options of every parser here, also for lxml's iterparse (which builds its own).
OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}

# The schemas read at run time (CONTRACT.md sections 6, 7): package data, the bytes of the
# repository's published xsd/ (tests/unit/test_package_data.py holds them equal).
XSD = resources.files("register") / "xsd"

_local = threading.local()


def parser() -> etree.XMLParser:
    """This thread's hardened parser."""
    found = getattr(_local, "parser", None)
    if found is None:
        found = _local.parser = etree.XMLParser(**OPTIONS, collect_ids=False)
    return found


def fromstring(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser())


def parse(path: str | Path) -> etree._ElementTree:
    return etree.parse(str(path), parser())


def has_doctype(tree: etree._ElementTree) -> bool:
    return bool(tree.docinfo.doctype) or tree.docinfo.internalDTD is not None


@cache
def schema(name: str) -> etree.XMLSchema:
    """The package's xsd/<name>, compiled once per process. Parsed from its file, so that the
    schemas it imports (xsd/w3c/) are found beside it: the package is installed as files."""
    return etree.XMLSchema(parse(Path(str(XSD.joinpath(name)))))
