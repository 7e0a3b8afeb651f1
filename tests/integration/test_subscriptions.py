"""SubscriptionService's use cases on a real PostgreSQL, as the application role (CONTRACT.md section 5):
subscriptions and their cursor, deliveries listed and fetched, tenant isolation, damaged files."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import text

from register.adapters.database import run, statement_pool
from register.adapters.outbox import Outbox
from register.adapters.subscriptions import Subscriptions
from register.domain import errors
from register.domain.subscriptions import Subscription
from register.services.audit import Audit
from register.services.subscriptions import DamagedDelivery, SubscriptionService
from tests.integration.helpers import d

REPLACED, CHANGED = "SSIN_REPLACED", "IDENTITY_CHANGED"


@pytest.fixture
def outbox(tmp_path):
    return tmp_path / "outbox"


@pytest.fixture
def subscriptions(engine, outbox) -> SubscriptionService:
    return SubscriptionService(Subscriptions(engine), Outbox(outbox), Audit(engine))


def brussels_today() -> date:
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def journal_mutations(engine, tenant_id: int, count: int) -> int:
    """``count`` SSIN_REPLACED rows in the journal; returns the journal's head."""
    with engine.begin() as conn:
        for _ in range(count):
            conn.execute(
                text(
                    "INSERT INTO journal (recorded_on, tenant_id, flow, ssin, new_ssin, dossier_types)"
                    " VALUES (raas_today(), :t, 'SSIN_REPLACED', '85073003328', '90020212372', ARRAY['A'])"
                ),
                {"t": tenant_id},
            )
        return conn.execute(text("SELECT coalesce(max(sequence), 0) FROM journal")).scalar_one()


def stored(engine, tenant_id: int) -> list[tuple]:
    """(flow, since, delivered_through) of a tenant's subscriptions, read as the owner."""
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("SELECT flow, since, delivered_through FROM subscription WHERE tenant_id = :t ORDER BY flow"),
                {"t": tenant_id},
            )
        ]


