"""Phonetic search benchmark: recall and latency of searchPersonByPhoneticCriteria over SOAP.

    python -m bench.search [--persons 1000000] [--queries 2000] [--reuse]     (make bench-search)

1. Builds a synthetic Belgian population: last and given names drawn with the
   frequencies of Faker's nl_BE and fr_BE lists, respelt by Dutch/French variant
   rules so that similar-sounding names coexist (Peeters, Peters, Pieters...),
   plus a long tail of composed names; double given names; a few incomplete
   birth dates and unknown genders; valid, distinct SSINs; then a tenth as many
   persons with German, English and Arabic-transliterated given names (so
   --persons 1000000 imports 1,100,000).
2. Loads it with the real import path, `raas source import` of a CSV written
   here, timed (CONTRACT.md section 7; the issue wants 1M persons in < 2 min),
   into an embedded PostgreSQL of its own (RAAS_HOME=var/bench-search-<N>;
   --reuse keeps it between runs, and skips the import when it holds the population).
3. Starts `raas serve` on a free port, creates a tenant and a client, and runs a
   query set of corrupted identities of every kind (case/accents, particles and
   spacing, given names, spelling variants, one-letter typos, swapped names,
   birth-date tolerance, gender filter) plus about 5 % persons who are not in the
   population; then, apart, given names searched under another language's form,
   a short form or another transliteration, and absent persons hard to tell from
   present ones (twins, new names); one call at a time over plain HTTP with keep-alive.
4. Reports recall@1, recall@10, MRR, the share of absent persons answered with a
   score >= 0.9, and p50/p95 latency, by query kind, overall for the original kinds
   and for the first-name variants, over all absent kinds, and with and without a
   birth date; beside them, two
   ceilings measured in the same run: the recall of an in-memory metaphone +
   Jaro-Winkler baseline on the same queries, and the latency of a trivial SOAP
   call (the spyne echo service of bench/servers.py, same gunicorn settings), and
   the database's plan for a typical search (candidates by index, no table scan).

Results: bench/results/search-<N>.json. Timings on a shared 2-core machine are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import RESULTS, ROOT
from bench.envelopes import ECHO_REQUEST, connection, search_person, security_header, send
from bench.postgres import stop_postgres
from bench.processes import ceiling_server, raas_server, run_raas
from bench.reports import write_json
from bench.search_population import Population, write_csv
from bench.search_queries import ABSENT_KINDS, KINDS, VAGUE_KINDS, VARIANT_KINDS, Query, make_queries
from bench.search_scoring import Baseline, percentile, print_report, results_of, summarise
from bench.world import BCE, explain_search

USERNAME, PASSWORD = "bench-search", "bench-search-password-1"  # its client (a tenant of its own database)
SERVER_TIMEOUT = 90  # seconds for a server to come up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the database; skip the import when it is there")
    parser.add_argument("--home", type=Path, help="RAAS_HOME of the benchmark (default var/bench-search-<N>)")
    args = parser.parse_args()

    home = (args.home or ROOT / "var" / f"bench-search-{args.persons}").resolve()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RAAS_PUBLIC_URL")}
    env.update(RAAS_HOME=str(home), RAAS_LOG_LEVEL="WARNING")
    report: dict = {"persons": args.persons, "queries": args.queries, "seed": args.seed}

    started = time.monotonic()
    population = Population(args.persons, args.seed)
    report["other_languages"] = len(population.others)
    report["distinct_last_names"] = len({p.last_name for p in population.persons})
    print(f"population: {args.persons:,} persons and {len(population.others):,} of other languages, "
          f"{report['distinct_last_names']:,} distinct last names "
          f"({time.monotonic() - started:.1f} s)", flush=True)  # fmt: skip

    marker = home / "imported"
    imported = f"{args.persons} {args.seed} {len(population.others)}"  # an older population is imported over
    if not (args.reuse and marker.exists() and marker.read_text() == imported):
        if home.exists() and not args.reuse:
            stop_postgres(home)
            subprocess.run(["rm", "-rf", str(home)], check=True)
        home.mkdir(parents=True, exist_ok=True)
        csv_path = home / "persons.csv"
        write_csv(population.persons, csv_path)
        run_raas(["db", "upgrade"], env, stdout=subprocess.DEVNULL)
        print(f"importing {csv_path} with `raas source import` ...", flush=True)
        begun = time.monotonic()
        load = os.getloadavg()[0]
        run_raas(["source", "import", str(csv_path)], env)  # its progress goes to this terminal
        report["import_seconds"] = round(time.monotonic() - begun, 1)
        report["load_average_before_import"] = round(load, 1)  # the machine is shared: context for the figure
        print(f"import: {report['import_seconds']} s for {len(population.persons):,} persons (target < 120 s)",
              flush=True)  # fmt: skip
        marker.write_text(imported)
        csv_path.unlink()

    create = ["tenant", "create", "--bce", BCE, "--name", "Bench"]
    if run_raas(create, env, capture_output=True, check=False).returncode == 0:
        run_raas(["tenant", "add-client", "--bce", BCE, "--username", USERNAME, "--password-stdin"], env,
                 input=PASSWORD + "\n", text=True, capture_output=True)  # fmt: skip
    header = security_header(USERNAME, PASSWORD, must_understand=False)

    queries = make_queries(population, args.queries, args.seed + 1)
    baseline = Baseline(population.persons)
    report["plan"] = _plan(home, queries)
    print("plan of a typical search's candidates:\n  " + report["plan"].replace("\n", "\n  "), flush=True)

    try:
        server, base = raas_server(env, home / "serve.log", args.workers, args.threads, timeout=SERVER_TIMEOUT)
        with server:
            rows = _search(base, queries, header, baseline)
        report["echo"] = _echo_latency(args, home)
    except RuntimeError as error:  # a server that did not come up
        raise SystemExit(str(error)) from None
    report["overall"] = summarise([r for r in rows if r["kind"] in KINDS])
    report["variants"] = summarise([r for r in rows if r["kind"] in VARIANT_KINDS])
    report["absent"] = summarise([r for r in rows if r["expected"] is None])
    kinds = KINDS + VAGUE_KINDS + VARIANT_KINDS + ABSENT_KINDS
    report["by_kind"] = {k: summarise([r for r in rows if r["kind"] == k]) for k in kinds}
    report["latency"] = {
        "with_birth_date": summarise([r for r in rows if r["query"][2]]),
        "without_birth_date": summarise([r for r in rows if not r["query"][2]]),
    }
    report["misses"] = [r for r in rows if r["expected"] and r["rank"] != 1 and r["ties"] <= 1][:60]
    report["absent_high"] = [r for r in rows if r["expected"] is None and r["best_score"] >= 0.9][:40]
    print_report(report)
    out = write_json(RESULTS / f"search-{args.persons}.json", report)
    print(f"results: {out}")
    if not args.reuse:
        stop_postgres(home)
    return 0


def _search(base: str, queries: list[Query], header: str, baseline: Baseline) -> list[dict]:
    """The queries one at a time on one keep-alive connection, each answer ranked beside the baseline's."""
    rows = []
    conn = connection(base)
    path = "/ws/PersonService"
    for q in queries[:20]:  # warm up: connections, prepared statements, caches
        send(conn, path, _request(q, header))
    for q in queries:
        body = _request(q, header)
        t0 = time.perf_counter()
        status, answer, _ = send(conn, path, body)
        ms = (time.perf_counter() - t0) * 1000
        if status != 200:
            raise SystemExit(f"{q}: HTTP {status}: {answer[:500]!r}")
        found = results_of(answer)
        ssins_found = [s for s, _ in found]
        base = baseline.search(q)
        rows.append({
            "kind": q.kind,
            "expected": q.expected,
            "rank": ssins_found.index(q.expected) + 1 if q.expected in ssins_found else None,
            "baseline_rank": base.index(q.expected) + 1 if q.expected in base else None,
            "best_score": found[0][1] if found else 0.0,
            "score": dict(found).get(q.expected),
            "ms": ms,
            "ties": q.ties,
            "query": [q.last_name, q.first_name, q.birth_date, q.tolerance, q.gender],
        })  # fmt: skip
    conn.close()
    return rows


def _request(q: Query, header: str) -> bytes:
    return search_person(header, q.last_name, q.first_name, q.birth_date, q.tolerance, q.gender)


def _plan(home: Path, queries: list[Query]) -> str:
    q = next(q for q in queries if q.kind == "typo" and q.birth_date)
    return explain_search(home, q.last_name, q.first_name, q.birth_date, q.tolerance, q.gender)


def _echo_latency(args, home: Path) -> dict:
    """The ceiling: the same one-at-a-time calls to spyne's trivial echo under the same gunicorn settings."""
    server, url = ceiling_server("echo", home, args.workers, args.threads, timeout=SERVER_TIMEOUT)
    with server:
        conn = connection(url)
        path = "/ws/EchoService"
        times = []
        for i in range(520):
            t0 = time.perf_counter()
            status, _, _ = send(conn, path, ECHO_REQUEST)
            if i >= 20:
                times.append((time.perf_counter() - t0) * 1000)
            assert status == 200
        conn.close()
    return {"p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}


if __name__ == "__main__":
    sys.exit(main())
