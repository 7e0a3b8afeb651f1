"""SubscriptionService (urn:be:raas:subscription:v1): subscribe, unsubscribe, listSubscriptions,
listDeliveries, getDelivery (CONTRACT.md section 5).

Translation between SOAP and the use cases (register.services.subscriptions), nothing else.
"""

from __future__ import annotations

from spyne import ByteArray, ComplexModel, Integer64, ServiceBase, Unicode, rpc

from register.domain.flows import REGISTER_FLOWS
from register.soap.context import call_of, services_of
from register.soap.namespaces import SUBSCRIPTION
from register.soap.types import Count, OptionalDate, RequiredDate, Text, list_of, named, required

Flow, _ = named(Unicode, "flow", SUBSCRIPTION, values=REGISTER_FLOWS)
Sha256, _ = named(Unicode, "sha256", SUBSCRIPTION, pattern="[0-9a-f]{64}")
Bytes = ByteArray(min_occurs=1, nillable=False)  # xs:base64Binary
Size = Integer64(min_occurs=1, nillable=False)  # xs:long


class Subscription(ComplexModel):
    __namespace__ = SUBSCRIPTION
    _type_info = [("flow", Flow), ("since", RequiredDate)]


class Delivery(ComplexModel):
    __namespace__ = SUBSCRIPTION
    _type_info = [
        ("fileName", Text),
        ("voucherName", Text),
        ("flow", Flow),
        ("runDate", RequiredDate),
        ("recordCount", Count),
        ("sizeBytes", Size),
        ("sha256", Sha256),
    ]


Subscriptions = list_of(Subscription, "subscription")
Deliveries = list_of(Delivery, "delivery")


def _subscription(found) -> Subscription:
    return Subscription(flow=found.flow, since=found.since)


class SubscriptionService(ServiceBase):
    @rpc(Flow, _in_arg_names={"flow": "flow"}, _returns=required(Subscription), _out_variable_name="subscription")
    def subscribe(ctx, flow):
        return _subscription(services_of(ctx).subscriptions.subscribe(call_of(ctx), flow))

    @rpc(Flow, _in_arg_names={"flow": "flow"})
    def unsubscribe(ctx, flow):
        services_of(ctx).subscriptions.unsubscribe(call_of(ctx), flow)

    @rpc(_returns=Subscriptions, _out_variable_name="subscriptions")
    def listSubscriptions(ctx):
        return [_subscription(s) for s in services_of(ctx).subscriptions.list_subscriptions(call_of(ctx))]

    @rpc(
        OptionalDate,
        OptionalDate,
        _in_arg_names={"from_date": "fromDate", "to_date": "toDate"},
        _returns=Deliveries,
        _out_variable_name="deliveries",
    )
    def listDeliveries(ctx, from_date, to_date):
        return [
            Delivery(
                fileName=d.file_name,
                voucherName=d.voucher_name,
                flow=d.flow,
                runDate=d.run_date,
                recordCount=d.record_count,
                sizeBytes=d.size_bytes,
                sha256=d.sha256,
            )
            for d in services_of(ctx).subscriptions.list_deliveries(call_of(ctx), from_date, to_date)
        ]

    @rpc(
        Text,
        _in_arg_names={"file_name": "fileName"},
        _returns=(Text, Bytes, Bytes),
        _out_variable_names=("fileName", "content", "voucher"),
    )
    def getDelivery(ctx, file_name):
        files = services_of(ctx).subscriptions.get_delivery(call_of(ctx), ctx.udc.bce, file_name)
        return files.file_name, [files.content], [files.voucher]  # spyne's ByteArray: a sequence of chunks
