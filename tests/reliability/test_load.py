"""Load: 32 concurrent clients for 60 s of mixed register/unregister/list on one service with 2 workers."""

from __future__ import annotations

import os

from tests.reliability.conftest import record
from tests.reliability.load import check_database, run_load

CLIENTS = 32
SECONDS = float(os.environ.get("RAAS_RELIABILITY_SECONDS", "60"))


def keys_for(world, clients: int, per_client: int = 3) -> list[tuple[str, str]]:
    ssins = [world.person() for _ in range(clients * per_client)]
    return [(ssin, dossier_type) for ssin in ssins for dossier_type in ("A", "B")]


def test_no_http_error_no_lost_acknowledged_write_no_overlap_under_load(serve, world, credential):
    bce, username, password = credential
    keys = keys_for(world, CLIENTS)
    server = serve()
    stats, candidates, mismatches, _ = run_load(server.endpoint, username, password, keys, CLIENTS, SECONDS)
    wrong, overlaps = check_database(world.engine, world.tenants.id_of(bce), candidates)
    figures = {
        "clients": CLIENTS,
        "seconds": SECONDS,
        "calls": stats.calls,
        "ok": stats.ok,
        "req_per_s": round(stats.calls / SECONDS, 1),
        "p50_ms": round(stats.p(0.50), 1),
        "p99_ms": round(stats.p(0.99), 1),
        "faults": stats.faults,
        "not_soap_http_errors": len(stats.not_soap),
        "no_answer": stats.no_answer,
        "uncertain_writes": stats.uncertain,
        "keys": len(keys),
        "keys_wrong": len(wrong),
        "listings_inconsistent": len(mismatches),
        "overlaps": overlaps,
    }
    record("load", figures)
    assert stats.not_soap == [], stats.not_soap[:5]
    assert stats.no_answer == 0 and stats.uncertain == 0, figures
    assert stats.faults == {}, figures  # every call of this load is valid
    assert mismatches == [], mismatches[:5]
    assert wrong == [], wrong[:5]
    assert overlaps == 0
    assert stats.ok > 1000, figures
    assert "Traceback" not in server.output()
