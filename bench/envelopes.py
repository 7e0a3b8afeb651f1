"""SOAP 1.1 requests as the benchmarks send them: envelopes, the WS-Security header, operations, one POST.

The service's XML namespaces are imported here only; the other bench modules take them from here.
"""

from __future__ import annotations

import http.client
from datetime import date
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from register.soap.namespaces import COMMON, PASSWORD_TEXT, PERSON, REGISTER, ROUTING, SOAP_ENV, WSSE

ECHO_NS = "urn:be:raas:bench:echo"  # the echo ceiling's service (bench/servers.py)
ECHO_TEXT = "85073000123"
SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}


def security_header(username: str, password: str, must_understand: bool = True) -> str:
    """A WS-Security 1.0 UsernameToken with a PasswordText password, as RaaS expects it."""
    understand = ' soapenv:mustUnderstand="1"' if must_understand else ""
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}"{understand}><wsse:UsernameToken>'
        f"<wsse:Username>{escape(username)}</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_TEXT}">{escape(password)}</wsse:Password>'
        "</wsse:UsernameToken></wsse:Security>"
    )


def envelope_parts(header: str, namespaces: dict[str, str] | None = None) -> tuple[str, str]:
    """The envelope before and after the operation element; ``namespaces``: prefixes declared on it too."""
    declared = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in (namespaces or {}).items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}"{declared}>'
        f"<soapenv:Header>{header}</soapenv:Header><soapenv:Body>",
        "</soapenv:Body></soapenv:Envelope>",
    )


def envelope(header: str, operation: str, namespaces: dict[str, str] | None = None) -> str:
    prefix, suffix = envelope_parts(header, namespaces)
    return prefix + operation + suffix


# The same header size as a real call (the credentials are not checked by the echo service).
ECHO_REQUEST = envelope(
    security_header("bench", "x" * 32),
    f'<e:echo xmlns:e="{ECHO_NS}"><e:text>{ECHO_TEXT}</e:text></e:echo>',
).encode()


def _period(start: date, end: date | None) -> str:
    end_xml = f"<c:endDate>{end.isoformat()}</c:endDate>" if end else ""
    return f"<r:period><c:startDate>{start.isoformat()}</c:startDate>{end_xml}</r:period>"


def register_person(ssin: str, dossier_type: str, start: date, end: date | None, identity: tuple | None) -> str:
    """The registerPerson element; ``identity``: (last name, birth date, gender or None) to compare, or None."""
    ident = ""
    if identity:
        last_name, birth_date, gender = identity
        ident = (
            f"<r:identity><c:lastName>{escape(last_name)}</c:lastName><c:birthDate>{birth_date}</c:birthDate>"
            + (f"<c:gender>{gender}</c:gender>" if gender else "")
            + "</r:identity>"
        )
    return (
        f'<r:registerPerson xmlns:r="{REGISTER}" xmlns:c="{COMMON}"><r:ssin>{ssin}</r:ssin>'
        f"<r:dossierType>{dossier_type}</r:dossierType>{_period(start, end)}{ident}</r:registerPerson>"
    )


def list_registrations(ssin: str) -> str:
    return f'<r:listRegistrations xmlns:r="{REGISTER}"><r:ssin>{ssin}</r:ssin></r:listRegistrations>'


def search_person(
    header: str,
    last_name: str,
    first_name: str | None,
    birth_date: str | None,
    tolerance: int = 0,
    gender: str | None = None,
) -> bytes:
    """A whole searchPersonByPhoneticCriteria request (at most 10 results); empty criteria are left out."""
    fields = [("lastName", last_name), ("firstName", first_name), ("birthDate", birth_date)]
    if tolerance:
        fields.append(("tolerance", str(tolerance)))
    fields += [("gender", gender), ("maxResults", "10")]
    criteria = "".join(f"<p:{n}>{escape(v)}</p:{n}>" for n, v in fields if v)
    operation = f"<p:searchPersonByPhoneticCriteria>{criteria}</p:searchPersonByPhoneticCriteria>"
    return envelope(header, operation, {"p": PERSON}).encode()


def find_holders(header: str, ssin: str) -> bytes:
    """A whole RoutingService findHolders request (the day: today)."""
    return envelope(header, f"<r:findHolders><r:ssin>{ssin}</r:ssin></r:findHolders>", {"r": ROUTING}).encode()


def connection(url: str, timeout: float = 30) -> http.client.HTTPConnection:
    """A keep-alive connection to the server of ``url``."""
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def send(conn: http.client.HTTPConnection, path: str, body: bytes) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One SOAP call on an open connection: status, body, headers."""
    conn.request("POST", path, body, SOAP_HEADERS)
    response = conn.getresponse()
    return response.status, response.read(), response.headers


def post(
    url: str, body: bytes, conn: http.client.HTTPConnection | None = None
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One SOAP call; on ``conn`` (kept open) if given, else on a connection of its own."""
    own = conn is None
    conn = conn or connection(url)
    try:
        return send(conn, urlsplit(url).path, body)
    finally:
        if own:
            conn.close()
