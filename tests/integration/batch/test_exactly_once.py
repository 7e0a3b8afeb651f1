"""Exactly once (CONTRACT.md section 6): a run killed at any point and run again delivers each
mutation once; two runs at a time do not both write.

Runs are `raas batch run` processes killed with SIGKILL: at a planted point (a
wrapper around the step that follows it kills its own process), or at random times.
"""

from __future__ import annotations

import random
import re
import signal
import time
from collections import Counter

import psycopg
from lxml import etree

from register.adapters import locks
from tests.integration.batch.conftest import journal, line, raas, rename, run
from tests.integration.batch.test_files import RUN_DATE, sequences

NEXT_DATE = "2026-01-16"


def kill_before(target: str) -> list[str]:
    """Python run before the CLI: SIGKILL this process when ``module.function`` is first called."""
    module, function = target.rsplit(".", 1)
    return [
        "import os, signal, importlib",
        f"_m = importlib.import_module({module!r})",
        "def _killing(*a, **k):",
        "    os.kill(os.getpid(), signal.SIGKILL)",
        f"setattr(_m, {function!r}, _killing)",
    ]


def batch_run(database_url, outbox, *extra, date: str | None = None, python=None):
    date = date or RUN_DATE.isoformat()
    proc = raas(database_url, outbox, "batch", "run", "--date", date, *extra, python=python)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def delivered(outbox, tenant, flow) -> list[int]:
    """Every sequence in the tenant's data files of the flow that have their voucher."""
    found = []
    for voucher in sorted((outbox / tenant.bce).glob(f"RAAS_{tenant.bce}_{flow}_*.voucher.xml")):
        found += sequences(voucher.with_name(voucher.name.replace(".voucher.xml", ".xml")))
    return found


def final_names_without_voucher(outbox) -> list[str]:
    names = {p.name for p in outbox.rglob("*")}
    return [
        n for n in names
        if n.startswith(".") or (n.endswith(".xml") and not n.endswith(".voucher.xml")
                                 and n.replace(".xml", ".voucher.xml") not in names)
    ]  # fmt: skip


class Appearing:
    """How many files have appeared in the outbox so far (temporary ones included; a removal does not count down)."""

    def __init__(self, outbox) -> None:
        self.outbox, self.seen = outbox, set()

    def count(self) -> int:
        if self.outbox.exists():
            self.seen |= {str(p) for p in self.outbox.rglob("*") if p.is_file()}
        return len(self.seen)


def delivery_rows(engine_url) -> int:
    with psycopg.connect(engine_url.replace("+psycopg", "")) as c:
        return c.execute("SELECT count(*) FROM delivery").fetchone()[0]


def test_killed_between_the_data_file_and_its_voucher_the_rerun_delivers_the_file_whole(
    world, subscriber, database_url, outbox, renamed
):
    tenant, ssin = renamed

    code, _, _ = batch_run(database_url, outbox, python=kill_before("register.adapters.outbox.write_file"))

    assert code == -signal.SIGKILL
    data = outbox / tenant.bce / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml"
    assert data.exists() and not data.with_name(data.name.replace(".xml", ".voucher.xml")).exists()
    assert delivery_rows(database_url) == 0
    rename(world.engine, ssin, "Pieters")  # recorded after the killed run started, before the rerun

    code, out, err = batch_run(database_url, outbox)

    assert code == 0, err
    assert "1 leftovers removed" in out
    assert delivered(outbox, tenant, "IDENTITY_CHANGED") == journal(world.engine, tenant, "IDENTITY_CHANGED")
    assert final_names_without_voucher(outbox) == []
    assert delivery_rows(database_url) == 1


def test_killed_after_the_voucher_before_the_commit_the_rerun_records_that_delivery_as_it_is(
    world, subscriber, database_url, outbox, renamed
):
    tenant, ssin = renamed

    code, _, _ = batch_run(database_url, outbox, python=kill_before("register.adapters.deliveries.record"))

    assert code == -signal.SIGKILL
    folder = outbox / tenant.bce
    written = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert len(written) == 2 and delivery_rows(database_url) == 0
    rename(world.engine, ssin, "Pieters")

    code, out, err = batch_run(database_url, outbox)

    assert code == 0, err
    assert "1 recovered from a killed run" in out and "1 already delivered" in out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == written  # the recipient may have taken them
    first, second = journal(world.engine, tenant, "IDENTITY_CHANGED")
    assert delivered(outbox, tenant, "IDENTITY_CHANGED") == [first]
    code, _, err = batch_run(database_url, outbox, date=NEXT_DATE)
    assert code == 0, err
    assert delivered(outbox, tenant, "IDENTITY_CHANGED") == [first, second]


