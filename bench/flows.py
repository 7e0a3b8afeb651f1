"""Network feed benchmark: `raas flow ingest` records per second and peak memory, beside a COPY ceiling.

    python -m bench.flows [--sizes 100000,1000000] [--persons 200000] [--tenants 100]     (make bench-flows)

1. An embedded PostgreSQL of its own (RAAS_HOME=var/bench-flows) gets, by SQL, --persons
   persons, --tenants tenants with two dossier types, two or three lines per person, and an
   authorization for DIMONA (a flow with a payload XSD) for half of the tenants.
2. For each size N a feed of N records (distinct references, the persons in turn, a
   Dimona-like payload of about 200 bytes with text that needs escaping) is written to disk,
   then `raas flow ingest` runs in a process of its own: wall time (start to exit: parsing,
   both schemas, check digits, canonical payloads, COPY, the checks, the records' insert,
   the routing and its journal rows, the commit) and peak resident memory (wait4's maxrss).
3. The ceiling, in the same run: the same rows, already in COPY's text format on disk (the
   preparation not timed), COPY'd into an unindexed table of the same columns.

Target (issue 13): >= 20,000 records/s on this machine; peak RSS flat from 100k to 1M.
Results: bench/results/flows.json. Timings on a shared 2-core machine are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench import RESULTS, ROOT
from bench.postgres import start_postgres
from bench.processes import raas_command, run_raas
from bench.reports import write_json

TARGET_RATE = 20_000
NS, DIMONA_NS = "urn:be:raas:network:v1", "urn:example:dimona:v1"
DIMONA_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{DIMONA_NS}" elementFormDefault="unqualified">
  <xs:element name="declaration"><xs:complexType><xs:sequence>
    <xs:element name="employer" type="xs:string"/><xs:element name="enterprise" type="xs:string"/>
    <xs:element name="jointCommittee" type="xs:string" minOccurs="0"/><xs:element name="start" type="xs:date"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
"""
EMPLOYERS = ["Brasserie L'Étoile & Fils", "ACME <Belgium>", "Van den Broeck BV", "Müller & Zn", "Société Générale"]

# Persons with valid SSINs (born 1950-1989, day and serial from g; check digits computed in SQL), tenants,
# dossier types, lines and authorizations, written as the register's own code would leave them.
WORLD = """
TRUNCATE delivery, subscription, journal, network_record, flow_authorization, registration, dossier_type,
         client, tenant, person CASCADE;
INSERT INTO person (ssin, kind, last_name, first_name, birth_date, last_name_key, first_name_key,
                    last_name_phonetic, first_name_phonetic, search_keys)
SELECT n || lpad((97 - (n::bigint %% 97))::text, 2, '0'), 'NR', 'Bench', 'Person', '1970-01-01', 'bench', 'person',
       'BNX', 'PRSN', '{}'
FROM (SELECT lpad((50 + g %% 40)::text, 2, '0') || lpad((1 + g / 40 %% 12)::text, 2, '0')
             || lpad((1 + g / 480 %% 28)::text, 2, '0') || lpad((1 + g / 13440)::text, 3, '0') AS n
      FROM generate_series(0, %(persons)s - 1) g) p;
INSERT INTO tenant (bce, name)
SELECT b || lpad((97 - b::bigint %% 97)::text, 2, '0'), 'Bench tenant ' || g
FROM (SELECT g, '0' || lpad(g::text, 7, '0') AS b FROM generate_series(1, %(tenants)s) g) t;
INSERT INTO dossier_type SELECT id, code, code FROM tenant, unnest(ARRAY['SOCIAL', 'ALLOWANCE']) code;
INSERT INTO registration (tenant_id, ssin, dossier_type, period)
SELECT t.id, p.ssin, CASE WHEN k = 1 THEN 'ALLOWANCE' ELSE 'SOCIAL' END,
       CASE WHEN k = 1 THEN daterange('2023-01-01', '2024-12-31', '[]') ELSE daterange('2020-01-01', NULL) END
FROM (SELECT ssin, row_number() OVER () AS i FROM person) p, generate_series(0, 1 + (p.i %% 2)::int) k,
     LATERAL (SELECT id FROM tenant ORDER BY id OFFSET ((p.i * 7 + k * 13) %% %(tenants)s) LIMIT 1) t
ON CONFLICT DO NOTHING;
DELETE FROM flow WHERE kind = 'NETWORK';
"""


def prepare(conninfo: str, persons: int, tenants: int, env: dict, home: Path) -> float:
    started = time.monotonic()
    schema = home / "dimona.xsd"
    schema.write_text(DIMONA_XSD)
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.transaction():
        for statement in WORLD.split(";\n"):
            if statement.strip():
                conn.execute(statement, {"persons": persons, "tenants": tenants})
    run_raas(["flow", "define", "--code", "DIMONA", "--label", "Bench declarations", "--schema", str(schema)], env,
             stdout=subprocess.DEVNULL)  # fmt: skip
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO flow_authorization (tenant_id, flow, reference, validity)"
            " SELECT id, 'DIMONA', 'SCSZ/24/' || id, daterange('2020-01-01', NULL) FROM tenant WHERE id % 2 = 0"
        )
        conn.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def ssins(conninfo: str) -> list[str]:
    with psycopg.connect(conninfo) as conn:
        return [s for (s,) in conn.execute("SELECT ssin FROM person ORDER BY ssin")]


