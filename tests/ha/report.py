"""The figures of var/ha.json (and var/ha-bench.json) as the Markdown tables of docs/RELIABILITY.md.

.venv/bin/python -m tests.ha.report
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NAMES = {
    "postmaster_sigkill": "primary's postmaster SIGKILLed",
    "switchover": "planned switchover (`patronictl switchover`)",
    "patroni_sigkill": "leader's Patroni SIGKILLed, its PostgreSQL left running",
}


def scenarios(figures: dict) -> str:
    rows = [
        "| scenario | calls (OK) | acknowledged writes lost | overlaps | listings inconsistent | Server.Unavailable | no answer | writes of unknown outcome | failover_s | longest time without a write | new primary after | cluster whole after | old primary rejoined (pg_rewind) | /readyz failing | /healthz failing | load average |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, name in NAMES.items():
        s = figures["scenarios"].get(key)
        if s is None:
            continue
        rows.append(
            f"| {name} | {s['calls']:,} ({s['ok']:,}) | {s['acknowledged_writes_lost']} | {s['overlaps']} "
            f"| {s['listings_inconsistent']} | {s['unavailable']} | {s['no_answer']} | {s['uncertain_writes']} "
            f"| {s['failover_s']} s | {s['write_gap_s']} s | {s['new_leader_after_s']} s | {s['cluster_whole_after_s']} s "
            f"| {'yes' if s['rejoined'] else 'NO'} ({'yes' if s['pg_rewind'] else 'not needed'}) "
            f"| {s['readiness_longest_failure_s']} s | {s['liveness_longest_failure_s']} s | {s['loadavg'][0]} |"
        )
    return "\n".join(rows)


def batch(figures: dict) -> str:
    b = figures.get("batch_failover")
    if not b:
        return ""
    return (
        f"Batch: {b['mutations']:,} mutations for {b['files']} files; the primary's postmaster SIGKILLed after "
        f"{b['files_delivered_before_the_kill']} files; the run exited {b['first_run_exit']}, the cluster was whole "
        f"{b['cluster_whole_after_s']} s later; the rerun exited {b['second_run_exit']} and a third run "
        f"{b['third_run_exit']}: {b['delivered_records']:,} records delivered, {b['duplicates']} duplicates, "
        f"{b['missing']} missing, {b['delivery_rows']} delivery rows (load average {b['loadavg'][0]})."
    )


def read_url(figures: dict) -> str:
    r = figures.get("read_url_standby_sigkill")
    if not r:
        return ""
    return (
        f"DATABASE_READ_URL on the synchronous standby ({r['standby']}), its postmaster SIGKILLed under the load: "
        f"{r['calls']:,} calls, {r['ok']:,} OK, {r['unavailable']} Server.Unavailable, {r['no_answer']} without answer, "
        f"{r['listings_inconsistent']} listings inconsistent, {r['acknowledged_writes_lost']} acknowledged writes lost; "
        f"reads fell back to the primary ({r['fallbacks_logged']} warnings logged), the longest time without a "
        f"successful write {r['write_gap_s']} s, the standby streaming again after {r['cluster_whole_after_s']} s "
        f"(synchronous standby after: {r['sync_standby_after']}; load average {r['loadavg'][0]})."
    )


def bench(path: Path) -> str:
    if not path.exists():
        return ""
    b = json.loads(path.read_text())
    rows = [
        "| reads on | listRegistrations req/s | p99 | primary's CPU per list | app CPU per list | registerPerson req/s | primary's CPU per register | load average after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in ("primary", "standby"):
        r = b[label]
        rows.append(
            f"| {label} | {r['list']['rps']:,} | {r['list']['p99_ms']} ms | {r['list']['primary_cpu_ms']} ms "
            f"| {r['list']['app_cpu_ms']} ms | {r['register']['rps']:,} | {r['register']['primary_cpu_ms']} ms "
            f"| {r['loadavg_after'][0]} |"
        )
    return "\n".join(rows)


def main() -> int:
    figures = json.loads(Path("var/ha.json").read_text())
    print(scenarios(figures))
    print()
    print(batch(figures))
    print()
    print(read_url(figures))
    print()
    print(bench(Path("var/ha-bench.json")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
