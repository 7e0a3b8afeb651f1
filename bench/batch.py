"""Nightly batch benchmark: records per second end to end and peak memory of `raas batch run`.

    python -m bench.batch [--sizes 100000,1000000] [--tenants 100] [--one-tenant]     (make bench-batch)

For each size N:
1. An embedded PostgreSQL of its own (RAAS_HOME=var/bench-batch) is emptied and
   given `--tenants` tenants, each subscribed to both flows, and N journal
   mutations spread over them (half SSIN_REPLACED, half IDENTITY_CHANGED, with
   names and addresses that need escaping), written by SQL as the feed would
   write them.
2. `raas batch run` runs in a process of its own: wall time (process start to
   exit: reading the journal, writing, validating against the XSD, hashing,
   fsync, vouchers, delivery rows) and its peak resident memory (wait4's maxrss).
3. The ceiling, in the same run: the same records (read from the same database,
   the read not timed) written by lxml's incremental xmlfile
   (batch/xmlfile_writer.py) to files, with no database and no validation (batch_ceiling.py).

Targets (issue 4): the run at >= 60 % of the ceiling's rate; peak RSS <= 300 MB,
and not growing with the file's size (--one-tenant adds a run with every
mutation for one tenant: the largest files).

Results: bench/results/batch.json. Timings on a shared 2-core machine are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg

from bench import RESULTS, ROOT
from bench.batch_ceiling import ceiling
from bench.postgres import start_postgres, stop_postgres
from bench.processes import raas_command, run_raas
from bench.reports import write_json

RUN_DATE = date(2026, 1, 15)
TARGET_RATIO, TARGET_RSS_MB = 0.60, 300

# N journal rows over :tenants tenants (ids 1..tenants), flows alternating; names from small
# lists with accents, apostrophes and an ampersand, so escaping is exercised as in production.
JOURNAL = """
WITH names (last, first) AS (
  SELECT ARRAY['Peeters','Janssens','Maes','Jacobs','Mertens','Willems','Claes','Goossens','Wouters','De Smet',
               'Dubois','Lambert','Dupont','Martin','Simon','Lefèvre','D''Hondt','Van den Broeck','Müller & Zn'],
         ARRAY['Jan','Marie','Luc','Anne','Pieter','Sofie','Els','Noël','Zoë','Jean-Pierre','Françoise','Ann-Sophie']
)
INSERT INTO journal (recorded_on, tenant_id, flow, ssin, new_ssin, dossier_types, changes, person)
SELECT DATE '2026-01-14', 1 + (g / 2) %% %(tenants)s,
  CASE WHEN g %% 2 = 0 THEN 'SSIN_REPLACED' ELSE 'IDENTITY_CHANGED' END,
  lpad((85000000000 + g)::text, 11, '0'),
  CASE WHEN g %% 2 = 0 THEN lpad((86000000000 + g)::text, 11, '0') END,
  CASE WHEN g %% 2 = 0 THEN CASE WHEN g %% 3 = 0 THEN ARRAY['SOCIAL', 'ALLOWANCE'] ELSE ARRAY['SOCIAL'] END END,
  CASE WHEN g %% 2 = 1 THEN jsonb_build_array(
      jsonb_build_object('name', 'lastName', 'old', last[1 + g %% 19], 'new', last[1 + (g + 7) %% 19]),
      jsonb_build_object('name', 'address.street', 'old', 'Rue de la Loi', 'new', 'Wetstraat')) END,
  CASE WHEN g %% 2 = 1 THEN jsonb_build_object(
      'ssin', lpad((85000000000 + g)::text, 11, '0'), 'kind', 'NR', 'status', 'ACTIVE',
      'lastName', last[1 + (g + 7) %% 19], 'firstName', first[1 + g %% 12], 'birthDate', '1985-07-30',
      'gender', CASE WHEN g %% 4 = 1 THEN 'M' ELSE 'F' END, 'nationality', 'BE',
      'address', jsonb_build_object('street', 'Wetstraat', 'houseNumber', (g %% 200 + 1)::text,
                                    'postalCode', '1040', 'municipality', 'Etterbeek', 'country', 'BE')) END
