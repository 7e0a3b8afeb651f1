"""`make bench` against the Patroni cluster, with and without DATABASE_READ_URL: read throughput and the
primary's CPU per read.

    make bench-ha      (= .venv/bin/python -m tests.ha.bench; root: the nodes run as postgres)

Starts tests/ha/cluster.py's etcd and three nodes, then runs bench.register's register and list phases
twice on the cluster's multi-host URL (RAAS_BENCH_DATABASE_URL): once with every read on the primary,
once with DATABASE_READ_URL on the synchronous standby; then a search phase both ways (tests/ha/bench_search.py). RAAS_BENCH_POSTMASTER_PID points bench.register
at the primary's postmaster, so "postgres" CPU per call is the primary's alone. Writes both reports
(var/ha-bench-primary.json, var/ha-bench-standby.json) and a summary (var/ha-bench.json); stops the
cluster by pid whatever happens. A benchmark: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.ha.bench_search import search_phases
from tests.ha.cluster import Cluster

VAR = Path("var")


def run_bench(cluster: Cluster, label: str, args, read_url: str | None) -> dict:
    leader = cluster.leader()
    output = VAR / f"ha-bench-{label}.json"
    env = dict(os.environ, RAAS_BENCH_DATABASE_URL=cluster.url("postgres"))
    env["RAAS_BENCH_POSTMASTER_PID"] = str(cluster.node(leader).postmaster_pid())
    env.pop("DATABASE_URL", None)
    env.pop("DATABASE_READ_URL", None)
    if read_url:
        env["DATABASE_READ_URL"] = read_url
    command = [sys.executable, "-m", "bench.register", "--phases", "register,list", "--duration", str(args.duration),
               "--warmup", str(args.warmup), "--persons", str(args.persons), "--output", str(output)]  # fmt: skip
    print(
        f"== {label}: {' '.join(command[1:])}" + (f" with DATABASE_READ_URL={read_url}" if read_url else ""), flush=True
    )
    subprocess.run(command, env=env, check=True)
    phases = json.loads(output.read_text())["phases"]
    return {
        "read_url": read_url,
        "primary": leader,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        **{
            name: {k: phases[name][k] for k in ("rps", "p50_ms", "p99_ms", "errors", "other_busy_pct")}
            | {
                "primary_cpu_ms": phases[name]["cpu_ms_per_request"]["postgres"],
                "app_cpu_ms": phases[name]["cpu_ms_per_request"]["server"],
            }  # fmt: skip
            for name in ("register", "list")
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--persons", type=int, default=20_000)
    args = parser.parse_args(argv)
    cluster = Cluster.create()
    try:
        cluster.start()
        standby = cluster.sync_standby()
        # a single host: the synchronous standby, whose remote_apply makes every acknowledged write visible
        read_url = cluster.node_url(standby, "postgres") + "?target_session_attrs=standby"
        summary = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "standby": standby}
        for label, url in (("primary", None), ("standby", read_url)):
            summary[label] = run_bench(cluster, label, args, url)
            print(json.dumps(summary[label]), flush=True)
        os.environ["RAAS_BENCH_DATABASE_URL"] = cluster.url("postgres")
        pid = cluster.node(cluster.leader()).postmaster_pid()
        summary["search"] = search_phases(read_url, pid, args.duration)
        (VAR / "ha-bench.json").write_text(json.dumps(summary, indent=2) + "\n")
        print(f"results: {VAR / 'ha-bench.json'}")
        return 0
    finally:
        left = cluster.stop()
        if left:
            print(f"still listening after the cluster stopped: {left} (logs in {cluster.folder})", file=sys.stderr)
        else:
            cluster.remove()


if __name__ == "__main__":
    sys.exit(main())
