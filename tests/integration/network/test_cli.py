"""`raas flow`, `raas authorization` and `raas network` as real processes (CONTRACT.md section 8): one-line
reasons and exit 1 on bad input, the ingest's summary line, and a SIGKILL during an ingest leaving nothing."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import text

from register.services.auth import hash_password
from tests.integration.batch.conftest import raas
from tests.integration.network.conftest import DIMONA_XSD, Record, grant, line


def call(database_url, tmp_path, *args, stdin: str | None = None, python=None):
    proc = raas(database_url, tmp_path / "outbox", *args, python=python, stdin=-1 if stdin is not None else None)
    out, err = proc.communicate(stdin, timeout=120)
    return proc.returncode, out, err


def one_line_failure(code, out, err, *fragments):
    assert code == 1, (out, err)
    assert err.count("\n") == 1 and err.startswith("raas: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def test_a_flow_is_defined_and_listed(database_url, engine, tmp_path):
    schema = tmp_path / "dimona.xsd"
    schema.write_text(DIMONA_XSD)
    code, out, err = call(
        database_url, tmp_path, "flow", "define", "--code", "DIMONA", "--label", "Dimona", "--schema", str(schema)
    )
    assert (code, out) == (0, "flow DIMONA defined, payloads checked against dimona.xsd\n"), err
    code, out, err = call(database_url, tmp_path, "flow", "list")
    assert out.splitlines()[-1] == "DIMONA\tNETWORK\tpayload schema\tDimona"


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--code", "SSIN_REPLACED", "--label", "x"], ["is a register flow"]),
        (["--code", "dimona", "--label", "x"], ["is not a flow code"]),
        (["--code", "DIMONA", "--label", "x", "--schema", "/nonexistent.xsd"], ["/nonexistent.xsd", "No such file"]),
    ],
)
def test_a_bad_flow_definition_exits_1_with_one_line(database_url, engine, tmp_path, args, fragments):
    one_line_failure(*call(database_url, tmp_path, "flow", "define", *args), *fragments)


def test_authorizations_are_granted_listed_refused_when_overlapping_and_revoked(
    database_url, world, flows, dimona, tmp_path
):
    bce = world.tenant("A", "B")
    grant_args = ["authorization", "grant", "--bce", bce, "--flow", dimona, "--reference", "SCSZ/24/001"]
    code, out, err = call(database_url, tmp_path, *grant_args, "--from", "2024-01-01", "--dossier-types", "A,B")
    assert (
        code == 0
        and out == f"{bce} may receive DIMONA under SCSZ/24/001: 2024-01-01 to open-ended, dossier types A,B\n"
    )
    one_line_failure(
        *call(database_url, tmp_path, *grant_args, "--from", "2030-01-01"),
        "already holds an authorization for DIMONA that overlaps: SCSZ/24/001, 2024-01-01 to open-ended",
    )
    one_line_failure(
        *call(database_url, tmp_path, *grant_args, "--from", "2024-13-01"), "--from '2024-13-01' is not a date"
    )
    one_line_failure(
        *call(database_url, tmp_path, *grant_args, "--from", "2024-01-01", "--dossier-types", ","),
        "names no dossier type",
    )
    code, out, _ = call(
        database_url, tmp_path, "authorization", "revoke", "--bce", bce, "--flow", dimona, "--from", "2025-01-01"
    )
    assert code == 0 and out.splitlines() == [
        "SCSZ/24/001: now 2024-01-01 to 2024-12-31",
        f"{bce} receives no DIMONA from 2025-01-01 on; records held back are never delivered",
    ]
    code, out, _ = call(database_url, tmp_path, "authorization", "list", "--bce", bce)
    assert out == f"{bce}\tDIMONA\tSCSZ/24/001\t2024-01-01 to 2024-12-31\tdossier types A,B\n"
    one_line_failure(
        *call(database_url, tmp_path, "authorization", "list", "--bce", "0123"), "is not a valid BCE/KBO number"
    )


def test_ingest_prints_its_summary_as_its_last_line(database_url, world, flows, dimona, write_feed, tmp_path, engine):
    bce = world.tenant("A")
    jan = world.person()
    line(engine, world.tenants.id_of(bce), jan)
    grant(flows, bce, dimona)
    path = write_feed(dimona, Record("D-1", jan), Record("D-2", jan))
    code, out, err = call(database_url, tmp_path, "flow", "ingest", str(path))
    assert code == 0, err
    assert out.splitlines()[-1] == "records: 2 new, 0 already there, 2 mutations"
    code, out, err = call(database_url, tmp_path, "flow", "ingest", str(path))
    assert out.splitlines()[-1] == "records: 0 new, 2 already there, 0 mutations"


def test_a_refused_feed_names_its_line_and_nothing_is_applied(
    database_url, world, dimona, write_feed, tmp_path, engine
):
    jan = world.person()
    path = write_feed(dimona, Record("D-1", jan), Record("D-2", "85073003329"))
    one_line_failure(
        *call(database_url, tmp_path, "flow", "ingest", str(path)),
        f"raas: {path}: line 13: ssin 85073003329: wrong check digits or an impossible birth date; nothing was applied",
    )
    one_line_failure(
        *call(database_url, tmp_path, "flow", "ingest", str(tmp_path / "none.xml")), "none.xml", "nothing was applied"
    )


def test_an_ingest_killed_before_its_commit_leaves_nothing(
    database_url, world, flows, dimona, write_feed, tmp_path, engine
):
    bce = world.tenant("A")
    jan = world.person()
    line(engine, world.tenants.id_of(bce), jan)
    grant(flows, bce, dimona)
    path = write_feed(dimona, *(Record(f"D-{i}", jan) for i in range(500)))
    # killed when the routing's statement is sent, i.e. after the COPY, the checks and the records' insert
    kill = [
        "import os, signal, psycopg",
        "_execute = psycopg.Cursor.execute",
        "def _killing(self, query, *a, **k):",
        "    if 'raas_route_network' in str(query):",
        "        os.kill(os.getpid(), signal.SIGKILL)",
        "    return _execute(self, query, *a, **k)",
        "psycopg.Cursor.execute = _killing",
    ]
    code, _, _ = call(database_url, tmp_path, "flow", "ingest", str(path), python=kill)
    assert code == -signal.SIGKILL
    with engine.connect() as c:
        assert (
            c.execute(text("SELECT (SELECT count(*) FROM network_record) + (SELECT count(*) FROM journal)")).scalar()
            == 0
        )
    code, out, err = call(database_url, tmp_path, "flow", "ingest", str(path))
    assert code == 0 and out.splitlines()[-1] == "records: 500 new, 0 already there, 500 mutations", err


def test_network_credentials_are_kept_apart_from_tenants(database_url, world, tmp_path):
    code, out, err = call(database_url, tmp_path, "network", "add-client", "--username", "hub")
    assert code == 0 and len(out.splitlines()[-1]) >= 24, err
    bce = world.tenant("A")
    world.tenants.add_client(bce, "institution", hash_password("correct horse battery"))
    one_line_failure(
        *call(database_url, tmp_path, "network", "add-client", "--username", "institution"), "is a tenant's credential"
    )
    one_line_failure(
        *call(database_url, tmp_path, "network", "add-client", "--username", "hub"), "username hub is taken"
    )
    one_line_failure(
        *call(database_url, tmp_path, "tenant", "add-client", "--bce", bce, "--username", "hub"),
        "is a network credential",
    )
    code, out, _ = call(database_url, tmp_path, "network", "add-client", "--username", "relay", "--password-stdin",
                        stdin="a long enough secret\n")  # fmt: skip
    assert code == 0 and out == ""
    assert call(database_url, tmp_path, "network", "list-clients")[1] == "hub\nrelay\n"
    code, out, _ = call(database_url, tmp_path, "network", "remove-client", "--username", "hub")
    assert code == 0 and "removed" in out
    one_line_failure(
        *call(database_url, tmp_path, "network", "remove-client", "--username", "hub"), "no network client hub"
    )


def test_a_payload_schema_that_cannot_be_used_is_refused_naming_the_file_and_line(database_url, engine, tmp_path):
    schema = tmp_path / "dimona.xsd"
    schema.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">\n  <xs:import namespace="urn:x" schemaLocation="x.xsd"/>\n</xs:schema>\n'
    )
    one_line_failure(
        *call(database_url, tmp_path, "flow", "define", "--code", "DIMONA", "--label", "x", "--schema", str(schema)),
        f"raas: {schema}: line 2: xs:import of another file; the schema must stand alone",
    )
