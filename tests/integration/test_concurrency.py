"""Concurrent calls on one (tenant, ssin, dossier type) serialise (DESIGN.md: the key's advisory
lock): no exclusion violation surfaces, and the stored lines are what a day-set model predicts."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text

from register.domain.calls import Call
from register.domain.periods import Period
from tests.integration.helpers import stored_periods

THREADS = 8
OPERATIONS = 40
BASE = date(2020, 1, 1)
WINDOW = 60  # days: periods overlap a lot
OPEN = 10_000  # the model's stand-in for "no end": beyond every finite end


def to_period(span: tuple[int, int]) -> Period:
    start, end = span
    return Period(BASE + timedelta(start), None if end == OPEN else BASE + timedelta(end))


def lines_of(days: set[int]) -> list[tuple[int, int]]:
    """The day set as maximal runs of consecutive days."""
    runs: list[tuple[int, int]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def days_of(span: tuple[int, int]) -> set[int]:
    return set(range(span[0], span[1] + 1))


@dataclass
class Operation:
    request_id: str
    kind: str  # "register", "unregister", "unregister-all"
    span: tuple[int, int] | None
    answer: object = None


def random_span(rng: random.Random) -> tuple[int, int]:
    start = rng.randrange(WINDOW)
    if rng.random() < 0.05:
        return start, OPEN
    return start, min(start + rng.randrange(12), WINDOW - 1)


def run_concurrently(service, tenant, ssin, plans: list[list[Operation]]) -> list[BaseException]:
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(plans))

    def worker(plan: list[Operation]) -> None:
        try:
            barrier.wait(timeout=30)
            for op in plan:
                call = Call(tenant.id, "racer", op.request_id)
                if op.kind == "register":
                    period = to_period(op.span)
                    op.answer = service.register_person(call, ssin, "A", period.start, period.end)
                elif op.kind == "unregister":
                    period = to_period(op.span)
                    op.answer = service.unregister_person(call, ssin, "A", period.start, period.end)
                else:
                    op.answer = service.unregister_person(call, ssin, "A")
        except BaseException as error:  # noqa: BLE001 - any failure fails the test, reported below
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return failures


def assert_lines_neither_overlap_nor_touch(lines: list[Period]) -> None:
    for before, after in zip(lines, lines[1:], strict=False):
        assert before.end is not None and before.end + timedelta(days=1) < after.start, (before, after)


def test_concurrent_registrations_store_exactly_the_union_of_their_days(service, tenant, world, engine):
    ssin = world.person()
    plans = [
        [Operation(f"t{t}-{i}", "register", random_span(rng)) for i in range(OPERATIONS)]
        for t, rng in ((t, random.Random(1000 + t)) for t in range(THREADS))
    ]
    failures = run_concurrently(service, tenant, ssin, plans)
    assert failures == []

    union = set().union(*(days_of(op.span) for plan in plans for op in plan))
    stored = stored_periods(engine, tenant.id, ssin, "A")
    assert stored == [to_period(span) for span in lines_of(union)]
    assert_lines_neither_overlap_nor_touch(stored)
    for op in (op for plan in plans for op in plan):
        assert op.answer.registration.period.contains(to_period(op.span)), op


def test_concurrent_registrations_and_removals_serialise_into_a_consistent_history(service, tenant, world, engine):
    """Mixed merges and removals do not commute, so the model replays them in the order the
    database applied them: the order of their audit rows, written while holding the key's lock."""
    ssin = world.person()
    plans = []
    for t in range(THREADS):
        rng = random.Random(2000 + t)
        plan = []
        for i in range(OPERATIONS):
            roll = rng.random()
            kind = "register" if roll < 0.65 else "unregister" if roll < 0.98 else "unregister-all"
            plan.append(Operation(f"t{t}-{i}", kind, None if kind == "unregister-all" else random_span(rng)))
        plans.append(plan)
    failures = run_concurrently(service, tenant, ssin, plans)
    assert failures == []

    stored = stored_periods(engine, tenant.id, ssin, "A")
    assert_lines_neither_overlap_nor_touch(stored)

    by_request = {op.request_id: op for plan in plans for op in plan}
    with engine.connect() as conn:
        applied = (
            conn.execute(text("SELECT request_id FROM audit WHERE username = 'racer' ORDER BY id")).scalars().all()
        )
    assert sorted(applied) == sorted(by_request)

    days: set[int] = set()
    for request_id in applied:
        op = by_request[request_id]
        before = lines_of(days)
        if op.kind == "register":
            days |= days_of(op.span)
            (line,) = [run for run in lines_of(days) if run[0] <= op.span[0] <= run[1]]
            covered = any(run[0] <= op.span[0] and op.span[1] <= run[1] for run in before)
            absorbed = [run for run in before if run[0] <= op.span[1] + 1 and op.span[0] <= run[1] + 1]
            expected = (to_period(line), 0 if covered else len(absorbed), not covered)
            assert (op.answer.registration.period, op.answer.merged_count, op.answer.changed) == expected, op
        else:
            removed = days_of(op.span) if op.span else days_of((0, OPEN))
            hit = [run for run in before if days_of(run) & removed]
            deleted = sum(1 for run in hit if days_of(run) <= removed)
            days -= removed
            expected = (deleted, len(hit) - deleted, tuple(map(to_period, lines_of(days))))
            assert (op.answer.deleted_count, op.answer.changed_count, op.answer.remaining) == expected, op

    assert stored == [to_period(span) for span in lines_of(days)]


def test_concurrent_calls_on_different_keys_do_not_disturb_each_other(service, tenant, world, engine):
    keys = [(ssin, dossier_type) for ssin in (world.person(), world.person()) for dossier_type in ("A", "B")]
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(keys))

    def worker(ssin: str, dossier_type: str) -> None:
        try:
            barrier.wait(timeout=30)
            for week in range(0, 20):
                start = BASE + timedelta(days=7 * week)
                service.register_person(
                    Call(tenant.id, "u", None), ssin, dossier_type, start, start + timedelta(days=3)
                )
        except BaseException as error:  # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=worker, args=key) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    expected = [Period(BASE + timedelta(days=7 * w), BASE + timedelta(days=7 * w + 3)) for w in range(20)]
    for ssin, dossier_type in keys:
        assert stored_periods(engine, tenant.id, ssin, dossier_type) == expected
