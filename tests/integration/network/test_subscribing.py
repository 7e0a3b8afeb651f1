"""SubscriptionService 1.1 on a real PostgreSQL, as the application role (CONTRACT.md section 5): network flows
under an authorization, dossier type filters, listFlows, UnknownFlow and NotAuthorized."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from register.adapters.outbox import Outbox
from register.adapters.subscriptions import Subscriptions
from register.domain import errors
from register.services.audit import Audit
from register.services.subscriptions import SubscriptionService
from tests.integration.helpers import audit_rows
from tests.integration.network.conftest import LONG_AGO, grant, today


@pytest.fixture
def service(engine, tmp_path) -> SubscriptionService:
    return SubscriptionService(Subscriptions(engine), Outbox(tmp_path), Audit(engine))


def stored(engine, tenant_id: int) -> list[tuple]:
    with engine.connect() as c:
        return [
            (r.flow, r.dossier_types)
            for r in c.execute(
                text("SELECT flow, dossier_types FROM subscription WHERE tenant_id = :t ORDER BY flow"),
                {"t": tenant_id},
            )
        ]


def test_a_register_flow_takes_a_filter_of_the_tenants_dossier_types(service, tenant, engine):
    made = service.subscribe(tenant.call(), "IDENTITY_CHANGED", ["B", "A", "B"])
    assert made.dossier_types == ("A", "B") and made.bce == tenant.bce
    assert stored(engine, tenant.id) == [("IDENTITY_CHANGED", ["A", "B"])]


def test_subscribing_again_replaces_the_filter_and_keeps_since_and_the_cursor(service, tenant, engine):
    service.subscribe(tenant.call(), "SSIN_REPLACED", ["A"])
    with engine.begin() as c:
        c.execute(text("UPDATE subscription SET since = '2024-01-15', delivered_through = 7 WHERE tenant_id = :t"),
                  {"t": tenant.id})  # fmt: skip
    again = service.subscribe(tenant.call(), "SSIN_REPLACED", [])
    assert (again.since.isoformat(), again.delivered_through, again.dossier_types) == ("2024-01-15", 7, None)
    assert [s.dossier_types for s in service.list_subscriptions(tenant.call())] == [None]


def test_an_unknown_flow_is_refused_on_subscribe_and_unsubscribe(service, tenant, engine):
    for call in (lambda: service.subscribe(tenant.call(), "DIMONA"), lambda: service.unsubscribe(tenant.call(), "X1")):
        with pytest.raises(errors.UnknownFlow) as caught:
            call()
        assert caught.value.information[0][0] == "flow"
    assert stored(engine, tenant.id) == [] and audit_rows(engine) == []


def test_a_filter_naming_another_tenants_dossier_type_is_refused(service, tenant, make_tenant):
    make_tenant("THEIRS")
    with pytest.raises(errors.UnknownDossierType) as caught:
        service.subscribe(tenant.call(), "SSIN_REPLACED", ["A", "THEIRS"])
    assert caught.value.information == [("dossierType", "THEIRS")]


def test_a_network_flow_needs_an_authorization_valid_today(service, tenant, flows, dimona, engine):
    with pytest.raises(errors.NotAuthorized) as caught:
        service.subscribe(tenant.call(), dimona)
    assert caught.value.information == [("flow", "DIMONA")]
    grant(flows, tenant.bce, dimona, LONG_AGO, today() - timedelta(days=1), ref="ended")
    grant(flows, tenant.bce, dimona, today() + timedelta(days=1), ref="future")
    with pytest.raises(errors.NotAuthorized):
        service.subscribe(tenant.call(), dimona)
    flows.revoke(tenant.bce, dimona, today() + timedelta(days=1))
    grant(flows, tenant.bce, dimona, today(), ref="current")
    assert service.subscribe(tenant.call(), dimona).flow == "DIMONA"


def test_a_filter_on_a_network_flow_may_name_only_the_authorizations_dossier_types(
    service, tenant, flows, dimona, engine
):
    grant(flows, tenant.bce, dimona, types=["A"])
    with pytest.raises(errors.NotAuthorized) as caught:
        service.subscribe(tenant.call(), dimona, ["A", "B"])
    assert caught.value.information == [("flow", "DIMONA"), ("dossierType", "B")]
    assert service.subscribe(tenant.call(), dimona, ["A"]).dossier_types == ("A",)
    assert service.subscribe(tenant.call(), dimona).dossier_types is None
    assert stored(engine, tenant.id) == [("DIMONA", None)]


def test_list_flows_gives_the_registers_then_the_network_flows_the_tenant_may_take(
    service, tenant, make_tenant, flows, dimona
):
    flows.define("ACTIVA", "Activation measures")
    flows.define("BELCOTAX", "Tax forms")
    flows.define("ZZ", "Nobody's")
    other = make_tenant("A")
    grant(flows, tenant.bce, dimona, LONG_AGO, today() - timedelta(days=1), ref="ended")
    grant(flows, tenant.bce, dimona, today() + timedelta(days=10), types=["A"], ref="next")
    grant(flows, tenant.bce, "ACTIVA", LONG_AGO, today(), ref="ends today")
    grant(flows, tenant.bce, "BELCOTAX", LONG_AGO, today() - timedelta(days=1), ref="over")
    grant(flows, other.bce, "ZZ", ref="theirs")

    offers = service.list_flows(tenant.call())

    assert [(o.code, o.kind) for o in offers] == [
        ("IDENTITY_CHANGED", "REGISTER"), ("SSIN_REPLACED", "REGISTER"), ("ACTIVA", "NETWORK"), ("DIMONA", "NETWORK"),
    ]  # fmt: skip
    activa, dimona_offer = offers[2].authorization, offers[3].authorization
    assert (activa.reference, activa.valid_from, activa.valid_to, activa.dossier_types) == (
        "ends today", LONG_AGO, today(), None,
    )  # fmt: skip
    assert (dimona_offer.reference, dimona_offer.valid_to, dimona_offer.dossier_types) == ("next", None, ("A",))
    assert offers[0].authorization is None and offers[2].label == "Activation measures"
