"""One failover scenario under the reliability suite's load, and the figures it gives.

The load is tests/reliability/load.py's (each client owns its keys; a write of unknown
outcome keeps both candidates; every listing and, at the end, the database must match
one candidate), with each call's start and end kept, and the probes of the service
(/readyz, /healthz) polled beside it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from itertools import pairwise

import requests

from tests.deploy.manifests import by_kind
from tests.reliability.load import Client, check_database, run_load

CLIENTS = 32
UNAVAILABLE = "soapenv:Server.Unavailable"


class TimedClient(Client):
    """A load client that also keeps (start, end, ok, write) per call."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[tuple[float, float, bool, bool]] = []

    def call(self, body: str):
        started = time.monotonic()
        answer = super().call(body)
        self.events.append((started, time.monotonic(), answer.ok, "listRegistrations" not in body))
        return answer


def probe(name: str) -> dict:
    """The deployment's livenessProbe or readinessProbe (deploy/kubernetes/deployment.yaml)."""
    [deployment] = by_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return container[name]


def longest_failure(samples: list[tuple[float, bool]]) -> float:
    """The longest time a probe kept failing (from its first failed sample to the next success)."""
    longest, since = 0.0, None
    for at, ok in samples:
        if not ok and since is None:
            since = at
        elif ok and since is not None:
            longest, since = max(longest, at - since), None
    if since is not None and samples:
        longest = max(longest, samples[-1][0] - since)
    return longest


class Probes(threading.Thread):
    """Polls GET /readyz and /healthz every 0.25 s with the manifest's timeouts (a probe that hangs fails)."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.samples: list[tuple[float, bool, bool]] = []  # (time, ready, alive)
        self.done = threading.Event()

    def _ok(self, path: str, timeout: float) -> bool:
        try:
            return requests.get(f"{self.base}{path}", timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def run(self) -> None:
        ready, alive = probe("readinessProbe"), probe("livenessProbe")
        while not self.done.is_set():
            at = time.monotonic()
            self.samples.append(
                (at, self._ok("/readyz", ready["timeoutSeconds"]), self._ok("/healthz", alive["timeoutSeconds"]))
            )
            self.done.wait(0.25)

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=10)


@dataclass
class Outcome:
    figures: dict
    mismatches: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    not_soap: list[str] = field(default_factory=list)
    moments: dict = field(default_factory=dict)


def run(server, world, credential, keys, fault, *, before: float = 5, limit: float = 150) -> Outcome:
    """Load for ``before`` seconds, then ``fault(moments)`` in a thread; the load goes on until it returns
    (it waits for the cluster to be whole again) plus 5 s, at most ``limit`` seconds in all."""
    bce, username, password = credential
    moments: dict[str, float] = {}
    faulter = threading.Thread(target=lambda: fault(moments), daemon=True)
    probes = Probes(server.base)
    probes.start()

    def during(elapsed: float) -> bool:
        if elapsed > before and "fault" not in moments:
            moments["fault"] = time.monotonic()
            faulter.start()
        return "whole" in moments and time.monotonic() > moments["whole"] + 5

    stats, candidates, mismatches, _, threads = _load(server.endpoint, username, password, keys, limit, during)
    faulter.join(timeout=60)
    probes.stop()
    world.engine.dispose()  # its connections died with the old primary
    wrong, overlaps = check_database(world.engine, world.tenants.id_of(bce), candidates)
    events = sorted(e for t in threads for e in t.events)
    figures = _figures(stats, events, moments, probes.samples, wrong, mismatches, overlaps)
    return Outcome(figures, mismatches, wrong, stats.not_soap, moments)


def _load(url, username, password, keys, limit, during):
    made: list[TimedClient] = []

    class Recorded(TimedClient):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    stats, candidates, mismatches, started = run_load(
        url, username, password, keys, CLIENTS, limit, during, client=Recorded
    )
    return stats, candidates, mismatches, started, made


def _figures(stats, events, moments, samples, wrong, mismatches, overlaps) -> dict:
    fault = moments["fault"]
    failed = [e for e in events if not e[2] and e[1] >= fault]
    # from the start of the first call that failed (it may have hung before it failed) to the end of
    # the first write that succeeded and was sent after that call's answer
    first_failed = min(failed, default=None)
    recovered = None
    if first_failed is not None:
        recovered = min((e[1] for e in events if e[2] and e[3] and e[0] > first_failed[1]), default=None)
    writes_ok = [fault] + sorted(e[1] for e in events if e[2] and e[3] and e[1] >= fault)
    not_ready = [t for t, ready, _ in samples if not ready and t >= fault]
    return {
        "calls": stats.calls,
        "ok": stats.ok,
        "faults": stats.faults,
        "unavailable": stats.faults.get(UNAVAILABLE, 0),
        "no_answer": stats.no_answer,
        "not_soap_http_errors": len(stats.not_soap),
        "uncertain_writes": stats.uncertain,
        "acknowledged_writes_lost": len(wrong),
        "listings_inconsistent": len(mismatches),
        "overlaps": overlaps,
        # from the first call that failed to the first write sent after it that succeeded
        "failover_s": round(recovered - first_failed[0], 1) if recovered and first_failed else None,
        # the longest time after the fault during which no write succeeded
        "write_gap_s": round(max(b - a for a, b in pairwise(writes_ok)), 1) if len(writes_ok) > 1 else None,
        "ok_after_fault": sum(1 for e in events if e[2] and e[0] > fault),
        "new_leader_after_s": _since(moments, "leader"),
        "cluster_whole_after_s": _since(moments, "whole"),
        "not_ready_s": round(0.25 * len(not_ready), 1),
        "ready_at_end": bool(samples and samples[-1][1]),
        "liveness_failures": sum(1 for _, _, alive in samples if not alive),
        "liveness_longest_failure_s": round(longest_failure([(t, alive) for t, _, alive in samples]), 1),
        "readiness_longest_failure_s": round(longest_failure([(t, ready) for t, ready, _ in samples]), 1),
        # what the kubelet would have done with the deployment's probes (failureThreshold failures, periodSeconds
        # apart): take the pod out of the Service (and so out of the PDB's healthy count), or restart it
        "kubelet_unready": _kubelet_acts(samples, 1, probe("readinessProbe")),
        "kubelet_restart": _kubelet_acts(samples, 2, probe("livenessProbe")),
        "probe_samples": len(samples),
    }


def _kubelet_acts(samples, column: int, settings: dict) -> bool:
    """Whether some failing stretch lasted long enough for failureThreshold probes in a row, wherever they fell."""
    longest = longest_failure([(s[0], s[column]) for s in samples])
    return longest >= settings["periodSeconds"] * (settings["failureThreshold"] - 1)


def _since(moments: dict, name: str) -> float | None:
    return round(moments[name] - moments["fault"], 1) if name in moments else None