def audited(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT tenant_id, operation, outcome FROM audit ORDER BY id"))]


# --- subscribe, unsubscribe, listSubscriptions -----------------------------------------------------


def test_a_new_subscription_starts_today_in_brussels_at_the_journals_head(subscriptions, tenant, theirs, engine):
    head = journal_mutations(engine, theirs.id, 3)  # any tenant's mutations: the journal's head is global
    before = brussels_today()
    made = subscriptions.subscribe(tenant.call(), REPLACED)
    assert made.flow == REPLACED and made.since in {before, brussels_today()}
    assert stored(engine, tenant.id) == [(REPLACED, made.since, head)]


def test_on_an_empty_journal_the_cursor_is_zero(subscriptions, tenant, engine):
    subscriptions.subscribe(tenant.call(), CHANGED)
    assert [cursor for _, _, cursor in stored(engine, tenant.id)] == [0]


def test_subscribing_again_keeps_the_first_since_and_cursor(subscriptions, tenant, engine):
    subscriptions.subscribe(tenant.call(), REPLACED)
    with engine.begin() as conn:  # as if made long ago and delivered since
        conn.execute(text("UPDATE subscription SET since = '2024-01-15', delivered_through = 2 WHERE tenant_id = :t"),
                     {"t": tenant.id})  # fmt: skip
    journal_mutations(engine, tenant.id, 5)
    again = subscriptions.subscribe(tenant.call(), REPLACED)
    assert again == Subscription(tenant.id, tenant.bce, REPLACED, d("2024-01-15"), 2)
    assert stored(engine, tenant.id) == [(REPLACED, d("2024-01-15"), 2)]


def test_unsubscribing_removes_the_subscription_and_a_later_one_starts_from_the_present(subscriptions, tenant, engine):
    subscriptions.subscribe(tenant.call(), REPLACED)
    subscriptions.subscribe(tenant.call(), CHANGED)
    head = journal_mutations(engine, tenant.id, 4)
    subscriptions.unsubscribe(tenant.call(), REPLACED)
    assert [s.flow for s in subscriptions.list_subscriptions(tenant.call())] == [CHANGED]
    subscriptions.subscribe(tenant.call(), REPLACED)
    assert [(flow, cursor) for flow, _, cursor in stored(engine, tenant.id)] == [(CHANGED, 0), (REPLACED, head)]


def test_unsubscribing_a_flow_not_subscribed_to_is_harmless(subscriptions, tenant, engine):
    subscriptions.unsubscribe(tenant.call(), CHANGED)
    subscriptions.subscribe(tenant.call(), REPLACED)
    subscriptions.unsubscribe(tenant.call(), REPLACED)
    subscriptions.unsubscribe(tenant.call(), REPLACED)
    assert subscriptions.list_subscriptions(tenant.call()) == [] and stored(engine, tenant.id) == []


def test_subscriptions_are_listed_by_flow(subscriptions, tenant):
    assert subscriptions.list_subscriptions(tenant.call()) == []
    subscriptions.subscribe(tenant.call(), REPLACED)
    subscriptions.subscribe(tenant.call(), CHANGED)
    assert [s.flow for s in subscriptions.list_subscriptions(tenant.call())] == [CHANGED, REPLACED]


def test_every_call_is_audited_once_with_its_operation(subscriptions, tenant, world, outbox, engine):
    name = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01")
    subscriptions.subscribe(tenant.call(), REPLACED)
    subscriptions.subscribe(tenant.call(), REPLACED)
    subscriptions.list_subscriptions(tenant.call())
    subscriptions.unsubscribe(tenant.call(), CHANGED)
    subscriptions.list_deliveries(tenant.call())
    subscriptions.get_delivery(tenant.call(), tenant.bce, name)
    operations = ["subscribe", "subscribe", "listSubscriptions", "unsubscribe", "listDeliveries", "getDelivery"]
    assert audited(engine) == [(tenant.id, operation, "OK") for operation in operations]


# --- listDeliveries --------------------------------------------------------------------------------


@pytest.fixture
def three_days(world, tenant, outbox) -> None:
    for flow, day in ((REPLACED, "2024-03-02"), (CHANGED, "2024-03-01"), (REPLACED, "2024-03-01"),
                      (CHANGED, "2024-03-03")):  # fmt: skip
        world.delivery(outbox, tenant.bce, flow, day, record_count=2)


def _listed(subscriptions, tenant, *bounds) -> list[tuple]:
    return [(x.run_date.isoformat(), x.flow) for x in subscriptions.list_deliveries(tenant.call(), *bounds)]


def test_deliveries_are_listed_by_run_date_then_flow(subscriptions, tenant, three_days):
    assert _listed(subscriptions, tenant) == [
        ("2024-03-01", CHANGED), ("2024-03-01", REPLACED), ("2024-03-02", REPLACED), ("2024-03-03", CHANGED),
    ]  # fmt: skip


def test_a_delivery_is_listed_as_the_batch_recorded_it(subscriptions, tenant, world, outbox):
    name = world.delivery(outbox, tenant.bce, CHANGED, "2024-03-01", record_count=7)
    (found,) = subscriptions.list_deliveries(tenant.call())
    content = (outbox / tenant.bce / name).read_bytes()
    assert (found.file_name, found.voucher_name, found.record_count, found.size_bytes) == (
        f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20240301.xml",
        f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20240301.voucher.xml",
        7,
        len(content),
    )
    assert len(found.sha256) == 64 and found.sha256.encode() in (outbox / tenant.bce / found.voucher_name).read_bytes()


@pytest.mark.parametrize(
    "bounds, expected",
    [
        ((d("2024-03-02"), None), ["2024-03-02", "2024-03-03"]),
        ((None, d("2024-03-01")), ["2024-03-01", "2024-03-01"]),
        ((d("2024-03-02"), d("2024-03-02")), ["2024-03-02"]),
        ((d("2024-03-01"), d("2024-03-03")), ["2024-03-01", "2024-03-01", "2024-03-02", "2024-03-03"]),
        ((d("2024-03-04"), None), []),
    ],
)
def test_the_date_bounds_are_inclusive_and_optional(subscriptions, tenant, three_days, bounds, expected):
    assert [day for day, _ in _listed(subscriptions, tenant, *bounds)] == expected


def test_a_from_date_after_the_to_date_is_an_invalid_period(subscriptions, tenant, three_days, engine):
    with pytest.raises(errors.InvalidPeriod) as refused:
        subscriptions.list_deliveries(tenant.call(), d("2024-03-03"), d("2024-03-02"))
    assert refused.value.information == [("fromDate", "2024-03-03")]
    assert audited(engine) == []  # the SOAP layer audits the fault


def test_deliveries_stay_listed_after_unsubscribing(subscriptions, tenant, world, outbox):
    subscriptions.subscribe(tenant.call(), REPLACED)
    world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01")
    subscriptions.unsubscribe(tenant.call(), REPLACED)
    assert _listed(subscriptions, tenant) == [("2024-03-01", REPLACED)]


# --- getDelivery -----------------------------------------------------------------------------------


def test_get_delivery_answers_the_data_file_and_its_voucher_byte_for_byte(subscriptions, tenant, world, outbox):
    name = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01", record_count=3)
    files = subscriptions.get_delivery(tenant.call(), tenant.bce, name)
    folder = outbox / tenant.bce
    assert files.file_name == name
    assert files.content == (folder / name).read_bytes()
    assert files.voucher == (folder / name.replace(".xml", ".voucher.xml")).read_bytes()


@pytest.mark.parametrize(
    "asked",
    ["RAAS_0000000000_SSIN_REPLACED_20240301.xml", "RAAS_{bce}_SSIN_REPLACED_20240302.xml", "{name}.voucher",
     "RAAS_{bce}_SSIN_REPLACED_20240301.voucher.xml", "../{bce}/{name}", "{bce}/{name}", "./{name}",
     "/{name}", "..", "."],
)  # fmt: skip
def test_a_name_that_is_not_one_of_the_callers_data_files_is_an_unknown_delivery(
    subscriptions, tenant, world, outbox, engine, asked
):
    name = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01")
    asked = asked.format(bce=tenant.bce, name=name.removesuffix(".xml") if "{name}." in asked else name)
    with pytest.raises(errors.UnknownDelivery) as refused:
        subscriptions.get_delivery(tenant.call(), tenant.bce, asked)
    assert refused.value.information == [("fileName", asked)]
    assert audited(engine) == []


def test_an_altered_data_file_is_an_incident_never_wrong_bytes(subscriptions, tenant, world, outbox, engine):
    name = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01")
    path = outbox / tenant.bce / name
    path.write_bytes(path.read_bytes().replace(b"<recordCount>0<", b"<recordCount>9<"))  # same size
    with pytest.raises(DamagedDelivery, match="sha256"):
        subscriptions.get_delivery(tenant.call(), tenant.bce, name)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(DamagedDelivery, match="bytes"):
        subscriptions.get_delivery(tenant.call(), tenant.bce, name)
    assert audited(engine) == []


def test_a_missing_file_is_an_incident(subscriptions, tenant, world, outbox):
    name = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01")
    (outbox / tenant.bce / name.replace(".xml", ".voucher.xml")).unlink()
    with pytest.raises(FileNotFoundError):
        subscriptions.get_delivery(tenant.call(), tenant.bce, name)
    (outbox / tenant.bce / name).unlink()
    with pytest.raises(FileNotFoundError):
        subscriptions.get_delivery(tenant.call(), tenant.bce, name)


def test_a_voucher_of_another_file_is_an_incident(subscriptions, tenant, world, outbox):
    first = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01")
    second = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-02", record_count=1)
    folder = outbox / tenant.bce
    voucher = first.replace(".xml", ".voucher.xml")
    (folder / voucher).write_bytes((folder / second.replace(".xml", ".voucher.xml")).read_bytes())
    with pytest.raises(DamagedDelivery, match="voucher"):
        subscriptions.get_delivery(tenant.call(), tenant.bce, first)


def test_a_recorded_name_that_could_leave_the_tenants_folder_is_never_read(subscriptions, tenant, world, outbox):
    name = world.delivery(outbox, tenant.bce, REPLACED, "2024-03-01")
    (outbox / "escaped.xml").write_bytes((outbox / tenant.bce / name).read_bytes())
    with world.engine.begin() as conn:  # a row no batch writes: the outbox refuses it all the same
        conn.execute(text("UPDATE delivery SET file_name = '../escaped.xml' WHERE tenant_id = :t"), {"t": tenant.id})
    with pytest.raises(ValueError, match="not a file of a tenant's outbox folder"):
        subscriptions.get_delivery(tenant.call(), tenant.bce, "../escaped.xml")


# --- tenant isolation ------------------------------------------------------------------------------


def test_a_tenant_never_sees_nor_changes_another_tenants_subscriptions(subscriptions, ours, theirs, engine):
    subscriptions.subscribe(ours.call(), REPLACED)
    before = stored(engine, ours.id)
    assert subscriptions.list_subscriptions(theirs.call()) == []
    subscriptions.unsubscribe(theirs.call(), REPLACED)
    subscriptions.subscribe(theirs.call(), CHANGED)
    assert stored(engine, ours.id) == before
    assert [s.flow for s in subscriptions.list_subscriptions(theirs.call())] == [CHANGED]


def test_a_tenant_never_lists_nor_gets_another_tenants_delivery_even_knowing_its_name(
    subscriptions, ours, theirs, world, outbox
):
    name = world.delivery(outbox, ours.bce, REPLACED, "2024-03-01")
    assert subscriptions.list_deliveries(theirs.call()) == []
    for bce in (theirs.bce, ours.bce):  # whichever folder it would read
        with pytest.raises(errors.UnknownDelivery):
            subscriptions.get_delivery(theirs.call(), bce, name)
    with pytest.raises(errors.UnknownDelivery):
        subscriptions.get_delivery(theirs.call(), theirs.bce, f"../{ours.bce}/{name}")


# --- what the application role may do (migration 0005) ---------------------------------------------


def test_the_application_role_cannot_move_a_cursor_nor_write_deliveries(engine, subscriptions, ours, theirs):
    subscriptions.subscribe(ours.call(), REPLACED)
    pool = statement_pool(engine)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(pool, "UPDATE subscription SET delivered_through = 0", {}, ours.id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(
            pool,
            "INSERT INTO delivery (tenant_id, flow, run_date, file_name, voucher_name, record_count, size_bytes,"
            " sha256, created_at) VALUES (%(t)s, 'SSIN_REPLACED', '2024-01-01', 'x', 'y', 0, 0, repeat('0', 64), now())",
            {"t": ours.id},
            ours.id,
        )
    assert run(pool, "UPDATE subscription SET since = '2000-01-01' RETURNING flow", {}, theirs.id) == []


def test_a_subscribe_that_waited_on_a_concurrent_first_subscribe_answers_that_subscription(
    subscriptions, tenant, engine
):
    with engine.connect() as other, ThreadPoolExecutor(1) as pool:
        other.execute(  # the other first subscribe, not committed yet
            text("INSERT INTO subscription VALUES (:t, 'IDENTITY_CHANGED', '2024-01-15', 0)"), {"t": tenant.id}
        )
        answer = pool.submit(subscriptions.subscribe, tenant.call(), CHANGED)
        deadline = time.monotonic() + 5
        while not _waiting_on_a_lock(engine) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _waiting_on_a_lock(engine)
        other.commit()
        assert answer.result(timeout=5) == Subscription(tenant.id, tenant.bce, CHANGED, d("2024-01-15"), 0)


_LOCK_WAITS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"


def _waiting_on_a_lock(engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text(_LOCK_WAITS)).scalar_one() > 0
