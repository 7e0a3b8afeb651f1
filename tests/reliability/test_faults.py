"""Faults injected during load: PostgreSQL restarted, a worker SIGKILLed, the connection pool exhausted."""

from __future__ import annotations

import os
import signal
import threading
import time

import psycopg
from sqlalchemy import make_url

from tests.e2e.helpers import envelope, security_header
from tests.reliability.conftest import record
from tests.reliability.load import check_database, post_once, run_load
from tests.reliability.test_load import keys_for

CLIENTS = 16
UNAVAILABLE = "soapenv:Server.Unavailable"


def ok_after(stats, moment: float) -> int:
    return sum(1 for at, ok in stats.timeline if ok and at > moment)


def test_postgresql_restarted_during_load_gives_unavailable_then_recovers_without_restarting_the_service(
    serve, world, credential, db
):
    bce, username, password = credential
    keys = keys_for(world, CLIENTS)
    server = serve()
    world.engine.dispose()  # its connections would die with the server anyway
    moments = {}

    def restart() -> None:
        moments["stopped"] = time.monotonic()
        db.stop()
        time.sleep(3)
        db.start()
        moments["started"] = time.monotonic()

    restarter = threading.Thread(target=restart)

    def during(elapsed: float) -> None:
        if elapsed > 5 and not restarter.is_alive() and "stopped" not in moments:
            restarter.start()

    stats, candidates, mismatches, _ = run_load(server.endpoint, username, password, keys, CLIENTS, 25, during)
    restarter.join()
    wrong, overlaps = check_database(world.engine, world.tenants.id_of(bce), candidates)
    recovered = ok_after(stats, moments["started"] + 2)
    figures = {
        "calls": stats.calls,
        "ok": stats.ok,
        "faults": stats.faults,
        "not_soap_http_errors": len(stats.not_soap),
        "no_answer": stats.no_answer,
        "uncertain_writes": stats.uncertain,
        "ok_after_restart": recovered,
        "database_down_s": round(moments["started"] - moments["stopped"], 1),
        "keys_wrong": len(wrong),
        "listings_inconsistent": len(mismatches),
        "overlaps": overlaps,
        "p99_ms": round(stats.p(0.99), 1),
    }
    record("postgresql_restart", figures)
    assert stats.not_soap == [], stats.not_soap[:5]
    assert stats.no_answer == 0, figures  # the service itself never stopped answering
    assert set(stats.faults) <= {UNAVAILABLE} and stats.faults.get(UNAVAILABLE, 0) > 0, figures
    assert recovered > 100, figures
    assert (mismatches, wrong, overlaps) == ([], [], 0), (mismatches[:3], wrong[:3])
    assert server.process.poll() is None


def test_a_worker_killed_during_load_loses_no_acknowledged_write(serve, world, credential):
    bce, username, password = credential
    keys = keys_for(world, CLIENTS)
    server = serve()
    killed = {}

    def during(elapsed: float) -> None:
        if elapsed > 5 and not killed:
            pid = server.workers()[0]
            os.kill(pid, signal.SIGKILL)
            killed.update(pid=pid, at=time.monotonic())

    stats, candidates, mismatches, _ = run_load(server.endpoint, username, password, keys, CLIENTS, 20, during)
    wrong, overlaps = check_database(world.engine, world.tenants.id_of(bce), candidates)
    workers = server.workers()
    figures = {
        "calls": stats.calls,
        "ok": stats.ok,
        "faults": stats.faults,
        "not_soap_http_errors": len(stats.not_soap),
        "no_answer": stats.no_answer,
        "uncertain_writes": stats.uncertain,
        "ok_after_kill": ok_after(stats, killed["at"] + 2),
        "workers_after": len(workers),
        "keys_wrong": len(wrong),
        "listings_inconsistent": len(mismatches),
        "overlaps": overlaps,
    }
    record("worker_sigkill", figures)
    assert stats.not_soap == [], stats.not_soap[:5]
    assert killed["pid"] not in workers and len(workers) == 2, workers  # gunicorn replaced it
    assert figures["ok_after_kill"] > 100, figures
    assert (mismatches, wrong, overlaps) == ([], [], 0), (mismatches[:3], wrong[:3])


def test_an_exhausted_pool_answers_unavailable_cleanly_and_nothing_hangs(serve, world, credential, db):
    bce, username, password = credential
    tenant_id = world.tenants.id_of(bce)
    ssin = world.person()
    server = serve(RAAS_DB_POOL_SIZE="1")
    header = security_header(username, password)
    register = (
        f"<r:registerPerson><r:ssin>{ssin}</r:ssin><r:dossierType>A</r:dossierType>"
        "<r:period><c:startDate>2024-01-01</c:startDate></r:period></r:registerPerson>"
    )
    answers: list = []

    def call(body: str) -> None:
        answer = post_once(server.endpoint, envelope(body, header=header))
        answers.append(answer)

    post_once(server.endpoint, envelope("<r:listDossierTypes/>", header=header))  # both workers know the password
    post_once(server.endpoint, envelope("<r:listDossierTypes/>", header=header))
    conninfo = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as holder:
        # the register call's own key lock, held elsewhere: calls on that key wait in the database,
        # each holding its worker's only pooled connection
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (f"{tenant_id}/{ssin}/A",))
        threads = [threading.Thread(target=call, args=(register,)) for _ in range(4)]
        threads += [threading.Thread(target=call, args=("<r:listDossierTypes/>",)) for _ in range(8)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join(timeout=40)
        waited = time.monotonic() - started
        hung = sum(thread.is_alive() for thread in threads)
    after = post_once(server.endpoint, envelope("<r:listDossierTypes/>", header=header))
    faults = [a.fault for a in answers if not a.ok]
    figures = {
        "calls": len(threads),
        "ok": sum(a.ok for a in answers),
        "unavailable": faults.count(UNAVAILABLE),
        "other_faults": [f for f in faults if f != UNAVAILABLE],
        "hung": hung,
        "longest_s": round(max(a.seconds for a in answers), 1),
        "all_answered_within_s": round(waited, 1),
        "ok_after_release": after.ok,
    }
    record("pool_exhausted", figures)
    assert hung == 0 and len(answers) == len(threads), figures
    assert figures["other_faults"] == [] and figures["unavailable"] > 0, figures
    assert figures["longest_s"] < 15, figures  # pool timeout 5 s, statement timeout 10 s
    assert after.ok, after
