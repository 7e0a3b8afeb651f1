"""Whose CPU a load phase used: the server (master and workers), PostgreSQL, the load generator,
this process, and the rest of the machine (other processes, interrupts), from /proc."""

from __future__ import annotations

import os
import resource

TICK = os.sysconf("SC_CLK_TCK")
STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (ppid, command name, CPU seconds) of every process we may read."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                raw = f.read().decode(errors="replace")
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def _machine() -> dict[str, float]:
    """Seconds of all cores in each state since boot (/proc/stat), and their total."""
    with open("/proc/stat") as f:
        values = [int(v) / TICK for v in f.readline().split()[1:]]
    states = dict(zip(STAT_FIELDS, values, strict=False))
    states["total"] = sum(values[:8])
    return states


def _rusage(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def cpu_snapshot(server_pid: int, postmaster_pid: int | None) -> dict:
    """CPU seconds so far: the server (master and workers), PostgreSQL, our children, this process, all cores."""
    procs = _processes()
    workers = {pid: cpu for pid, (ppid, _, cpu) in procs.items() if ppid == server_pid}
    master = procs.get(server_pid, (0, "", 0.0))[2]
    if postmaster_pid:  # the embedded server: the postmaster and its children only
        postgres = sum(cpu for pid, (ppid, _, cpu) in procs.items() if postmaster_pid in (pid, ppid))
    else:  # an external server: whatever runs here under the name postgres (nothing if it is remote)
        postgres = sum(cpu for _, name, cpu in procs.values() if name == "postgres")
    return {
        "server": master + sum(workers.values()),
        "workers": workers,
        "postgres": postgres,
        "children": _rusage(resource.RUSAGE_CHILDREN),  # the load generator, once it has been waited for
        "self": _rusage(resource.RUSAGE_SELF),
        **_machine(),
    }


def cpu_delta(before: dict, after: dict) -> dict:
    """CPU seconds between two snapshots; ``workers`` busiest first, ``busy`` and ``other`` of the machine."""
    delta = {k: after[k] - before[k] for k in before if k != "workers"}
    workers = after["workers"]
    delta["workers"] = sorted((workers[pid] - before["workers"].get(pid, 0.0) for pid in workers), reverse=True)
    busy = delta["total"] - delta["idle"] - delta["iowait"]
    delta["busy"] = busy
    delta["other"] = max(0.0, busy - delta["server"] - delta["postgres"] - delta["children"] - delta["self"])
    return delta
