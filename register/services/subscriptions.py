"""SubscriptionService's use cases: subscribe, unsubscribe, list subscriptions and deliveries, fetch a
delivery's files (CONTRACT.md section 5).

Every call is audited: by the statement that does it, or for getDelivery once
its files are read and checked; a refusal is audited by the SOAP layer, like
every fault.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from register.adapters.outbox import Outbox
from register.adapters.subscriptions import Subscriptions
from register.domain import errors
from register.domain.calls import Call
from register.domain.flows import FlowOffer
from register.domain.subscriptions import Delivery, Subscription
from register.services.audit import Audit


@dataclass(frozen=True, slots=True)
class DeliveryFiles:
    file_name: str
    content: bytes
    voucher: bytes


class DamagedDelivery(Exception):
    """A delivery's files are not what the batch recorded: an incident (Server.Internal, logged), not a
    refusal; the caller must never receive other bytes than those its voucher vouches for."""


class SubscriptionService:
    def __init__(self, subscriptions: Subscriptions, outbox: Outbox, audit: Audit) -> None:
        self._subscriptions = subscriptions
        self._outbox = outbox
        self._audit = audit

    def subscribe(self, call: Call, flow: str, dossier_types: list[str] | None = None) -> Subscription:
        """Idempotent: subscribing again keeps the first ``since`` and the cursor, and replaces the filter
        (``dossier_types``; none or an empty list: every mutation). Checks, in this order: UnknownFlow,
        UnknownDossierType, and for a network flow NotAuthorized (no authorization valid today, or a
        filter naming a dossier type the authorization does not allow)."""
        for code in dossier_types or ():
            if not code.strip():
                raise errors.BlankValue(element="dossierType")
        done = self._subscriptions.subscribe(call, flow, list(dossier_types or []))
        if isinstance(done, Subscription):
            return done
        if done.reason == "UnknownFlow":
            raise errors.UnknownFlow(flow=flow)
        if done.reason == "UnknownDossierType":
            raise errors.UnknownDossierType(dossierType=done.info[0])
        if done.info:
            raise errors.NotAuthorized(
                "The tenant's authorization for this network flow does not allow that dossier type.",
                flow=flow, dossierType=done.info[0],
            )  # fmt: skip
        raise errors.NotAuthorized("The tenant holds no authorization valid today for this network flow.", flow=flow)

    def unsubscribe(self, call: Call, flow: str) -> None:
        """Idempotent; the cursor goes with the subscription, the deliveries made stay listed."""
        if not self._subscriptions.unsubscribe(call, flow):
            raise errors.UnknownFlow(flow=flow)

    def list_flows(self, call: Call) -> list[FlowOffer]:
        """The register's two flows, then each network flow the tenant holds an authorization for that has
        not ended (current or future), by code."""
        return self._subscriptions.flows(call)

    def list_subscriptions(self, call: Call) -> list[Subscription]:
        return self._subscriptions.subscriptions(call)

    def list_deliveries(self, call: Call, from_date: date | None = None, to_date: date | None = None) -> list[Delivery]:
        """The caller's deliveries whose run date lies within both (inclusive, optional) bounds."""
        if from_date is not None and to_date is not None and from_date > to_date:
            raise errors.InvalidPeriod("fromDate is after toDate.", fromDate=from_date.isoformat())
        return self._subscriptions.deliveries(call, from_date, to_date)

    def get_delivery(self, call: Call, bce: str, file_name: str) -> DeliveryFiles:
        """The data file and voucher of one of the caller's deliveries, from ``<outbox>/<bce>/``.

        The name is looked up among the caller's deliveries first and the files are read by the
        names the delivery row holds: a request's name never reaches the file system.
        """
        delivery = self._subscriptions.delivery(call, file_name)
        if delivery is None:
            raise errors.UnknownDelivery(fileName=file_name)
        content = self._outbox.read(bce, delivery.file_name)
        voucher = self._outbox.read(bce, delivery.voucher_name)
        _check(delivery, content, voucher)
        self._audit.record(call, "getDelivery", None, "OK")
        return DeliveryFiles(delivery.file_name, content, voucher)


def _check(delivery: Delivery, content: bytes, voucher: bytes) -> None:
    digest = hashlib.sha256(content).hexdigest()
    if len(content) != delivery.size_bytes or digest != delivery.sha256:
        raise DamagedDelivery(
            f"{delivery.file_name}: {len(content)} bytes, sha256 {digest};"
            f" recorded {delivery.size_bytes} bytes, sha256 {delivery.sha256}"
        )
    # the voucher names its data file's sha256 (CONTRACT.md section 6): not another day's voucher
    if delivery.sha256.encode() not in voucher:
        raise DamagedDelivery(f"{delivery.voucher_name} does not name the sha256 of {delivery.file_name}")
