"""A network feed's records stored and routed, all in one transaction (`raas flow ingest`, CONTRACT.md section 9).

The checked records stream into a COPY (a temporary table, with each record's
line in the file); then set-based statements refuse the file for the first
record, in line order, whose SSIN the source does not know or whose reference
repeats a different record (earlier in the file or stored before); store the
new ones in document order; and route them (raas_route_network,
register/adapters/sql/network.sql): one journal row per concerned tenant. A
refusal anywhere, a killed process or a lost connection leaves nothing: the
transaction commits whole or not at all. One feed at a time (locks.NETWORK_FEED).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


_UNKNOWN_SSIN = """
SELECT i.line, i.ssin FROM network_import i
WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.ssin = i.ssin) ORDER BY i.line LIMIT 1
"""
# The first occurrence of each reference in the file, then any later one that differs from it.
_FIRSTS = """
CREATE TEMPORARY TABLE network_first ON COMMIT DROP AS
SELECT DISTINCT ON (reference) * FROM network_import ORDER BY reference, line
"""
_DIFFERENT_IN_FILE = """
SELECT i.line, i.reference, f.line AS first_line FROM network_import i JOIN network_first f USING (reference)
WHERE i.line <> f.line AND (i.ssin, i.event_date, i.kind, i.payload) IS DISTINCT FROM (f.ssin, f.event_date, f.kind, f.payload)
ORDER BY i.line LIMIT 1
"""
_DIFFERENT_FROM_STORED = """
SELECT f.line, f.reference, s.ingested_on FROM network_first f
JOIN network_record s ON s.flow = %(flow)s AND s.reference = f.reference
WHERE (f.ssin, f.event_date, f.kind, f.payload) IS DISTINCT FROM (s.ssin, s.event_date, s.kind, s.payload)
ORDER BY f.line LIMIT 1
"""
# New records in document order (their ids follow it), each routed on the end of its SSIN's chain.
_STORE = """
WITH stored AS (
  INSERT INTO network_record (flow, reference, ssin, routed_ssin, event_date, kind, payload, ingested_on)
  SELECT %(flow)s, f.reference, f.ssin,
         CASE WHEN p.status = 'REPLACED' THEN raas_last_of_chain(p.ssin) ELSE p.ssin END,
         f.event_date, f.kind, f.payload, raas_today()
  FROM network_first f JOIN person p ON p.ssin = f.ssin
  WHERE NOT EXISTS (SELECT 1 FROM network_record s WHERE s.flow = %(flow)s AND s.reference = f.reference)
  ORDER BY f.line
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
            unknown = cur.execute(_UNKNOWN_SSIN).fetchone()
            if unknown:
                raise Refused(unknown[0], f"ssin {unknown[1]} is not known to the authentic source")
            cur.execute(_FIRSTS)
            cur.execute("ANALYZE network_first")
            different = cur.execute(_DIFFERENT_IN_FILE).fetchone()
            if different:
                line, reference, first = different
                raise Refused(line, f"reference {reference} was given to another record on line {first}")
            different = cur.execute(_DIFFERENT_FROM_STORED, {"flow": flow}).fetchone()
            if different:
                line, reference, day = different
                raise Refused(line, f"reference {reference} of {flow} was ingested on {day} with other content")
            if progress:
                progress(read, "storing")
            new, first_id, last_id = cur.execute(_STORE, {"flow": flow}).fetchone()
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
