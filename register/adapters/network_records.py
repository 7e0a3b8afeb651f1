"""A network feed's records stored and routed, all in one transaction (`raas flow ingest`, CONTRACT.md section 9).

The checked records stream into a COPY (a temporary table, with each record's
line in the file); then set-based statements store the new ones in document
order and route them (raas_route_network, register/adapters/sql/network.sql):
one journal row per concerned tenant. The file is refused for the first record,
in line order, whose reference repeats a different record (earlier in the file,
or stored before) or whose SSIN the source does not know; those checks run only
when the counts say a record repeats or was not stored, so a feed of new
records costs a COPY, a count, an insert and the routing. A refusal anywhere, a
killed process or a lost connection leaves nothing: the transaction commits
whole or not at all. One feed at a time (locks.NETWORK_FEED).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine

from register.adapters import locks

# A record as the feed reader yields it (register.services.network_feed): its line, then the columns.
COLUMNS = ("line", "reference", "ssin", "event_date", "kind", "payload")


class Refused(Exception):
    """A record that cannot be stored; nothing was."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


@dataclass(frozen=True)
class Ingested:
    read: int
    new: int
    mutations: int  # journal rows: one per tenant concerned by a new record

    @property
    def already_there(self) -> int:
        return self.read - self.new


# rows, distinct references (hashed: count(DISTINCT) would sort them)
_COUNTS = (
    "SELECT (SELECT count(*) FROM network_import),"
    " (SELECT count(*) FROM (SELECT reference FROM network_import GROUP BY reference) g)"
)
_UNKNOWN_SSIN = """
SELECT i.line, i.ssin FROM network_import i
WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.ssin = i.ssin) ORDER BY i.line LIMIT 1
"""
# Only when a reference repeats in the file: its first occurrence, then any later one that differs from it.
_FIRSTS = """
CREATE TEMPORARY TABLE network_first ON COMMIT DROP AS
SELECT DISTINCT ON (reference) * FROM network_import ORDER BY reference, line
"""
_DIFFERENT_IN_FILE = """
SELECT i.line, i.reference, f.line AS first_line FROM network_import i JOIN network_first f USING (reference)
WHERE i.line <> f.line AND (i.ssin, i.event_date, i.kind, i.payload) IS DISTINCT FROM (f.ssin, f.event_date, f.kind, f.payload)
ORDER BY i.line LIMIT 1
"""
# Only when some were not new: a record the flow has already, with other content.
_DIFFERENT_FROM_STORED = """
SELECT f.line, f.reference, s.ingested_on FROM {source} f
JOIN network_record s ON s.flow = %(flow)s AND s.reference = f.reference
WHERE (f.ssin, f.event_date, f.kind, f.payload) IS DISTINCT FROM (s.ssin, s.event_date, s.kind, s.payload)
ORDER BY f.line LIMIT 1
"""
# New records, each routed on the end of its SSIN's chain; one of an unknown SSIN finds no person (refused
# afterwards). Not sorted by line: their ids, and so their sequences in the files, mostly follow the file,
# which nothing requires; sorting a million payloads would cost a tenth of the ingest. First as a plain insert: a feed of new records is
# the common case, and ON CONFLICT's speculative insertion costs 2.6 times as much (bench/flows.py); when
# a reference is stored already, the insert is undone and done again leaving stored records alone.
_STORE = """
WITH stored AS (
  INSERT INTO network_record (flow, reference, ssin, routed_ssin, event_date, kind, payload, ingested_on)
  SELECT %(flow)s, f.reference, f.ssin,
         CASE WHEN p.status = 'REPLACED' THEN raas_last_of_chain(p.ssin) ELSE p.ssin END,
         f.event_date, f.kind, f.payload, raas_today()
  FROM {source} f JOIN person p ON p.ssin = f.ssin
  {conflict}
  RETURNING id
)
SELECT count(*), min(id), max(id) FROM stored
"""


def ingest(
    engine: Engine, flow: str, records: Iterable[tuple], progress: Callable[..., None] | None = None
) -> Ingested:
    """Store and route ``records`` (COLUMNS tuples) of ``flow``; Refused (nothing stored) on a bad one.

    Errors the reader raises while the records stream in abort the COPY and the transaction alike."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (locks.NETWORK_FEED,))
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute(
                "CREATE TEMPORARY TABLE network_import (line int NOT NULL, reference text NOT NULL,"
                " ssin text NOT NULL, event_date date NOT NULL, kind text NOT NULL, payload text NOT NULL)"
                " ON COMMIT DROP"
            )
            read = 0
            with cur.copy(f"COPY network_import ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for read, row in enumerate(records, start=1):
                    copy.write_row(row)
                    if progress and read % 10_000 == 0:
                        progress(read)
            if progress:
                progress(read, "checking")
            cur.execute("ANALYZE network_import")
            rows, references = cur.execute(_COUNTS).fetchone()
            source = "network_import"
            if references < rows:  # a reference repeats in the file: once stored, when equal
                cur.execute(_FIRSTS)
                different = cur.execute(_DIFFERENT_IN_FILE).fetchone()
                if different:
                    line, reference, first = different
                    raise Refused(line, f"reference {reference} was given to another record on line {first}")
                source = "network_first"
            if progress:
                progress(read, "storing")
            try:
                with conn.transaction():  # a savepoint
                    new, first_id, last_id = cur.execute(
                        _STORE.format(source=source, conflict=""), {"flow": flow}
                    ).fetchone()
            except psycopg.errors.UniqueViolation:  # some were ingested before
                store = _STORE.format(source=source, conflict="ON CONFLICT (flow, reference) DO NOTHING")
                new, first_id, last_id = cur.execute(store, {"flow": flow}).fetchone()
            if new < references:  # some were stored before, or name an unknown SSIN
                unknown = cur.execute(_UNKNOWN_SSIN).fetchone()
                if unknown:
                    raise Refused(unknown[0], f"ssin {unknown[1]} is not known to the authentic source")
                different = cur.execute(_DIFFERENT_FROM_STORED.format(source=source), {"flow": flow}).fetchone()
                if different:
                    line, reference, day = different
                    raise Refused(line, f"reference {reference} of {flow} was ingested on {day} with other content")
            if progress:
                progress(read, "routing")
            mutations = 0
            if new:
                mutations = cur.execute("SELECT raas_route_network(%s, %s, %s)", (flow, first_id, last_id)).fetchone()[
                    0
                ]
        return Ingested(read, new, mutations)
    finally:
        raw.close()
