"""The spyne applications, one per service: every exception mapped to a contract fault, every fault audited.

register.soap.router mounts them under /ws/<Service>.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import spyne.const
from lxml import etree
from spyne import Application
from spyne.server.wsgi import WsgiApplication

from register.domain.calls import Call
from register.domain.errors import RegisterError
from register.observability.calls import observation_of
from register.services.audit import Audit
from register.services.auth import Authenticator
from register.services.certificates import CertificateAuthenticator
from register.services.persons import PersonService
from register.services.register import RegisterService
from register.services.routing import RoutingService
from register.services.search import PersonSearch
from register.services.subscriptions import SubscriptionService
from register.soap import faults
from register.soap.context import request_id_of
from register.soap.namespaces import PERSON, REGISTER, ROUTING, SOAP_ENV, SUBSCRIPTION
from register.soap.person_service import PersonService as PersonSoapService
from register.soap.protocol import RaasSoap11
from register.soap.register_service import RegisterService as RegisterSoapService
from register.soap.routing_service import RoutingService as RoutingSoapService
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


@dataclass(frozen=True)
class Services:
    authenticator: Authenticator
    register: RegisterService
    persons: PersonService
    audit: Audit
    search: PersonSearch | None = None
    subscriptions: SubscriptionService | None = None
    certificates: CertificateAuthenticator | None = None  # (1.1) X.509-signed calls
    network_authenticator: Authenticator | None = None  # RoutingService's callers (network credentials)
    routing: RoutingService | None = None


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
        except faults.DATABASE_UNAVAILABLE:
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
    if name in NETWORK_SERVICES:  # a tenant's credential is refused there, a network one everywhere else
        services = replace(services, authenticator=services.network_authenticator)
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
    "RoutingService": ([RoutingSoapService], ROUTING),
}
# the services whose callers are the network's components (network credentials), not tenants
NETWORK_SERVICES = frozenset({"RoutingService"})
