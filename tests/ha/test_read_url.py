"""DATABASE_READ_URL on the synchronous standby, under the same load: the listings read there and must
show every acknowledged write (remote_apply); then that standby's postmaster is SIGKILLed and the
reads fall back to the primary, still consistent, until Patroni has it streaming again."""

from __future__ import annotations

import time

from tests.ha import scenario
from tests.ha.conftest import record
from tests.reliability.test_load import keys_for


def test_reads_on_the_synchronous_standby_fall_back_to_the_primary_when_it_dies(cluster, serve, world, credential):
    keys = keys_for(world, scenario.CLIENTS)
    standby = cluster.sync_standby()
    leader = cluster.leader()
    server = serve(DATABASE_READ_URL=cluster.node_url(standby) + "?target_session_attrs=standby")

    def fault(moments: dict) -> None:
        killed = cluster.kill_postmaster(cluster.node(standby))
        deadline = time.monotonic() + 60
        while cluster.node(standby).postmaster_pid() in (None, killed):  # until Patroni starts another
            assert time.monotonic() < deadline, cluster.state()
            time.sleep(0.2)
        cluster.wait_healthy(120)
        moments["whole"] = time.monotonic()

    outcome = scenario.run(server, world, credential, keys, fault)
    figures = outcome.figures
    log = server.output()
    figures.update(
        standby=standby,
        primary=leader,
        primary_after=cluster.leader(),
        sync_standby_after=cluster.sync_standby(),
        fallbacks_logged=log.count("reading on the primary"),
    )
    record("read_url_standby_sigkill", figures, scenario=False)
    assert outcome.not_soap == [], outcome.not_soap[:5]
    assert outcome.mismatches == [], outcome.mismatches[:5]  # every listing showed the acknowledged writes
    assert outcome.wrong == [], outcome.wrong[:5]
    assert figures["overlaps"] == 0
    assert figures["fallbacks_logged"] > 0, figures  # the reads went to the primary while the standby was down
    assert cluster.leader() == leader  # a standby's death is no failover
    assert figures["ok_after_fault"] > 100, figures
