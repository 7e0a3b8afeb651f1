"""Three ways the primary goes, under 32 clients of register/unregister/list: its postmaster
SIGKILLed, a planned switchover, its Patroni SIGKILLed with its PostgreSQL left running.

For each: no acknowledged write lost, no overlap, every listing consistent with the
acknowledged writes, the service never restarted, liveness never failing, and the old
primary back as a replica of the new one. Unavailable faults, calls without answer and
the seconds the service took to write again are reported (var/ha.json), not asserted.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import psycopg

from register.adapters import database
from tests.ha import scenario
from tests.ha.conftest import record
from tests.reliability.test_load import keys_for


def _whole_again(cluster, old: str, moments: dict, timeout: float = 120) -> None:
    """Waits for a new leader, then for the old primary to stream from it (pg_rewind if it must)."""
    deadline = time.monotonic() + timeout
    moments["new_leader"] = cluster.wait_failover(old, timeout)
    moments.setdefault("leader", time.monotonic())
    cluster.wait_healthy(max(1, deadline - time.monotonic()))
    moments["whole"] = time.monotonic()


def _rewinds(cluster, name: str) -> int:
    log = cluster.node(name).folder / "patroni.log"
    return sum("pg_rewind" in line for line in log.read_text(errors="replace").splitlines())


def _check(outcome, server, cluster, old: str, name: str, rewinds_before: int) -> dict:
    figures = outcome.figures
    members = {m["name"]: m for m in cluster.members()}
    leader = outcome.moments.get("new_leader")
    figures.update(
        old_primary=old,
        new_primary=leader,
        rejoined=members.get(old, {}).get("role") in ("replica", "sync_standby")
        and members[old].get("timeline") == members.get(leader, {}).get("timeline"),
        pg_rewind=_rewinds(cluster, old) > rewinds_before,
    )
    record(name, figures)
    assert outcome.not_soap == [], outcome.not_soap[:5]
    assert outcome.mismatches == [], outcome.mismatches[:5]
    assert outcome.wrong == [], outcome.wrong[:5]
    assert figures["overlaps"] == 0
    # the kubelet restarts a pod after failureThreshold failed probes in a row, periodSeconds apart: never here
    assert figures["kubelet_restart"] is False, figures
    assert figures["rejoined"], (figures, cluster.state())
    assert figures["ok_after_fault"] > 100, figures
    assert server.process.poll() is None
    return figures


def test_primary_postmaster_sigkilled(cluster, serve, world, credential):
    keys = keys_for(world, scenario.CLIENTS)
    server = serve()
    old = cluster.leader()
    rewinds = _rewinds(cluster, old)

    def fault(moments: dict) -> None:
        cluster.kill_postmaster(cluster.node(old))
        _whole_again(cluster, old, moments)

    outcome = scenario.run(server, world, credential, keys, fault)
    figures = _check(outcome, server, cluster, old, "postmaster_sigkill", rewinds)
    assert figures["not_ready_s"] > 0, figures  # readiness failed while no primary answered


def test_planned_switchover(cluster, serve, world, credential):
    keys = keys_for(world, scenario.CLIENTS)
    server = serve()
    old = cluster.leader()
    candidate = cluster.sync_standby()
    rewinds = _rewinds(cluster, old)

    def fault(moments: dict) -> None:
        cluster.switchover(old, candidate)
        _whole_again(cluster, old, moments)

    outcome = scenario.run(server, world, credential, keys, fault)
    _check(outcome, server, cluster, old, "switchover", rewinds)


def test_leader_patroni_sigkilled_its_postgresql_left_running(cluster, serve, world, credential, engine):
    keys = keys_for(world, scenario.CLIENTS)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS ha_fence (at timestamptz)")
    old = cluster.leader()
    # the worst order: fresh connections reach the new primary (the synchronous standby) first, while
    # those opened before the failover still reach the old one, which keeps serving (stale) reads
    order = [cluster.sync_standby(), old]
    order += [n.name for n in cluster.nodes if n.name not in order]
    server = serve(DATABASE_URL=cluster.url(order=order))
    rewinds = _rewinds(cluster, old)
    fence: dict = {}

    def fault(moments: dict) -> None:
        cluster.kill_patroni(cluster.node(old))
        cluster.wait_failover(old, 90)
        moments["leader"] = time.monotonic()  # the new primary is promoted: from now on the old one is deposed
        fence.update(_write_on(cluster.node_url(old)))
        cluster.start_patroni(cluster.node(old))  # as its service manager would: it must come back a replica
        _whole_again(cluster, old, moments)

    outcome = scenario.run(server, world, credential, keys, fault)
    figures = _check(outcome, server, cluster, old, "patroni_sigkill", rewinds)
    record("patroni_sigkill", {**figures, "write_on_old_primary": fence})
    assert fence["acknowledged"] is False, fence  # strict synchronous mode: the deposed primary cannot commit


def _shut(conn: psycopg.Connection) -> None:
    """Closes the connection's socket under the waiting call (a cancel would end a synchronous-commit wait
    with success: the commit is local, and the server says so only in a warning)."""
    with socket.socket(fileno=os.dup(conn.pgconn.socket)) as sock:
        sock.shutdown(socket.SHUT_RDWR)


def _write_on(url: str, wait: float = 5) -> dict:
    """A write sent straight to ``url``'s server; its socket is shut after ``wait`` s: was it acknowledged?"""
    answer: dict = {"acknowledged": None}
    try:
        conn = psycopg.connect(database.conninfo(url), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        return {"acknowledged": False, "error": str(error).splitlines()[0]}
    timer = threading.Timer(wait, _shut, (conn,))
    timer.start()
    started = time.monotonic()
    try:
        conn.execute("INSERT INTO ha_fence VALUES (now())")
        answer["acknowledged"] = True
    except psycopg.Error as error:
        answer.update(acknowledged=False, error=str(error).splitlines()[0])
    finally:
        timer.cancel()
        answer["waited_s"] = round(time.monotonic() - started, 1)
        conn.close()
    return answer
