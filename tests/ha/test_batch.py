"""The nightly batch killed by a failover (its primary's postmaster SIGKILLed mid-run), then run again on
the same multi-host URL: every mutation reaches its subscriber exactly once, in complete files with vouchers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
from lxml import etree

from bench.batch import bce_of, prepare
from register.adapters import database
from tests.ha.conftest import record

MUTATIONS, TENANTS = 200_000, 20
RUN_DATE = "2026-01-15"
MUTATIONS_NS = "urn:be:raas:mutations:v1"


def _batch(cluster, outbox: Path) -> subprocess.Popen:
    raas = Path(sys.executable).with_name("raas")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": cluster.url(), "RAAS_OUTBOX": str(outbox),
           "RAAS_HOME": str(outbox.parent), "RAAS_LOG_LEVEL": "WARNING"}  # fmt: skip
    with (outbox.parent / "batch.log").open("ab") as log:
        return subprocess.Popen([str(raas), "batch", "run", "--date", RUN_DATE], env=env, stdout=log, stderr=log)


def _sequences(outbox: Path) -> dict[tuple[str, str], list[int]]:
    """(bce, flow) -> the sequences its data files hold, each file complete (its voucher beside it)."""
    out: dict[tuple[str, str], list[int]] = {}
    for data in sorted(outbox.rglob("RAAS_*.xml")):
        if data.name.endswith(".voucher.xml"):
            continue
        assert data.with_name(data.name[:-4] + ".voucher.xml").exists(), f"{data.name} has no voucher"
        _, bce, *flow, _ = data.stem.split("_")
        sequences = [int(e.text) for _, e in etree.iterparse(str(data), tag=f"{{{MUTATIONS_NS}}}sequence")]
        out.setdefault((bce, "_".join(flow)), []).extend(sequences)
    return out


def test_a_batch_killed_by_a_failover_and_run_again_delivers_each_mutation_exactly_once(cluster, engine, tmp_path):
    cluster.wait_healthy()
    conninfo = database.conninfo(cluster.url())
    prepare(conninfo, MUTATIONS, TENANTS)
    outbox = tmp_path / "outbox"
    files = 2 * TENANTS
    batch = _batch(cluster, outbox)
    started = time.monotonic()
    while len(list(outbox.rglob("*.voucher.xml"))) < files // 4:  # a quarter of the files are delivered
        assert batch.poll() is None, (tmp_path / "batch.log").read_text()
        assert time.monotonic() - started < 300, "the batch delivered too little"
        time.sleep(0.05)
    old = cluster.leader()
    cluster.kill_postmaster(cluster.node(old))
    killed_at = time.monotonic()
    delivered_before = len(list(outbox.rglob("*.voucher.xml")))
    first = batch.wait(timeout=120)
    cluster.wait_failover(old)
    cluster.wait_healthy(120)
    whole_after = time.monotonic() - killed_at
    second = _batch(cluster, outbox).wait(timeout=600)
    third = _batch(cluster, outbox).wait(timeout=600)  # a rerun of a finished date changes nothing
    delivered = _sequences(outbox)
    with psycopg.connect(conninfo) as conn:
        journal = conn.execute(
            "SELECT t.bce, j.flow, array_agg(j.sequence ORDER BY j.sequence) FROM journal j JOIN tenant t ON t.id = j.tenant_id GROUP BY 1, 2"
        ).fetchall()
        rows = conn.execute("SELECT count(*), sum(record_count) FROM delivery").fetchone()
    expected = {(bce, flow): sequences for bce, flow, sequences in journal}
    duplicates = sum(n - 1 for seqs in delivered.values() for n in Counter(seqs).values() if n > 1)
    missing = sum(len(set(seqs) - set(delivered.get(key, []))) for key, seqs in expected.items())
    figures = {
        "mutations": MUTATIONS,
        "files": files,
        "files_delivered_before_the_kill": delivered_before,
        "first_run_exit": first,
        "cluster_whole_after_s": round(whole_after, 1),
        "second_run_exit": second,
        "third_run_exit": third,
        "delivered_records": sum(len(s) for s in delivered.values()),
        "duplicates": duplicates,
        "missing": missing,
        "delivery_rows": rows[0],
        "old_primary": old,
        "new_primary": cluster.leader(),
    }
    record("batch_failover", figures, scenario=False)
    assert first != 0, "the batch should have failed with its primary"
    assert (second, third) == (0, 0), (tmp_path / "batch.log").read_text()[-3000:]
    assert {bce_of(i) for i in range(1, TENANTS + 1)} == {bce for bce, _ in delivered}
    assert (duplicates, missing) == (0, 0), figures
    assert {k: sorted(v) for k, v in delivered.items()} == expected
    assert rows == (files, MUTATIONS)
