"""Benchmark: bytes on disk per person, registration line and audit row, for the capacity model.

    .venv/bin/python -m bench.storage [--persons 50000]     (make bench-storage)

Loads --persons synthetic persons (the demo set), one register line per person and
dossier type (4 per person) and one audit row per line, into a fresh embedded PostgreSQL
built by the migrations, then reads each table's size with its indexes (VACUUM first).
The ceiling is the rows' own bytes (the sum of pg_column_size of every row): the ratio
says what the tuple headers, page fill and indexes add. Extrapolates to the volumes of
docs/OPERATIONS.md and writes bench/results/storage.json.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import text

from bench import RESULTS, ROOT
from bench.postgres import start_postgres, stop_postgres, temporary_home
from bench.reports import write_json
from bench.world import load_demo_data, migrate, open_engine

TARGETS = {"person": 12_000_000, "registration": 50_000_000, "audit": 5_000_000}  # audit: per day


def measure(engine, table: str) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
        raw = conn.execute(text(f"SELECT sum(pg_column_size(t.*)) FROM {table} t")).scalar()
        heap = conn.execute(text(f"SELECT pg_table_size('{table}')")).scalar()
        indexes = conn.execute(text(f"SELECT pg_indexes_size('{table}')")).scalar()
    return {
        "rows": rows,
        "raw_bytes_per_row": round(raw / rows, 1),
        "heap_bytes_per_row": round(heap / rows, 1),
        "index_bytes_per_row": round(indexes / rows, 1),
        "total_bytes_per_row": round((heap + indexes) / rows, 1),
        "ratio_to_raw": round((heap + indexes) / raw, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=50_000)
    args = parser.parse_args()
    home = temporary_home("raas-bench-storage-")
    started = time.monotonic()
    try:
        engine = open_engine(start_postgres(home), pool_size=1)
        migrate(engine)
        load_demo_data(engine, args.persons)
        with engine.begin() as conn:
            tenant = conn.execute(text("SELECT id FROM tenant")).scalar()
            conn.execute(
                text(
                    "INSERT INTO registration (tenant_id, ssin, dossier_type, period) "
                    "SELECT :t, p.ssin, d.code, daterange(DATE '2000-01-01' + (hashtext(p.ssin || d.code) & 8191), "
                    "  CASE WHEN hashtext(d.code || p.ssin) & 1 = 0 THEN NULL "
                    "  ELSE DATE '2024-01-01' + (hashtext(p.ssin) & 511) END, '[)') "
                    "FROM person p CROSS JOIN dossier_type d WHERE d.tenant_id = :t"
                ),
                {"t": tenant},
            )
            conn.execute(
                text(
                    "INSERT INTO audit (tenant_id, username, operation, ssins, outcome, request_id) "
                    "SELECT tenant_id, 'client-of-tenant', 'registerPerson', ARRAY[ssin], 'OK', "
                    "  md5(id::text) FROM registration"
                )
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        results = {table: measure(engine, table) for table in TARGETS}
        engine.dispose()
    finally:
        stop_postgres(home)
    print(f"storage, {args.persons:,} persons, in {time.monotonic() - started:.0f} s (PostgreSQL: embedded)")
    print(
        f"{'table':14} {'rows':>9} {'raw B':>7} {'heap B':>7} {'index B':>8} {'total B':>8} {'x raw':>6}  extrapolated"
    )
    for table, r in results.items():
        target = TARGETS[table]
        gib = r["total_bytes_per_row"] * target / 2**30
        per = " per day" if table == "audit" else ""
        print(
            f"{table:14} {r['rows']:>9,} {r['raw_bytes_per_row']:>7} {r['heap_bytes_per_row']:>7} "
            f"{r['index_bytes_per_row']:>8} {r['total_bytes_per_row']:>8} {r['ratio_to_raw']:>6}  "
            f"{target:,} rows{per}: {gib:.1f} GiB"
        )
        r["extrapolated"] = {"rows": target, "gib": round(gib, 1)}
    out = write_json(
        RESULTS / "storage.json", {"benchmark": "bench/storage.py", "persons": args.persons, "tables": results}
    )
    print(f"results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
