"""Raw SOAP for the end-to-end tests: envelopes, POSTs, fault readers, the WSDL's schemas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
WSDL_FILE = ROOT / "wsdl" / "RegisterService.wsdl"
EXAMPLES = ROOT / "wsdl" / "examples"
COMMITTED_ADDRESS = "http://127.0.0.1:8000/ws/RegisterService"

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
COMMON = "urn:be:raas:common:v1"
REGISTER = "urn:be:raas:register:v1"
PERSON = "urn:be:raas:person:v1"
SUBSCRIPTION = "urn:be:raas:subscription:v1"
ROUTING = "urn:be:raas:routing:v1"
XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
PASSWORD_DIGEST = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


# --- requests -------------------------------------------------------------------------------------


def security_header(username: str, password: str, password_type: str = PASSWORD_TEXT) -> str:
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken><wsse:Username>{username}</wsse:Username>'
        f'<wsse:Password Type="{password_type}">{password}</wsse:Password></wsse:UsernameToken></wsse:Security>'
    )


def envelope(body: str, username: str | None = None, password: str | None = None, header: str | None = None) -> str:
    """A SOAP 1.1 envelope around ``body``, written with the prefixes r: (register) and c: (common)."""
    if header is None:
        header = security_header(username, password) if username is not None else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:r="{REGISTER}" xmlns:c="{COMMON}">'
        f"<soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def register_body(ssin: str, dossier_type: str = "A", start: str = "2020-01-01", end: str | None = None) -> str:
    return (
        f"<r:registerPerson><r:ssin>{ssin}</r:ssin><r:dossierType>{dossier_type}</r:dossierType>"
        f"<r:period><c:startDate>{start}</c:startDate>{f'<c:endDate>{end}</c:endDate>' if end else ''}</r:period>"
        "</r:registerPerson>"
    )


def post(endpoint: str, data, content_type: str = "text/xml; charset=utf-8", **kw) -> requests.Response:
    if isinstance(data, str):
        data = data.encode("utf-8")
    headers = {"Content-Type": content_type, "SOAPAction": '""', **kw.pop("headers", {})}
    return requests.post(endpoint, data=data, headers=headers, timeout=kw.pop("timeout", 30), **kw)


# --- faults ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawFault:
    faultcode: str  # as written: soapenv:Client.<Reason>
    faultcode_namespace: str | None  # the namespace its prefix is bound to, where the fault is
    faultstring: str
    reason_code: str
    diagnostic: str | None
    information: list[tuple[str, str]]


def _information(detail) -> list[tuple[str, str]]:
    return [
        (i.findtext(f"{{{COMMON}}}fieldName"), i.findtext(f"{{{COMMON}}}fieldValue"))
        for i in detail.iterfind(f"{{{COMMON}}}information")
    ]


def read_fault(response: requests.Response) -> RawFault:
    """The fault in an HTTP answer, after checking it is one as the contract wants it."""
    assert response.status_code == 500, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].split(";")[0].strip() == "text/xml", response.headers
    assert response.headers.get("X-Request-Id")
    body = response.content
    lowered = body.lower()
    for leak in (b"<html", b"traceback", b'file "', b"select ", b"insert ", b"psycopg", b"sqlalchemy", b"postgres"):
        assert leak not in lowered, body[:800]
    root = etree.fromstring(body, SAFE_PARSER)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope", body[:500]
    body_element = root.find(f"{{{SOAP_ENV}}}Body")
    assert len(body_element) == 1
    fault = body_element.find(f"{{{SOAP_ENV}}}Fault")
    assert fault is not None, body[:500]
    faultcode = fault.findtext("faultcode")
    prefix, _, local = faultcode.partition(":")
    details = fault.findall(f"detail/{{{COMMON}}}FaultDetail")
    assert len(details) == 1, body[:800]
    return RawFault(
        faultcode,
        fault.nsmap.get(prefix),
        fault.findtext("faultstring"),
        details[0].findtext(f"{{{COMMON}}}reasonCode"),
        details[0].findtext(f"{{{COMMON}}}diagnostic"),
        _information(details[0]),
    )


def assert_raw_fault(response: requests.Response, reason: str, information=None, side: str = "Client") -> RawFault:
    fault = read_fault(response)
    assert (fault.faultcode, fault.reason_code) == (f"soapenv:{side}.{reason}", reason), fault
    assert fault.faultstring and "\n" not in fault.faultstring.strip(), fault
    if information is not None:
        assert fault.information == list(information), fault
    return fault


def assert_fault(excinfo, reason: str, information=None, side: str = "Client"):
    """A zeep Fault as the contract wants it: the QName code, a one-line string, one FaultDetail."""
    exc = getattr(excinfo, "value", excinfo)
    assert exc.code == f"soapenv:{side}.{reason}", (exc.code, exc.message)
    assert exc.message and "\n" not in exc.message.strip(), exc.message
    assert exc.detail is not None and exc.detail.tag == "detail"
    details = exc.detail.findall(f"{{{COMMON}}}FaultDetail")
    assert len(details) == 1, etree.tostring(exc.detail)
    assert details[0].findtext(f"{{{COMMON}}}reasonCode") == reason
    if information is not None:
        assert _information(details[0]) == list(information)
    return exc


def information_of(exc) -> list[tuple[str, str]]:
    return _information(exc.detail.find(f"{{{COMMON}}}FaultDetail"))


# --- the WSDL's schemas ---------------------------------------------------------------------------


def wsdl_schemas(wsdl: etree._Element) -> dict[str, etree._Element]:
    """The xs:schema elements of a WSDL as stand-alone documents, by target namespace.

    Each keeps every namespace declaration in scope in the WSDL (QNames in
    attribute values such as type="s0:ssin" need them).
    """
    schemas = {}
    for schema in wsdl.iterfind(f"{{{WSDL}}}types/{{{XS}}}schema"):
        nsmap = {**wsdl.nsmap, **schema.nsmap}
        copy = etree.Element(schema.tag, schema.attrib, nsmap=nsmap)
        copy.extend(etree.fromstring(etree.tostring(child)) for child in schema)
        schemas[schema.get("targetNamespace")] = copy
    return schemas


def write_schema_files(wsdl: etree._Element, folder: Path) -> Path:
    """The WSDL's schemas as files whose imports point at each other, and a wrapper importing all."""
    schemas = wsdl_schemas(wsdl)
    names = {ns: f"schema{i}.xsd" for i, ns in enumerate(schemas)}
    for ns, schema in schemas.items():
        for imp in schema.iterfind(f"{{{XS}}}import"):
            if imp.get("namespace") in names:
                imp.set("schemaLocation", names[imp.get("namespace")])
        (folder / names[ns]).write_bytes(etree.tostring(schema, xml_declaration=True, encoding="UTF-8"))
    wrapper = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS}, targetNamespace="urn:raas:test:wrapper")
    for ns, name in names.items():
        etree.SubElement(wrapper, f"{{{XS}}}import", namespace=ns, schemaLocation=name)
    path = folder / "all.xsd"
    path.write_bytes(etree.tostring(wrapper, xml_declaration=True, encoding="UTF-8"))
    return path


def canonical(xml: bytes | etree._Element, rewrite_prefixes: bool = False) -> str:
    """C14N 2.0 of ``xml`` with whitespace-only text (pretty-printing) removed; with ``rewrite_prefixes``
    the prefixes are renamed n0, n1... so only namespaces count."""
    root = etree.fromstring(xml, SAFE_PARSER) if isinstance(xml, bytes) else xml
    for node in root.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return etree.canonicalize(root, rewrite_prefixes=rewrite_prefixes)
