"""The WSGI application: /ws/<Service> (SOAP, WSDL on ?wsdl) and /healthz, /readyz, /metrics.

Spyne answers the SOAP calls; around it this module (1) refuses bodies over
the size limit before reading them, (2) serves each WSDL built once from
RAAS_PUBLIC_URL rather than from whichever Host header came first, (3) turns
any error that escapes spyne into a SOAP fault (never an HTML page), (4)
audits every fault and (5) observes every call (metrics, one log line).
"""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass

import psycopg
import psycopg_pool
import spyne.const
import sqlalchemy.exc
from lxml import etree
from spyne import Application
from spyne.server.wsgi import WsgiApplication

from register.adapters.audit import AuditTrail
from register.adapters.registrations import Call
from register.domain.errors import RegisterError
from register.observability import metrics
from register.observability.calls import ENVIRON_KEY, Observation, observation_of
from register.services.auth import Authenticator
from register.services.persons import PersonService
from register.services.register import RegisterService
from register.services.search import PersonSearch
from register.services.subscriptions import SubscriptionService
from register.soap import faults, wsdl
from register.soap.context import request_id_of
from register.soap.namespaces import PERSON, REGISTER, SOAP_ENV, SUBSCRIPTION
from register.soap.person_service import PersonService as PersonSoapService
from register.soap.protocol import RaasSoap11
from register.soap.register_service import RegisterService as RegisterSoapService
from register.soap.subscription_service import SubscriptionService as SubscriptionSoapService
from register.soap.types import COMMON_TYPES

log = logging.getLogger("raas.soap")
# spyne logs a traceback for every client fault; the audit table records them instead
for _name in ("spyne.application.client", "spyne.application", "spyne.server.wsgi", "spyne.protocol"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# Spyne forces a full garbage collection at most once a second in every worker
# (MethodContext.close): 35-40 ms with the GIL held, the p99 of every thread of
# that worker (bench/register.py). Python's own generational collector suffices.
spyne.const.MIN_GC_INTERVAL = float("inf")

_UNAVAILABLE = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
)


@dataclass(frozen=True)
class Services:
    authenticator: Authenticator
    register: RegisterService
    persons: PersonService
    audit: AuditTrail
    search: PersonSearch | None = None
    subscriptions: SubscriptionService | None = None


class RaasApplication(Application):
    """A spyne Application that knows our services and maps every exception to a contract fault."""

    def __init__(self, services: Services, *args, **kwargs) -> None:
        self.raas = services  # not "services": spyne's Application has that name already
        super().__init__(*args, **kwargs)

    def call_wrapper(self, ctx):
        observation = observation_of(getattr(ctx.transport, "req_env", None))
        if observation is not None:
            observation.operation = ctx.descriptor.name
            observation.tenant = getattr(ctx.udc, "bce", None)
        try:
            return super().call_wrapper(ctx)
        except RegisterError as error:
            raise faults.RaasFault.of(error) from None
        except _UNAVAILABLE:
            log.warning("database unavailable", exc_info=True)
            raise faults.unavailable() from None
        except faults.RaasFault:
            raise
        except Exception as exc:  # noqa: BLE001 - anything else is an incident, logged with its id
            raise faults.internal(exc) from None


class RaasWsgi(WsgiApplication):
    """Spyne's WSGI server with the contract's faults, audited."""

    def handle_error(self, p_ctx, others, error, start_response):
        fault = faults.from_spyne(error)
        p_ctx.out_error = fault
        self._observe(p_ctx, fault)
        self._audit(p_ctx, fault)
        return super().handle_error(p_ctx, others, fault, start_response)

    def _observe(self, ctx, fault: faults.RaasFault) -> None:
        observation = observation_of(getattr(ctx.transport, "req_env", None))
        if observation is None:
            return
        observation.outcome = fault.faultcode
        if observation.operation == "unknown" and ctx.method_request_string in self.app.interface.service_method_map:
            observation.operation = ctx.method_request_string.rsplit("}", 1)[-1]
        if observation.tenant is None:
            observation.tenant = getattr(ctx.udc, "bce", None)

    def _audit(self, ctx, fault: faults.RaasFault) -> None:
        caller = ctx.udc
        tenant_id, username = (caller.tenant_id, caller.username) if caller else _attempted_login(ctx)
        body = ctx.in_body_doc
        # the operation's own ssin element, in whichever service's namespace, and the SSINs the
        # fault discloses (a PossibleDuplicate names existing persons)
        sent = body.findtext(f"{{{etree.QName(body).namespace}}}ssin") if body is not None else None
        named = [value for name, value in fault.information if name in ("ssin", "replacedBy")]
        ssins = [s for s in dict.fromkeys([sent, *named]) if s and len(s) == 11 and s.isdigit()]
        operation = ctx.method_request_string or "unknown"
        operation = operation.rsplit("}", 1)[-1][:100]
        try:
            self.app.raas.audit.record(
                Call(tenant_id, username, request_id_of(ctx)), operation, ssins or None, fault.faultcode
            )
        except Exception:  # noqa: BLE001 - a fault still answers when the audit cannot be written
            log.exception("could not audit fault %s", fault.faultcode)


def _attempted_login(ctx) -> tuple[int | None, str | None]:
    """A refused login's username (and its tenant when it exists), set by the protocol."""
    env = getattr(ctx.transport, "req_env", None) or {}
    return env.get("raas.login", (None, None))


def build_service(services: Services, name: str, service_classes: list, tns: str, max_request_bytes: int) -> RaasWsgi:
    app = RaasApplication(
        services,
        service_classes,
        tns=tns,
        name=name,
        in_protocol=RaasSoap11(),
        out_protocol=RaasSoap11(),
        classes=COMMON_TYPES,  # the common schema is the same in every WSDL (CONTRACT.md section 1)
    )
    # faultcodes are written soapenv:Client.<Reason>: the envelope must bind that prefix (spyne says soap11env)
    app.interface.nsmap.pop("soap11env", None)
    app.interface.nsmap["soapenv"] = SOAP_ENV
    app.interface.prefmap[SOAP_ENV] = "soapenv"
    return RaasWsgi(app, max_content_length=max_request_bytes)


# name -> (the spyne classes whose operations it serves, target namespace)
SERVICES = {
    "RegisterService": ([RegisterSoapService], REGISTER),
    "PersonService": ([PersonSoapService], PERSON),
    "SubscriptionService": ([SubscriptionSoapService], SUBSCRIPTION),
}


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
