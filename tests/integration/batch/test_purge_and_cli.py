"""`raas batch purge` (retention) and the command line of `raas batch run`."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from register.adapters import locks
from register.batch import job
from tests.integration.batch.conftest import line, raas, rename, run
from tests.integration.batch.test_exactly_once import batch_run, delivery_rows
from tests.integration.batch.test_files import RUN_DATE, _today


def run_dates(engine) -> list:
    with engine.connect() as c:
        return [r[0] for r in c.execute(text("SELECT run_date FROM delivery ORDER BY run_date"))]


def test_purge_removes_the_files_and_rows_of_run_dates_past_the_retention(world, subscriber, conn, outbox, engine):
    tenant = subscriber("IDENTITY_CHANGED")
    today = _today(engine)
    dates = [today - timedelta(days=d) for d in (100, 91, 90, 10)]
    for day in dates:
        run(conn, outbox, day)

    purged = job.purge(conn, outbox, 90)

    assert (purged.deliveries, purged.files, purged.before) == (2, 4, today - timedelta(days=90))
    assert run_dates(engine) == dates[2:]
    names = sorted(p.name for p in (outbox / tenant.bce).iterdir())
    assert names == sorted(
        f"RAAS_{tenant.bce}_IDENTITY_CHANGED_{day:%Y%m%d}{kind}.xml" for day in dates[2:] for kind in ("", ".voucher")
    )
    assert run(conn, outbox).adopted == 0  # nothing purged comes back as a leftover to record


def test_purge_forgets_rows_whose_files_are_gone_already(world, subscriber, conn, outbox, engine):
    tenant = subscriber("IDENTITY_CHANGED")
    run(conn, outbox, _today(engine) - timedelta(days=200))
    for path in (outbox / tenant.bce).iterdir():
        path.unlink()

    assert (job.purge(conn, outbox, 90).deliveries, run_dates(engine)) == (1, [])


def test_the_command_prints_a_summary_and_logs_a_json_line_per_file(world, subscriber, database_url, outbox):
    tenant = subscriber("SSIN_REPLACED", "IDENTITY_CHANGED")
    ssin = world.person()
    line(world.engine, tenant, ssin)
    rename(world.engine, ssin, "Peters")

    code, out, err = batch_run(database_url, outbox)

    assert code == 0, err
    assert re.fullmatch(r"batch run 2026-01-15: 1 tenant, 2 files, 1 record, in \d+\.\d s\n", out)
    logged = [json.loads(entry) for entry in err.splitlines()]
    files = [entry for entry in logged if "file" in entry]
    assert sorted((e["file"], e["records"]) for e in files) == [
        (f"RAAS_{tenant.bce}_IDENTITY_CHANGED_20260115.xml", 1),
        (f"RAAS_{tenant.bce}_SSIN_REPLACED_20260115.xml", 0),
    ]
    assert all(len(e["sha256"]) == 64 and e["bytes"] > 0 and e["flow"] in e["file"] for e in files)
    assert any(e["message"] == "batch run ok" for e in logged)
    assert ssin not in err  # SSINs are masked in every log line


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["batch", "run", "--date", "15/01/2026"], "--date '15/01/2026' is not a date (YYYY-MM-DD)"),
        (["batch", "run", "--date", "2026-02-30"], "is not a date"),
        (["batch", "run", "--date", "2999-01-01"], "the run date 2999-01-01 is after today"),
        (["batch", "purge", "--days", "0"], "--days must be at least 1"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_1(engine, database_url, outbox, args, reason):
    proc = raas(database_url, outbox, *args)
    out, err = proc.communicate(timeout=60)
    lines = [entry for entry in err.splitlines() if entry.startswith("raas: ")]
    assert proc.returncode == 1
    assert len(lines) == 1 and reason in lines[0], err
    assert not outbox.exists()


def test_a_subscription_that_fails_is_named_the_others_are_served_and_the_exit_is_1(
    world, subscriber, database_url, outbox, conn, engine
):
    broken = subscriber("IDENTITY_CHANGED")
    run(conn, outbox, RUN_DATE)
    (outbox / broken.bce / f"RAAS_{broken.bce}_IDENTITY_CHANGED_20260115.xml").unlink()
    with engine.begin() as c:  # its file is gone and cannot be rebuilt as delivered
        c.execute(text("UPDATE delivery SET sha256 = repeat('0', 64)"))
    subscriber("IDENTITY_CHANGED")  # a subscriber with its file still to write

    code, out, err = batch_run(database_url, outbox)

    assert code == 1
    assert "1 file," in out and "1 FAILED" in out  # the summary is printed all the same
    reason = [entry for entry in err.splitlines() if entry.startswith("raas: ")]
    assert len(reason) == 1 and f"1 subscription(s) not served: {broken.bce} IDENTITY_CHANGED" in reason[0]


def test_purge_from_the_command_line_reports_what_it_removed(world, subscriber, database_url, outbox, conn, engine):
    subscriber("IDENTITY_CHANGED")
    run(conn, outbox, _today(engine) - timedelta(days=30))
    proc = raas(database_url, outbox, "batch", "purge", "--days", "20")
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 0, err
    assert out.startswith("batch purge: 1 deliveries (2 files) from before ")
    assert delivery_rows(database_url) == 0


def test_purge_waits_for_no_one_it_says_when_a_run_holds_the_lock(world, subscriber, database_url, outbox, conn):
    subscriber("IDENTITY_CHANGED")
    assert locks.try_lock(conn, locks.BATCH)
    proc = raas(database_url, outbox, "batch", "purge")
    _, err = proc.communicate(timeout=60)
    locks.unlock(conn, locks.BATCH)

    assert proc.returncode == 0 and "batch purge not started" in err
