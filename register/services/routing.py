"""RoutingService's use cases (CONTRACT.md section 10), and the network's credentials (`raas network`).

Its callers are the network's components, authenticated with a network
credential (register.adapters.network_clients); every call is audited with that
username and the SSIN: by the statement that answers it, or for a fault by the
SOAP layer. Checks in the contract's order: InvalidSsin, UnknownSsin, then
UnknownFlow.
"""

from __future__ import annotations

from datetime import date

from register.adapters.network_clients import NetworkClients
from register.adapters.routing import Routing
from register.domain import errors
from register.domain import ssin as ssins
from register.domain.calls import Call
from register.domain.registration import Registration
from register.domain.routing import (
    AUTHORIZED,
    NO_FLOW_AUTHORIZATION,
    NO_LINE,
    UNKNOWN_TENANT,
    AuthorizationCheck,
    Holder,
)
from register.services.auth import hash_password


class RoutingService:
    def __init__(self, routing: Routing) -> None:
        self._routing = routing

    def find_holders(self, call: Call, ssin: str, day: date | None, dossier_type: str | None) -> list[Holder]:
        """Every tenant's line of the SSIN (or of its chain's end) containing ``day`` (default today)."""
        ssin = ssins.validate(ssin)
        answer = self._routing.lines(call, "findHolders", ssin, day, dossier_type=dossier_type)
        _raise(answer.refusal, ssin, None)
        return [Holder(line.bce, line.dossier_type, line.period) for line in answer.lines]

    def check_authorization(
        self, call: Call, bce: str, ssin: str, day: date | None, flow: str | None
    ) -> AuthorizationCheck:
        ssin = ssins.validate(ssin)
        answer = self._routing.lines(call, "checkAuthorization", ssin, day, bce=bce, flow=flow)
        if answer.refusal == UNKNOWN_TENANT:
            return AuthorizationCheck(UNKNOWN_TENANT, ())
        _raise(answer.refusal, ssin, flow)
        if not answer.lines:
            return AuthorizationCheck(NO_LINE, ())
        qualifying = tuple(
            Registration(line.ssin, line.dossier_type, line.period) for line in answer.lines if line.allowed
        )
        if not qualifying:
            return AuthorizationCheck(NO_FLOW_AUTHORIZATION, ())
        return AuthorizationCheck(AUTHORIZED, qualifying)


def _raise(refusal: str | None, ssin: str, flow: str | None) -> None:
    if refusal == "UnknownSsin":
        raise errors.UnknownSsin(ssin=ssin)
    if refusal == "UnknownFlow":
        raise errors.UnknownFlow(flow=flow)


class NetworkAdmin:
    """`raas network add-client|remove-client`: credentials of the network, printed once as for tenants."""

    def __init__(self, clients: NetworkClients) -> None:
        self._clients = clients

    def add_client(self, username: str, password: str) -> None:
        self._clients.add(username, hash_password(password))

    def rotate_client(self, username: str, password: str) -> None:
        self._clients.rotate(username, hash_password(password))

    def remove_client(self, username: str) -> None:
        self._clients.remove(username)

    def clients(self) -> list[str]:
        return self._clients.usernames()
