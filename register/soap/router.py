"""The WSGI entry point: /ws/<Service> (SOAP, WSDL on ?wsdl) and /healthz, /readyz, /metrics.

Spyne answers the SOAP calls (register.soap.application); around it this module
(1) refuses bodies over the size limit before reading them, (2) serves each
WSDL built once from RAAS_PUBLIC_URL rather than from whichever Host header
came first, (3) turns any error that escapes spyne into a SOAP fault (never an
HTML page), (4) audits every such fault and (5) observes every call (metrics,
one log line).
"""

from __future__ import annotations

import io
import logging
import uuid

from lxml import etree

from register.domain.calls import Call
from register.observability import metrics
from register.observability.calls import ENVIRON_KEY, Observation, observation_of
from register.soap import faults, wsdl
from register.soap.application import SERVICES, Services, build_service
from register.soap.namespaces import SOAP_ENV

log = logging.getLogger("raas.soap")


class Router:
    """The WSGI entry point: dispatches /ws/<Service> to its spyne application."""

    def __init__(self, services: Services, public_url: str, max_request_bytes: int, ready=lambda: True) -> None:
        self.services = services
        self.max_request_bytes = max_request_bytes
        self.public_url = public_url.rstrip("/")
        self.ready = ready
        self.soap = {
            name: build_service(services, name, classes, tns, max_request_bytes)
            for name, (classes, tns) in SERVICES.items()
        }
        self._wsdl: dict[str, bytes] = {}

    def wsdl(self, name: str) -> bytes:
        if name not in self._wsdl:
            self._wsdl[name] = wsdl.document(self.soap[name], name, self.public_url)
        return self._wsdl[name]

    def __call__(self, environ, start_response):
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        environ["raas.request_id"] = request_id
        path = environ.get("PATH_INFO", "")
        try:
            if path == "/healthz":
                return _text(start_response, "200 OK", "ok\n", request_id)
            if path == "/metrics":
                body, content_type = metrics.exposition()
                return _respond(start_response, "200 OK", content_type, body, request_id)
            if path == "/readyz":
                ok = self.ready()
                return _text(
                    start_response,
                    "200 OK" if ok else "503 Service Unavailable",
                    "ready\n" if ok else "not ready\n",
                    request_id,
                )
            name = path[len("/ws/") :].strip("/") if path.startswith("/ws/") else None
            if name not in self.soap:
                return _text(start_response, "404 Not Found", "not found\n", request_id)
            if environ.get("REQUEST_METHOD") == "GET" and environ.get("QUERY_STRING", "").lower() in ("wsdl", "wsdl="):
                return _respond(start_response, "200 OK", "text/xml; charset=utf-8", self.wsdl(name), request_id)
            observation = environ[ENVIRON_KEY] = Observation(name, request_id)
            try:
                return self._call(name, environ, start_response, request_id)
            except Exception as exc:  # noqa: BLE001 - never an HTML page, whatever arrives
                return self._fault(start_response, faults.internal(exc), request_id, name, environ)
            finally:
                observation.finish()
        except Exception as exc:  # noqa: BLE001 - never an HTML page, whatever arrives
            return self._fault(start_response, faults.internal(exc), request_id, None, environ)

    def _call(self, name: str, environ, start_response, request_id: str):
        if not self._body_within_limit(environ):
            too_large = faults.client("RequestTooLarge", "The request body is larger than this service accepts.")
            return self._fault(start_response, too_large, request_id, name, environ)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/ws/{name}"
        environ["PATH_INFO"] = ""

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("X-Request-Id", request_id)], exc_info)

        return self.soap[name](environ, start)

    def _body_within_limit(self, environ) -> bool:
        """Refuse by Content-Length before reading; a chunked body is read up to the limit and kept."""
        length = environ.get("CONTENT_LENGTH")
        if length:
            return length.isdigit() and int(length) <= self.max_request_bytes
        body = environ["wsgi.input"].read(self.max_request_bytes + 1)
        if len(body) > self.max_request_bytes:
            return False
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return True

    def _fault(self, start_response, fault: faults.RaasFault, request_id: str, name: str | None, environ=None):
        observation = observation_of(environ)
        if observation is not None:
            observation.outcome = fault.faultcode
        try:
            self.services.audit.record(Call(None, None, request_id), name or "unknown", None, fault.faultcode)
        except Exception:  # noqa: BLE001 - the fault is answered even when the audit cannot be written
            log.exception("could not audit fault %s", fault.faultcode)
        return _respond(
            start_response, "500 Internal Server Error", "text/xml; charset=utf-8", fault_envelope(fault), request_id
        )


def fault_envelope(fault: faults.RaasFault) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = f"soapenv:{fault.faultcode}"
    etree.SubElement(node, "faultstring").text = fault.faultstring
    etree.SubElement(node, "detail").append(fault.detail)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _respond(start_response, status: str, content_type: str, body: bytes, request_id: str):
    start_response(
        status, [("Content-Type", content_type), ("Content-Length", str(len(body))), ("X-Request-Id", request_id)]
    )
    return [body]


def _text(start_response, status: str, text: str, request_id: str):
    return _respond(start_response, status, "text/plain; charset=utf-8", text.encode(), request_id)