def test_runs_killed_at_random_times_still_deliver_every_mutation_exactly_once(world, subscriber, database_url, outbox):
    tenants = [subscriber("SSIN_REPLACED", "IDENTITY_CHANGED") for _ in range(12)]
    ssins = [world.person() for _ in range(6)]
    for i, tenant in enumerate(tenants):
        for ssin in ssins[i % 3 :: 2]:
            line(world.engine, tenant, ssin)
    for round_ in range(3):
        for ssin in ssins:
            rename(world.engine, ssin, f"Peeters{round_}")
    rng, files = random.Random(4), Appearing(outbox)
    kills = 0
    for attempt in range(8):  # killed somewhere in the run, on this date or the next
        before = files.count()
        proc = raas(database_url, outbox, "batch", "run", "--date", (RUN_DATE.isoformat(), NEXT_DATE)[attempt % 2])
        target = before + rng.randint(1, 30)  # files appeared (parts, data files, vouchers) before the kill
        while proc.poll() is None and files.count() < target:
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
    code, _, err = batch_run(database_url, outbox, date=NEXT_DATE)

    assert code == 0, err
    assert kills >= 3  # the scenario did kill runs (else it proves nothing)
    for tenant in tenants:
        for flow in ("SSIN_REPLACED", "IDENTITY_CHANGED"):
            got = delivered(outbox, tenant, flow)
            assert Counter(got) == Counter(journal(world.engine, tenant, flow)), (tenant, flow)
    assert final_names_without_voucher(outbox) == []


def test_a_run_started_while_another_holds_the_lock_says_so_and_writes_nothing(
    world, subscriber, database_url, outbox, conn
):
    subscriber("IDENTITY_CHANGED")
    assert locks.try_lock(conn, locks.BATCH)  # another run, as far as the new one can tell

    code, out, err = batch_run(database_url, outbox)

    assert code == 0
    assert "batch run not started" in err and "holds the batch lock" in err and "raas-batch" in err
    assert out == "" and not outbox.exists()
    locks.unlock(conn, locks.BATCH)


def test_two_runs_started_together_write_each_file_once(world, subscriber, database_url, outbox):
    tenants = [subscriber("SSIN_REPLACED", "IDENTITY_CHANGED") for _ in range(10)]
    ssin = world.person()
    for tenant in tenants:
        line(world.engine, tenant, ssin)
    rename(world.engine, ssin, "Peters")

    procs = [raas(database_url, outbox, "batch", "run", "--date", RUN_DATE.isoformat()) for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]

    assert [code for code, _, _ in results] == [0, 0]
    written = [int(re.search(r"(\d+) files?,", out).group(1)) for _, out, _ in results if out]
    refused = [err for _, out, err in results if not out]
    # either the second found the lock taken, or it came after the first and found every date delivered
    assert sum(written) == 20 and len(written) + len(refused) == 2
    assert delivery_rows(database_url) == 20
    for tenant in tenants:
        assert delivered(outbox, tenant, "IDENTITY_CHANGED") == journal(world.engine, tenant, "IDENTITY_CHANGED")


def test_the_stale_temporary_file_of_a_killed_run_is_removed(world, subscriber, conn, outbox):
    tenant = subscriber("IDENTITY_CHANGED")
    folder = outbox / tenant.bce
    folder.mkdir(parents=True)
    (folder / f".RAAS_{tenant.bce}_IDENTITY_CHANGED_20260114.xml.part").write_text("<Mutation")

    run(conn, outbox, RUN_DATE)

    assert sorted(p.name for p in folder.iterdir()) == [
        f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.voucher.xml",
        f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml",
    ]
    etree.parse(str(folder / f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml"))
