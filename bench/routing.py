"""RoutingService benchmark: findHolders latency over SOAP on a large register, beside the spyne echo.

    python -m bench.routing [--lines 10000000] [--queries 3000] [--reuse]     (make bench-routing)

1. An embedded PostgreSQL of its own (RAAS_HOME=var/bench-routing-<lines>; --reuse keeps it
   between runs) gets, by SQL, 200 tenants with four dossier types, lines/4 persons with
   valid SSINs and four lines each, at four tenants, of which about three contain today
   (one ended years ago). The register's indexes and its exclusion constraint are dropped
   for the load and built again after (the same definitions, read from the catalogue), then
   the table is vacuumed and analysed, as an established register is.
2. `raas serve` (2 workers, the production settings) and a network credential; --queries
   findHolders calls for random persons, one at a time on a keep-alive connection, after a
   warm-up: p50, p95, p99 (each answer is parsed: its holders counted).
3. The ceiling, in the same run: the same number of calls to spyne's trivial echo
   (bench/servers.py, same gunicorn settings, no database, no password check).
4. The plan of the lines' read (raas_holders, inlined into raas_routing's query), with buffers.

Target (issue 13): findHolders p95 <= 5 ms with 10,000,000 lines.
Results: bench/results/routing-<lines>.json. Timings on a shared 2-core machine are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from lxml import etree

from bench import RESULTS, ROOT
from bench.envelopes import ECHO_REQUEST, connection, find_holders, security_header, send
from bench.postgres import start_postgres, stop_postgres
from bench.processes import ceiling_server, raas_server, run_raas
from bench.reports import write_json
from bench.search_scoring import percentile

TARGET_P95_MS = 5.0
USERNAME, PASSWORD = "bench-hub", "bench-hub-password-1"
TENANTS = 200
ROUTING_NS = "urn:be:raas:routing:v1"

# Persons with valid SSINs (born 1950-1989, day and serial from g), as in bench/flows.py.
PERSONS = """
INSERT INTO person (ssin, kind, last_name, first_name, birth_date, last_name_key, first_name_key,
                    last_name_phonetic, first_name_phonetic, search_keys)
SELECT n || lpad((97 - (n::bigint %% 97))::text, 2, '0'), 'NR', 'Bench', 'Person', '1970-01-01', 'bench', 'person',
       'BNX', 'PRSN', '{}'
FROM (SELECT lpad((50 + g %% 40)::text, 2, '0') || lpad((1 + g / 40 %% 12)::text, 2, '0')
             || lpad((1 + g / 480 %% 28)::text, 2, '0') || lpad((1 + g / 13440)::text, 3, '0') AS n
      FROM generate_series(0, %(persons)s - 1) g) p
"""
# Four lines per person at four tenants: open since 2020, 2019-2030, ended in 2018, open since 2024-06.
LINES = """
INSERT INTO registration (tenant_id, ssin, dossier_type, period)
SELECT t.first + (p.i * 7 + k * 13) %% %(tenants)s, p.ssin, (ARRAY['A', 'B', 'C', 'D'])[k + 1],
       (ARRAY[daterange('2020-01-01', NULL), daterange('2019-01-01', '2030-12-31', '[]'),
              daterange('2015-01-01', '2018-12-31', '[]'), daterange('2024-06-01', NULL)])[k + 1]
FROM (SELECT ssin, row_number() OVER (ORDER BY ssin) AS i FROM person) p, generate_series(0, 3) k,
     (SELECT min(id) AS first FROM tenant) t
