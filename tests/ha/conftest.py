"""The high-availability suite: `make test-ha` (not part of `make test`: it needs root, Debian's
patroni and etcd-server, and minutes).

One etcd and one three-node Patroni cluster for the whole run (tests/ha/cluster.py), a
database built by the migrations on it, and per test a `raas serve` on the cluster's
multi-host URL. The cluster is stopped by pid at the end, also when a test failed, and
the run fails if any of its ports is still listening. Figures go to RAAS_HA_RESULTS
(default var/ha.json) for docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from register.adapters import database, schema
from register.config import Settings
from register.services.auth import hash_password
from tests.conftest import World
from tests.ha.cluster import Cluster
from tests.reliability.conftest import start_server, stop

RESULTS = Path(os.environ.get("RAAS_HA_RESULTS", "var/ha.json"))
PASSWORD = "ha password"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/ha/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.ha)


@pytest.fixture(scope="session")
def cluster():
    if os.geteuid() != 0:
        pytest.skip("the Patroni cluster runs its nodes as the postgres user: run as root (`make test-ha`)")
    cluster = Cluster.create()
    try:
        cluster.start()
        with psycopg.connect(database.conninfo(cluster.url("postgres")), autocommit=True) as conn:
            conn.execute("CREATE DATABASE raas")
        yield cluster
    except BaseException:
        print(cluster.logs())
        raise
    finally:
        left = cluster.stop()
        if not left:
            cluster.remove()
        assert left == [], f"still listening after the cluster stopped: ports {left} (logs in {cluster.folder})"


@pytest.fixture(scope="session")
def engine(cluster):
    engine = database.create(Settings.from_env({}), database.sqlalchemy_url(cluster.url()), pool_size=2)
    schema.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def world(cluster, engine):
    cluster.wait_healthy()  # a test starts on a whole cluster
    engine.dispose()  # with no connection left from before a failover
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE delivery, subscription, journal, registration, dossier_type, client, tenant, person, audit, auth_failure CASCADE"
            )
        )
    yield World(engine)
    engine.dispose()  # a failover breaks its connections: start the next test with fresh ones


@pytest.fixture
def credential(world):
    bce = world.tenant("A", "B")
    world.tenants.add_client(bce, "ha", hash_password(PASSWORD))
    return bce, "ha", PASSWORD


class _Database:
    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture
def serve(cluster, tmp_path):
    """`raas serve` (2 workers) on the cluster's libpq multi-host URL; stopped after the test."""
    started = []

    def make(**env: str):
        server = start_server(_Database(cluster.url()), tmp_path, **env)
        started.append(server)
        return server

    yield make
    for server in started:
        stop(server)


def record(name: str, figures: dict, scenario: bool = True) -> None:
    """Keeps a failover scenario's figures in RESULTS under ``scenarios`` and the worst case at the top level;
    other figures (``scenario=False``) under their own name."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    load = os.getloadavg()
    figures = {
        **figures,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "loadavg": [round(x, 2) for x in load],
    }
    if not scenario:
        everything[name] = figures
    else:
        everything.setdefault("scenarios", {})[name] = figures
        scenarios = everything["scenarios"].values()
        everything.update(
            acknowledged_writes_lost=max(s["acknowledged_writes_lost"] for s in scenarios),
            overlaps=max(s["overlaps"] for s in scenarios),
            failover_s=max(s["failover_s"] or 0 for s in scenarios),
            no_answer=max(s["no_answer"] for s in scenarios),
            unavailable=max(s["unavailable"] for s in scenarios),
            rejoined=all(s["rejoined"] for s in scenarios),
        )
    RESULTS.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n")
    print(f"\n{name}: {json.dumps(figures, sort_keys=True)}")
