"""A search phase for `make bench-ha`: searchPersonByPhoneticCriteria on the Patroni cluster, with and
without DATABASE_READ_URL, and the primary's CPU per search (bench.register has no search phase).

bench.world's database (a fresh one on RAAS_BENCH_DATABASE_URL, 20,000 synthetic persons), one
`raas serve` per run, ``clients`` keep-alive Python clients each searching for persons of the
population by name and birth date for ``seconds``. CPU from bench.cpu: the server's processes, and
the primary's postmaster with its children (RAAS_BENCH_POSTMASTER_PID).
"""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

from bench.cpu import cpu_delta, cpu_snapshot
from bench.envelopes import connection, search_person, security_header, send
from bench.postgres import temporary_home
from bench.processes import raas_server
from bench.world import USERNAME, build_world, same_database, tear_down


def _drive(base: str, bodies: list[bytes], clients: int, seconds: float) -> tuple[int, int]:
    counts = {"calls": 0, "ok": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = connection(base)
        calls = ok = 0
        while time.monotonic() < deadline:
            status, _, _ = send(conn, "/ws/PersonService", rng.choice(bodies))
            calls, ok = calls + 1, ok + (status == 200)
        conn.close()
        with lock:
            counts["calls"] += calls
            counts["ok"] += ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts["calls"], counts["ok"]


def search_phases(read_url: str, postmaster_pid: int, seconds: float = 15, clients: int = 8) -> dict:
    """{"primary": figures, "standby": figures}: the same searches, then with reads on ``read_url``."""
    home = temporary_home("raas-ha-search-")
    world = None
    out = {}
    try:
        world = build_world(home, 20_000)
        header = security_header(USERNAME, world.password)
        people = random.Random(7).sample(world.persons, 500)
        bodies = [search_person(header, p[2], p[3], p[4]) for p in people]
        for label, url in (("primary", None), ("standby", read_url)):
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_READ_URL", "RAAS_PUBLIC_URL")}
            env.update(RAAS_HOME=str(world.home), DATABASE_URL=world.url, RAAS_LOG_LEVEL="WARNING")
            if url:
                env["DATABASE_READ_URL"] = same_database(url, world.url)
            server, base = raas_server(env, Path(home) / f"search-{label}.log", 2, 4)
            with server:
                _drive(base, bodies, clients, 3)  # warm-up: prepared statements, caches
                before = cpu_snapshot(server.proc.pid, postmaster_pid)
                started = time.monotonic()
                calls, ok = _drive(base, bodies, clients, seconds)
                delta = cpu_delta(before, cpu_snapshot(server.proc.pid, postmaster_pid))
                elapsed = time.monotonic() - started
            out[label] = {
                "rps": round(calls / elapsed, 1),
                "ok": ok,
                "calls": calls,
                "primary_cpu_ms": round(1000 * delta["postgres"] / max(calls, 1), 3),
                "app_cpu_ms": round(1000 * delta["server"] / max(calls, 1), 3),
                "other_busy_pct": round(100 * delta["other"] / max(delta["total"], 1e-9), 1),
                "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            }
            print(f"search, reads on the {label}: {out[label]}", flush=True)
    finally:
        tear_down(world, home)
    return out
