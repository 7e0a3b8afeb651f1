"""The bulk load of the authentic source's persons: COPY into a temporary table, one merge.

All in one transaction: the rows are streamed into a COPY (checked already,
built by register.domain.person_row), then merged into ``person`` in one
statement; identity changes are journaled in the same transaction. Rows equal
to what is stored change nothing, so a re-import is harmless.

New persons are written in the order of their phonetic names: the persons of
one family name then share a few pages of the table instead of one page each,
and a search without a birth date, which reads every person of the name the
index finds (thousands for Peeters in a million), reads 20 times fewer pages
(bench/search.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from register.domain.person import PersonIdentity, changes
from register.domain.person_row import COLUMNS


@dataclass(frozen=True)
class Imported:
    read: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.read - self.inserted - self.updated


_MERGE = """
WITH incoming AS (
    SELECT DISTINCT ON (ssin) * FROM person_import ORDER BY ssin, line DESC
), upserted AS (
    INSERT INTO person AS p ({columns})
    SELECT {columns} FROM incoming ORDER BY last_name_phonetic, first_name_phonetic
    ON CONFLICT (ssin) DO UPDATE SET
        last_name = EXCLUDED.last_name, first_name = EXCLUDED.first_name,
        birth_date = EXCLUDED.birth_date, gender = EXCLUDED.gender,
        nationality = EXCLUDED.nationality, death_date = EXCLUDED.death_date,
        last_name_key = EXCLUDED.last_name_key, first_name_key = EXCLUDED.first_name_key,
        last_name_phonetic = EXCLUDED.last_name_phonetic, first_name_phonetic = EXCLUDED.first_name_phonetic,
        search_keys = EXCLUDED.search_keys,
        updated_at = now()
    WHERE (p.last_name, p.first_name, p.birth_date, p.gender, p.nationality, p.death_date)
          IS DISTINCT FROM
          (EXCLUDED.last_name, EXCLUDED.first_name, EXCLUDED.birth_date, EXCLUDED.gender,
           EXCLUDED.nationality, EXCLUDED.death_date)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
""".format(columns=", ".join(COLUMNS))


# Rows that will change a stored person: their old and new identity, read before the merge.
_IDENTITY = ("last_name", "first_name", "birth_date", "gender", "nationality", "death_date")
_CHANGING = f"""
SELECT p.ssin, {", ".join(f"p.{c}" for c in _IDENTITY)}, {", ".join(f"i.{c}" for c in _IDENTITY)}
FROM (SELECT DISTINCT ON (ssin) * FROM person_import ORDER BY ssin, line DESC) i JOIN person p USING (ssin)
WHERE ({", ".join(f"p.{c}" for c in _IDENTITY)}) IS DISTINCT FROM ({", ".join(f"i.{c}" for c in _IDENTITY)})
"""


def _journal_changes(cur, changing: list[tuple]) -> None:
    """An IDENTITY_CHANGED mutation for each changed person, to each tenant concerned (same transaction)."""
    entries = []
    for ssin, *values in changing:
        old, new = PersonIdentity(*values[:6]), PersonIdentity(*values[6:])
        found = [{k: v for k, v in c._asdict().items() if v is not None} for c in changes(old, new)]
        entries.append((ssin, json.dumps(found)))
    cur.executemany("SELECT raas_journal_identity(%s, %s::jsonb)", entries)


# Searches read a GIN index's pending list whole: leave none behind.
_CLEAN_GIN_PENDING_LISTS = """
SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
WHERE i.indrelid = 'person'::regclass AND a.amname = 'gin'
"""

# Columns a file may leave out; their stored values then stay.
OPTIONAL_COLUMNS = ("nationality", "death_date")


def import_rows(
    engine: Engine, rows: Iterable[tuple], progress: Callable[..., None] | None = None, keep: Iterable[str] = ()
) -> Imported:
    """Store checked person rows (COLUMNS) in one transaction; returns the counts.

    ``keep``: OPTIONAL_COLUMNS the rows do not carry, whose stored values stay.
    ``progress(count)`` is called every 10,000 rows read, then ``progress(count, stage)``
    as the rows are merged (``"merging"``) and the search index takes them (``"indexing"``)."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.transaction(), conn.cursor() as cur:
            # A GIN index (the phonetic search's keys) takes many rows fastest through its pending list,
            # merged into the index in bulk at the end: 3x faster than entry by entry (bench/search.py).
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cur.execute("SET LOCAL gin_pending_list_limit = '256MB'")
            cur.execute("CREATE TEMP TABLE person_import (LIKE person INCLUDING DEFAULTS, line bigint) ON COMMIT DROP")
            read = 0
            with cur.copy(f"COPY person_import ({', '.join(COLUMNS)}, line) FROM STDIN") as copy:
                for read, row in enumerate(rows, start=1):
                    copy.write_row((*row, read))
                    if progress and read % 10_000 == 0:
                        progress(read)
            if progress:
                progress(read)
                progress(read, "merging")
            kept = [column for column in keep if column in OPTIONAL_COLUMNS]
            if kept:
                assignments = ", ".join(f"{c} = p.{c}" for c in kept)
                cur.execute(f"UPDATE person_import i SET {assignments} FROM person p WHERE p.ssin = i.ssin")
            changing = cur.execute(_CHANGING).fetchall()
            inserted, updated = cur.execute(_MERGE).fetchone()
            if changing:
                _journal_changes(cur, changing)
            if progress:
                progress(read, "indexing")
            cur.execute(_CLEAN_GIN_PENDING_LISTS)
        return Imported(read, inserted, updated)
    finally:
        raw.close()