"""


def build(conninfo: str, lines: int) -> float:
    started = time.monotonic()
    persons = lines // 4
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE delivery, subscription, journal, network_record, flow_authorization, registration,"
            " dossier_type, client, network_client, tenant, person CASCADE"
        )
        conn.execute("ALTER TABLE tenant ALTER COLUMN id RESTART")
        conn.execute(
            "INSERT INTO tenant (bce, name) SELECT b || lpad((97 - b::bigint %% 97)::text, 2, '0'), 'Tenant ' || g"
            " FROM (SELECT g, '0' || lpad(g::text, 7, '0') AS b FROM generate_series(1, %s) g) t",
            (TENANTS,),
        )
        conn.execute("INSERT INTO dossier_type SELECT id, c, c FROM tenant, unnest(ARRAY['A', 'B', 'C', 'D']) c")
        print(f"  {persons:,} persons ...", flush=True)
        conn.execute(PERSONS, {"persons": persons})
        # the register's indexes and constraint, built again after the load (faster than row by row)
        indexes = [r[0] for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'registration' AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = 'registration'::regclass)"
        )]  # fmt: skip
        names = [r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'registration' AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = 'registration'::regclass)"
        )]  # fmt: skip
        (exclusion,) = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'registration_no_overlap'"
        ).fetchone()
        for name in names:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("ALTER TABLE registration DROP CONSTRAINT registration_no_overlap")
        conn.execute("ALTER TABLE registration DISABLE TRIGGER ALL")  # the foreign keys: right by construction
        print(f"  {lines:,} lines ...", flush=True)
        conn.execute(LINES, {"tenants": TENANTS})
        conn.execute("ALTER TABLE registration ENABLE TRIGGER ALL")
        conn.execute("SET maintenance_work_mem = '512MB'")
        print("  indexes and the exclusion constraint ...", flush=True)
        for definition in indexes:
            conn.execute(definition)
        conn.execute(f"ALTER TABLE registration ADD CONSTRAINT registration_no_overlap {exclusion}")
        conn.execute("VACUUM ANALYZE registration")
        conn.execute("VACUUM ANALYZE person")
        conn.execute("VACUUM ANALYZE tenant")
    return time.monotonic() - started


def sample_ssins(conninfo: str, count: int, seed: int) -> list[str]:
    with psycopg.connect(conninfo) as conn:
        persons = conn.execute("SELECT count(*) FROM person").fetchone()[0]
        rng = random.Random(seed)
        offsets = sorted(rng.randrange(persons) for _ in range(count))
        found = [r[0] for r in conn.execute(
            "SELECT ssin FROM (SELECT ssin, row_number() OVER (ORDER BY ssin) - 1 AS i FROM person) p"
            " WHERE i = ANY(%s)", (offsets,)
        )]  # fmt: skip
    rng.shuffle(found)
    return found


def explain(conninfo: str, ssin: str) -> str:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM raas_holders(%s, raas_today(), NULL, NULL, NULL)",
            (ssin,),
        )
        return "\n".join(r[0] for r in rows)


def timed(url_path: str, conn, bodies: list[bytes], check=None) -> list[float]:
    times = []
    for body in bodies:
        t0 = time.perf_counter()
        status, answer, _ = send(conn, url_path, body)
        times.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise SystemExit(f"HTTP {status}: {answer[:400]!r}")
        if check:
            check(answer)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="keep the database between runs (built once)")
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()

    home = (args.home or ROOT / "var" / f"bench-routing-{args.lines}").resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RAAS_PUBLIC_URL")}
    env.update(RAAS_HOME=str(home), RAAS_LOG_LEVEL="WARNING")
    run_raas(["db", "upgrade"], env, stdout=subprocess.DEVNULL)
    conninfo = start_postgres(home).replace("postgresql+psycopg://", "postgresql://")
    report: dict = {"lines": args.lines, "queries": args.queries, "target_p95_ms": TARGET_P95_MS}
    marker = home / "built"
    if not (args.reuse and marker.exists() and marker.read_text() == str(args.lines)):
        print(f"building a register of {args.lines:,} lines over {TENANTS} tenants ...", flush=True)
        report["build_seconds"] = round(build(conninfo, args.lines), 1)
        marker.write_text(str(args.lines))
        print(f"  built in {report['build_seconds']} s", flush=True)
    run_raas(["network", "remove-client", "--username", USERNAME], env, check=False, capture_output=True)
    run_raas(["network", "add-client", "--username", USERNAME, "--password-stdin"], env, input=PASSWORD + "\n",
             text=True, capture_output=True)  # fmt: skip
    ssins = sample_ssins(conninfo, args.queries + 200, args.seed)
    report["plan"] = explain(conninfo, ssins[0])
    print("plan of the lines' read:\n  " + report["plan"].replace("\n", "\n  "), flush=True)
    header = security_header(USERNAME, PASSWORD, must_understand=False)
    bodies = [find_holders(header, ssin) for ssin in ssins]
    holders = []

    def count_holders(answer: bytes) -> None:
        holders.append(len(etree.fromstring(answer).findall(f".//{{{ROUTING_NS}}}holder")))

    report["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    server, base = raas_server(env, home / "serve.log", args.workers, args.threads, timeout=90)
    with server:
        conn = connection(base)
        timed("/ws/RoutingService", conn, bodies[:200])  # warm-up: connections, caches, prepared statements
        times = timed("/ws/RoutingService", conn, bodies[200:], count_holders)
        conn.close()
    echo_server, echo_url = ceiling_server("echo", home, args.workers, args.threads, timeout=90)
    with echo_server:
        conn = connection(echo_url)
        timed("/ws/EchoService", conn, [ECHO_REQUEST] * 200)
        echo = timed("/ws/EchoService", conn, [ECHO_REQUEST] * args.queries)
        conn.close()
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["find_holders"] = {q: round(percentile(times, s), 2) for q, s in (("p50_ms", 0.5), ("p95_ms", 0.95),
                                                                              ("p99_ms", 0.99))}  # fmt: skip
    report["find_holders"]["mean_holders"] = round(sum(holders) / len(holders), 2)
    report["echo"] = {
        q: round(percentile(echo, s), 2) for q, s in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99))
    }
    f, e = report["find_holders"], report["echo"]
    print(
        f"findHolders over SOAP, {args.lines:,} lines, {len(times):,} calls one at a time:"
        f" p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms (target <= {TARGET_P95_MS}), p99 {f['p99_ms']} ms;"
        f" {f['mean_holders']} holders per answer\n"
        f"ceiling (spyne echo, same settings): p50 {e['p50_ms']} ms, p95 {e['p95_ms']} ms, p99 {e['p99_ms']} ms;"
        f" p95 ratio {f['p95_ms'] / e['p95_ms']:.2f}\n"
        f"load average before {report['load_average_before']}, after {report['load_average_after']}",
        flush=True,
    )
    out = write_json(RESULTS / f"routing-{args.lines}.json", report)
    print(f"results: {out.relative_to(ROOT)}")
    if not args.reuse:
        stop_postgres(home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
