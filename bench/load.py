"""Driving a load phase: a sample checked, a warm-up, then the measured run, with its CPU accounting.

C concurrent keep-alive HTTP/1.1 clients on loopback walk a plan (plans.py): wrk with
bench/soap.lua when installed, else bench/pyload.py (`python -m bench.pyload`). Both print one
line "BENCH_JSON {...}" with the figures; faults are counted apart.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from bench import BENCH, ROOT
from bench.answers import check_sample
from bench.cpu import STAT_FIELDS, cpu_delta, cpu_snapshot
from bench.plans import SAMPLE, Plan
from bench.reports import phase_line

LUA = BENCH / "soap.lua"


@dataclass(frozen=True)
class Load:
    """How each phase is driven, and whose CPU counts as PostgreSQL's."""

    generator: str  # "wrk" or "python"
    wrk: str | None  # wrk's path, when installed
    wrk_threads: int
    clients: int  # concurrent keep-alive connections
    warmup: float  # seconds
    duration: float  # measured seconds
    postmaster_pid: int | None  # the embedded server; None: processes named postgres

    def run(self, url: str, plan: Plan, offset: int, mode: str, duration: float, server_pid: int) -> dict:
        """The load generator for ``duration`` seconds from call ``offset`` of the plan: its figures, with CPU."""
        if self.generator == "wrk":
            command = [self.wrk, "-t", str(self.wrk_threads), "-c", str(self.clients), "-d", f"{duration:g}s"]
            command += ["--timeout", "10s", "-s", str(LUA), url, "--", str(plan.path), str(offset), mode]
            command += [str(self.wrk_threads)]
        else:
            command = [sys.executable, "-m", "bench.pyload", url, str(plan.path), str(offset), mode]
            command += ["--connections", str(self.clients), "--duration", f"{duration:g}"]
        before = cpu_snapshot(server_pid, self.postmaster_pid)
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        after = cpu_snapshot(server_pid, self.postmaster_pid)
        figures = next(
            (json.loads(line[11:]) for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")), None
        )
        if done.returncode != 0 or figures is None:
            raise RuntimeError(f"the load generator failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        figures["cpu"] = cpu_delta(before, after)
        return figures

    def phase(
        self,
        name: str,
        url: str,
        plan: Plan,
        mode: str,
        server_pid: int,
        audited: Callable[[], int] | None = None,
        offset: int = 0,
    ) -> dict:
        """Sample check, warm-up, measured run. Returns the summary (and the offset reached).

        ``audited``: how many calls the server has audited as OK so far (counted around the measured run)."""
        notes = check_sample(url, plan, mode)
        offset += SAMPLE
        warm = self.run(url, plan, offset, mode, self.warmup, server_pid)
        offset += warm["requests"] + self.clients  # skip calls that may have been in flight at the end
        audited_before = audited() if audited else None
        figures = self.run(url, plan, offset, mode, self.duration, server_pid)
        result = summarise(name, figures, self.clients)
        result["sample"] = notes
        result["warmup_requests"] = warm["requests"]
        result["warmup_errors"] = warm["faults"] + warm["other"]
        if audited_before is not None:
            result["audited_ok"] = audited() - audited_before
        result["offset_end"] = offset + figures["requests"] + self.clients
        _report_faults(plan)
        print(phase_line(result), flush=True)
        return result


def summarise(name: str, figures: dict, clients: int) -> dict:
    seconds = figures["duration_us"] / 1e6
    requests = figures["requests"]
    cpu = figures["cpu"]
    per_request = 1000 / max(requests, 1)
    socket_errors = sum(figures[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "phase": name,
        "requests": requests,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1),
        "ok_rps": round(figures["ok"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p90_ms": round(figures["p90_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "max_ms": round(figures["max_us"] / 1000, 2),
        "mean_ms": round(figures["mean_us"] / 1000, 2),
        "ok": figures["ok"],
        "faults": figures["faults"],
        "other_answers": figures["other"],
        "socket_errors": socket_errors,
        "errors": figures["faults"] + figures["other"] + socket_errors,
        "clients": clients,
        "cpu_ms_per_request": {
            "server": round(cpu["server"] * per_request, 3),
            "postgres": round(cpu["postgres"] * per_request, 3),
            "load_generator": round(cpu["children"] * per_request, 3),
        },
        "machine_busy_pct": round(100 * cpu["busy"] / max(cpu["total"], 1e-9), 1),
        "machine_pct": {k: round(100 * cpu[k] / max(cpu["total"], 1e-9), 1) for k in STAT_FIELDS},
        # of all cores: busy elsewhere (other processes, interrupts) while we measured
        "other_busy_pct": round(100 * cpu["other"] / max(cpu["total"], 1e-9), 1),
        # CPU seconds of each gunicorn worker during the phase, busiest first: how evenly connections spread
        "worker_cpu_s": [round(w, 2) for w in cpu["workers"]],
        "counts": {k: figures[k] for k in ("changed", "merged", "items", "wrapped")},
    }


def _report_faults(plan: Plan) -> None:
    for path in sorted(plan.path.parent.glob(plan.path.name + ".fault.*")):
        print(f"  first fault seen by the load generator ({path.name}):\n  {path.read_text(errors='replace')[:800]}")
        path.unlink()
