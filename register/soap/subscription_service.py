"""SubscriptionService (urn:be:raas:subscription:v1): subscribe, unsubscribe, listSubscriptions,
listFlows, listDeliveries, getDelivery (CONTRACT.md section 5).

Translation between SOAP and the use cases (register.services.subscriptions), nothing else.
"""

from __future__ import annotations

from spyne import ByteArray, ComplexModel, Integer64, ServiceBase, Unicode, rpc

from register.domain.flows import NETWORK, REGISTER
from register.soap.context import call_of, services_of
from register.soap.namespaces import SUBSCRIPTION
from register.soap.types import Count, OptionalDate, RequiredDate, Text, list_of, named, required

# 1.1 widens v1's enumeration (SSIN_REPLACED, IDENTITY_CHANGED) to a code: network flows are the operator's
Flow, _ = named(Unicode, "flow", SUBSCRIPTION, pattern="[A-Z][A-Z0-9_]{1,31}")
FlowKind, _ = named(Unicode, "flowKind", SUBSCRIPTION, values=(REGISTER, NETWORK))
Reference, _ = named(Unicode, "reference", SUBSCRIPTION, min_len=1, max_len=100)
Sha256, _ = named(Unicode, "sha256", SUBSCRIPTION, pattern="[0-9a-f]{64}")
Bytes = ByteArray(min_occurs=1, nillable=False)  # xs:base64Binary
Size = Integer64(min_occurs=1, nillable=False)  # xs:long
# dossierTypes/dossierType: a list of dossier type codes (the common schema's code: 1 to 64 characters),
# declared in this namespace so the common schema stays the same in every WSDL; optional, and absent
# or empty means no filter
_, _DossierTypeCodes = named(Unicode, "dossierTypeCode", SUBSCRIPTION, min_len=1, max_len=64, max_occurs="unbounded")


class DossierTypeCodes(ComplexModel):
    __namespace__ = SUBSCRIPTION
    _type_info = [("dossierType", _DossierTypeCodes)]


DossierTypes = DossierTypeCodes.customize(min_occurs=0, nillable=False)


class Subscription(ComplexModel):
    __namespace__ = SUBSCRIPTION
    _type_info = [("flow", Flow), ("since", RequiredDate), ("dossierTypes", DossierTypes)]


class Authorization(ComplexModel):
    """The tenant's authorization that opens a network flow to it (the current one, else the next)."""

    __namespace__ = SUBSCRIPTION
    _type_info = [
        ("reference", Reference),
        ("validFrom", RequiredDate),
        ("validTo", OptionalDate),
        ("dossierTypes", DossierTypes),
    ]


class FlowItem(ComplexModel):
    __namespace__ = SUBSCRIPTION
    __type_name__ = "Flow"
    _type_info = [
        ("code", Flow),
        ("label", Text),
        ("kind", FlowKind),
        ("authorization", Authorization.customize(min_occurs=0, nillable=False)),
    ]


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
Flows = list_of(FlowItem, "flow")


def _codes(codes) -> DossierTypeCodes | None:
    return DossierTypeCodes(dossierType=list(codes)) if codes else None


def _subscription(found) -> Subscription:
    return Subscription(flow=found.flow, since=found.since, dossierTypes=_codes(found.dossier_types))


def _flow(offer) -> FlowItem:
    grant = offer.authorization
    if grant is not None:
        grant = Authorization(
            reference=grant.reference,
            validFrom=grant.valid_from,
            validTo=grant.valid_to,
            dossierTypes=_codes(grant.dossier_types),
        )
    return FlowItem(code=offer.code, label=offer.label, kind=offer.kind, authorization=grant)


class SubscriptionService(ServiceBase):
    @rpc(
        Flow,
        DossierTypes,
        _in_arg_names={"flow": "flow", "dossier_types": "dossierTypes"},
        _returns=required(Subscription),
        _out_variable_name="subscription",
    )
    def subscribe(ctx, flow, dossier_types):
        codes = (dossier_types.dossierType or []) if dossier_types is not None else []
        return _subscription(services_of(ctx).subscriptions.subscribe(call_of(ctx), flow, codes))

    @rpc(Flow, _in_arg_names={"flow": "flow"})
    def unsubscribe(ctx, flow):
        services_of(ctx).subscriptions.unsubscribe(call_of(ctx), flow)

    @rpc(_returns=Subscriptions, _out_variable_name="subscriptions")
    def listSubscriptions(ctx):
        return [_subscription(s) for s in services_of(ctx).subscriptions.list_subscriptions(call_of(ctx))]

    @rpc(_returns=Flows, _out_variable_name="flows")
    def listFlows(ctx):
        return [_flow(offer) for offer in services_of(ctx).subscriptions.list_flows(call_of(ctx))]

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