FROM generate_series(0, %(n)s - 1) g, names
"""


def bce_of(i: int) -> str:
    first_eight = f"0{i:07d}"
    return first_eight + f"{97 - int(first_eight) % 97:02d}"


def prepare(conninfo: str, mutations: int, tenants: int) -> float:
    started = time.monotonic()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("TRUNCATE delivery, subscription, journal, registration, dossier_type, client, tenant CASCADE")
        conn.execute("ALTER TABLE journal ALTER COLUMN sequence RESTART")
        conn.execute("ALTER TABLE tenant ALTER COLUMN id RESTART")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO tenant (bce, name) VALUES (%s, %s)",
                [(bce_of(i), f"Bench tenant {i}") for i in range(1, tenants + 1)],
            )
        conn.execute(
            "INSERT INTO subscription (tenant_id, flow, since, delivered_through)"
            " SELECT t.id, f, DATE '2026-01-01', 0 FROM tenant t, unnest(ARRAY['SSIN_REPLACED', 'IDENTITY_CHANGED']) f"
        )
        conn.execute(JOURNAL, {"n": mutations, "tenants": tenants})
        conn.execute("VACUUM ANALYZE journal")
    return time.monotonic() - started


def batch_run(env: dict, outbox: Path) -> dict:
    shutil.rmtree(outbox, ignore_errors=True)
    command = [*raas_command(), "batch", "run", "--date", RUN_DATE.isoformat()]
    started = time.monotonic()
    proc = subprocess.Popen(command, env={**env, "RAAS_OUTBOX": str(outbox)}, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    summary = proc.stdout.read().strip()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"raas batch run failed ({proc.returncode}): {summary}")
    sizes = [p.stat().st_size for p in outbox.rglob("RAAS_*.xml") if not p.name.endswith(".voucher.xml")]
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "summary": summary,
        "files": len(sizes),
        "largest_file_mb": round(max(sizes) / 1e6, 1),
        "total_mb": round(sum(sizes) / 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="journal mutations per run, comma-separated")
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--one-tenant", action="store_true", help="also the largest size for a single tenant")
    parser.add_argument("--home", type=Path, default=ROOT / "var" / "bench-batch")
    args = parser.parse_args()

    home = args.home.resolve()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(RAAS_HOME=str(home), RAAS_LOG_LEVEL="WARNING")
    run_raas(["db", "upgrade"], env)
    conninfo = start_postgres(home)
    plain = conninfo.replace("postgresql+psycopg://", "postgresql://")
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = [(n, args.tenants) for n in sizes] + ([(max(sizes), 1)] if args.one_tenant else [])
    report = {"runs": [], "targets": {"ratio_to_ceiling": TARGET_RATIO, "peak_rss_mb": TARGET_RSS_MB}}
    try:
        measure(runs, plain, conninfo, env, home, report)
    finally:  # the database stays on disk (--home, for a rerun), not running
        stop_postgres(home)
    out = write_json(RESULTS / "batch.json", report)
    print(f"results: {out.relative_to(ROOT)}")
    return 0


def measure(runs, plain: str, conninfo: str, env: dict, home: Path, report: dict) -> None:
    for mutations, tenants in runs:
        loaded = prepare(plain, mutations, tenants)
        print(f"{mutations:,} mutations over {tenants} tenants loaded in {loaded:.1f} s", flush=True)
        result = batch_run(env, home / "outbox")
        top = ceiling(conninfo, home / "ceiling", RUN_DATE)
        rate, top_rate = mutations / result["seconds"], top["records"] / top["seconds"]
        row = {
            "mutations": mutations,
            "tenants": tenants,
            "batch": {**result, "records_per_s": round(rate)},
            "ceiling_xmlfile": {**top, "records_per_s": round(top_rate)},
            "ratio_to_ceiling": round(rate / top_rate, 2),
        }
        report["runs"].append(row)
        print(
            f"  raas batch run: {result['seconds']:.1f} s, {rate:,.0f} records/s, peak RSS {result['peak_rss_mb']} MB,"
            f" {result['files']} files, largest {result['largest_file_mb']} MB\n"
            f"  ceiling (lxml xmlfile, no database, no validation): {top['seconds']:.1f} s, {top_rate:,.0f} records/s\n"
            f"  ratio to the ceiling: {rate / top_rate:.2f} (target >= {TARGET_RATIO}); "
            f"peak RSS {result['peak_rss_mb']} MB (target <= {TARGET_RSS_MB})",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