def _payload(i: int) -> str:
    employer = EMPLOYERS[i % len(EMPLOYERS)].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<d:declaration xmlns:d="{DIMONA_NS}"><employer>{employer} {i % 997}</employer>'
        f"<enterprise>0{400000000 + i % 99991}</enterprise><jointCommittee>{100 + i % 250}</jointCommittee>"
        f"<start>2024-{1 + i % 12:02d}-{1 + i % 28:02d}</start></d:declaration>"
    )


def write_feed(path: Path, persons: list[str], records: int, run: int) -> None:
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<n:NetworkFeed xmlns:n="{NS}">\n<n:flow>DIMONA</n:flow>\n')
        for i in range(records):
            out.write(
                f"<n:record><n:reference>R{run}-{i:08d}</n:reference><n:ssin>{persons[i % len(persons)]}</n:ssin>"
                f"<n:eventDate>2024-{1 + i % 12:02d}-{1 + i % 28:02d}</n:eventDate><n:kind>{('IN', 'OUT')[i % 2]}</n:kind>"
                f"<n:payload>{_payload(i)}</n:payload></n:record>\n"
            )
        out.write("</n:NetworkFeed>\n")


def ingest(env: dict, feed: Path) -> dict:
    started = time.monotonic()
    proc = subprocess.Popen([*raas_command(), "flow", "ingest", str(feed)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    out, err = proc.stdout.read().strip(), proc.stderr.read().strip()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"raas flow ingest failed: {err}")
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "summary": out.splitlines()[-1],
    }


def ceiling(conninfo: str, persons: list[str], records: int, run: int, folder: Path) -> float:
    """Seconds to COPY the same rows (COPY's text, prepared on disk, not timed) into an unindexed table."""
    rows = folder / "ceiling.tsv"
    with rows.open("w", encoding="utf-8", buffering=1 << 20) as out:
        for i in range(records):
            payload = _payload(i).replace("\\", "\\\\")
            out.write(f"{i + 4}\tR{run}-{i:08d}\t{persons[i % len(persons)]}\t2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
                      f"\t{('IN', 'OUT')[i % 2]}\t{payload}\n")  # fmt: skip
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(
            "CREATE UNLOGGED TABLE bench_copy (line int, reference text, ssin text, event_date date, kind text, payload text)"
        )
        started = time.monotonic()
        with conn.cursor() as cur, cur.copy("COPY bench_copy FROM STDIN") as copy, rows.open("rb") as data:
            while block := data.read(1 << 20):
                copy.write(block)
        seconds = time.monotonic() - started
        conn.execute("DROP TABLE bench_copy")
    rows.unlink()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="records per feed, comma-separated")
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--home", type=Path, default=ROOT / "var" / "bench-flows")
    args = parser.parse_args()

    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(RAAS_HOME=str(home), RAAS_LOG_LEVEL="WARNING")
    run_raas(["db", "upgrade"], env, stdout=subprocess.DEVNULL)
    conninfo = start_postgres(home).replace("postgresql+psycopg://", "postgresql://")
    loaded = prepare(conninfo, args.persons, args.tenants, env, home)
    persons = ssins(conninfo)
    print(
        f"{len(persons):,} persons, {args.tenants} tenants, their lines and authorizations in {loaded:.1f} s",
        flush=True,
    )
    report = {"persons": len(persons), "tenants": args.tenants, "runs": [], "target_records_per_s": TARGET_RATE,
              "load_average_before": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    for run, size in enumerate(int(s) for s in args.sizes.split(",")):
        feed = home / f"feed-{size}.xml"
        write_feed(feed, persons, size, run)
        with psycopg.connect(conninfo, autocommit=True) as conn:  # each size on the same world, from empty
            conn.execute("TRUNCATE journal, network_record")
        load = os.getloadavg()[0]
        result = ingest(env, feed)
        top = ceiling(conninfo, persons, size, run, home)
        rate, top_rate = size / result["seconds"], size / top
        row = {
            "records": size,
            "feed_mb": round(feed.stat().st_size / 1e6, 1),
            "ingest": {**result, "records_per_s": round(rate)},
            "ceiling_copy_unindexed": {"seconds": round(top, 2), "records_per_s": round(top_rate)},
            "ratio_to_ceiling": round(rate / top_rate, 3),
            "load_average_1m_before": round(load, 2),
        }
        report["runs"].append(row)
        feed.unlink()
        print(
            f"{size:,} records ({row['feed_mb']} MB): raas flow ingest {result['seconds']:.1f} s, {rate:,.0f} records/s"
            f" (target >= {TARGET_RATE:,}), peak RSS {result['peak_rss_mb']} MB; {result['summary']}\n"
            f"  ceiling (COPY of the same rows into an unindexed table): {top:.1f} s, {top_rate:,.0f} records/s;"
            f" ratio {rate / top_rate:.2f}; load average before: {load:.2f}",
            flush=True,
        )
    out = write_json(RESULTS / "flows.json", report)
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
