"""Every PostgreSQL advisory lock key the register takes, in one place.

Advisory locks are the database's named mutexes: two processes that take the
same key take turns. Fixed keys (one per kind of work) are listed here;
the SQL that takes one (register/adapters/sql/) names the same number, and a
test holds them equal. Keys derived from data (a register key, a person)
are hashed by the SQL functions themselves (``hashtextextended``) and cannot
meet these small numbers except by a one-in-2**64 chance.
"""

from __future__ import annotations

import psycopg

MIGRATION = 7_247_001  # `raas db upgrade`: concurrent upgrades take turns
JOURNAL = 7_247_002  # every journal writer: sequences are handed out in commit order
SOURCE_FEED = 7_247_003  # `raas source apply`: one feed at a time (each moves lines across tenants)
BATCH = 7_247_004  # `raas batch run` and `raas batch purge`: one at a time (a session lock)
AUDIT_SEAL = 7_247_010  # `raas audit seal`: one at a time (a session lock), each seal follows the last
NETWORK_FEED = 7_247_011  # `raas flow ingest`: one feed at a time (its new records' ids run unbroken)
USERNAMES = 7_247_012  # adding a tenant's or the network's credential: a username is never both


# Session locks (held until released or the connection ends), for long work that must not overlap.


def try_lock(conn: psycopg.Connection, key: int) -> bool:
    return conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]


def unlock(conn: psycopg.Connection, key: int) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def holder(conn: psycopg.Connection, key: int) -> str:
    """Who holds the session lock ``key``, for the message of a process that did not get it."""
    row = conn.execute(
        """
        SELECT a.pid, a.application_name, a.client_addr, a.backend_start FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s
        """,
        (key,),
    ).fetchone()
    if row is None:
        return "another run"
    pid, application, address, started = row
    return f"{application or 'a session'} (server pid {pid}, from {address or 'a local socket'}, since {started:%Y-%m-%d %H:%M:%S})"
