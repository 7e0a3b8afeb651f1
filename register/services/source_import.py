"""`raas source import FILE.csv`: bulk load of the authentic source's persons.

The file is read once: each row is checked and streamed into a COPY to a
temporary table, then merged into ``person`` in one statement, all in one
transaction. A bad row stops the load with its line number and nothing is
stored. Rows equal to what is stored change nothing, so a re-import is harmless.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from register.domain import names, phonetic
from register.domain import ssin as ssins
from register.domain.dates import IncompleteDate
from register.domain.errors import RegisterError
from register.domain.person import PersonIdentity, changes

HEADER = ("ssin", "lastName", "firstName", "birthDate", "gender")
OPTIONAL = ("nationality", "deathDate")
COLUMNS = (
    "ssin", "kind", "last_name", "first_name", "birth_date", "gender",
    "nationality", "death_date", "last_name_key", "first_name_key",
    "last_name_phonetic", "first_name_phonetic", "search_keys",
)  # fmt: skip


class BadRow(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line


@dataclass(frozen=True)
class Imported:
    read: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        return self.read - self.inserted - self.updated


# what XML 1.0 cannot carry: control characters but tab, line feed and carriage return
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# names repeat: a bulk import of 1M persons normalises each distinct name once
_normalise = functools.lru_cache(maxsize=1 << 16)(names.normalise)


def person_row(ssin: str, last_name: str, first_name: str, birth_date: str, gender: str | None,
               nationality: str | None = None, death_date: str | None = None) -> tuple:  # fmt: skip
    """A person as ``person``'s columns, checked; raises RegisterError or ValueError."""
    ssin = ssins.validate(ssin)
    if not last_name.strip() or not first_name.strip():
        raise ValueError("lastName and firstName are required")
    for name, value in (("lastName", last_name), ("firstName", first_name), ("nationality", nationality)):
        if value and _NOT_XML.search(value):  # SOAP answers and the nightly files could not carry it
            raise ValueError(f"{name} holds a control character")
    if gender not in (None, "M", "F"):
        raise ValueError(f"gender must be M, F or empty, not {gender!r}")
    birth = str(IncompleteDate.parse(birth_date))
    death = date.fromisoformat(death_date) if death_date else None
    return (
        ssin, ssins.kind(ssin), last_name, first_name, birth, gender,
        nationality or None, death, _normalise(last_name), _normalise(first_name),
        *phonetic.person_keys(last_name, first_name, birth),
    )  # fmt: skip


def read_csv(lines: Iterable[str]) -> Iterable[tuple]:
    """Checked person rows of a CONTRACT.md section 7 CSV; BadRow names the first bad line."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise BadRow(1, "the file is empty; expected a header line") from None
    except csv.Error as error:
        raise BadRow(1, str(error)) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if tuple(header[:5]) != HEADER or any(h not in OPTIONAL for h in header[5:]):
        raise BadRow(1, f"the header must be {','.join(HEADER)}[,{','.join(OPTIONAL)}], not {','.join(header)}")
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BadRow(reader.line_num, str(error)) from None
        if not values:
            continue
        if len(values) != len(header):
            raise BadRow(reader.line_num, f"{len(values)} fields where the header has {len(header)}")
        record = dict(zip(header, values, strict=True))
        try:
            yield person_row(
                record["ssin"], record["lastName"], record["firstName"], record["birthDate"],
                record["gender"] or None, record.get("nationality"), record.get("deathDate"),
            )  # fmt: skip
        except RegisterError as error:
            raise BadRow(
                reader.line_num, f"{error.message} ({', '.join(f'{k}={v}' for k, v in error.information)})"
            ) from None
        except ValueError as error:
            raise BadRow(reader.line_num, str(error)) from None


_MERGE = """
WITH incoming AS (
    SELECT DISTINCT ON (ssin) * FROM person_import ORDER BY ssin, line DESC
), upserted AS (
    INSERT INTO person AS p ({columns})
    SELECT {columns} FROM incoming
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
_IDENTITY = "last_name, first_name, birth_date, gender, nationality, death_date"
_CHANGING = f"""
SELECT p.ssin, {", ".join(f"p.{c}" for c in _IDENTITY.split(", "))}, {", ".join(f"i.{c}" for c in _IDENTITY.split(", "))}
FROM (SELECT DISTINCT ON (ssin) * FROM person_import ORDER BY ssin, line DESC) i JOIN person p USING (ssin)
WHERE ({", ".join(f"p.{c}" for c in _IDENTITY.split(", "))}) IS DISTINCT FROM ({", ".join(f"i.{c}" for c in _IDENTITY.split(", "))})
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


# A file without the optional columns says nothing of them: the stored values stay.
_OPTIONAL_COLUMNS = {"nationality": "nationality", "deathDate": "death_date"}


def import_persons(
    engine: Engine, rows: Iterable[tuple], progress: Callable[..., None] | None = None, keep: Iterable[str] = ()
) -> Imported:
    """Store checked person rows in one transaction; returns the counts.

    ``keep``: columns (``nationality``, ``death_date``) the rows do not carry, whose stored
    values stay. ``progress(count)`` is called every 10,000 rows read, then
    ``progress(count, stage)`` as the rows are merged (``"merging"``) and the search index
    takes them (``"indexing"``)."""
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
            if keep:
                kept = ", ".join(f"{c} = p.{c}" for c in keep if c in _OPTIONAL_COLUMNS.values())
                cur.execute(f"UPDATE person_import i SET {kept} FROM person p WHERE p.ssin = i.ssin")
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


def import_file(engine: Engine, path: str, progress: Callable[..., None] | None = None) -> Imported:
    with open(path, encoding="utf-8", newline="") as handle:
        header = {h.strip().lstrip("\ufeff") for h in next(csv.reader([handle.readline()]), [])}
        handle.seek(0)
        keep = [column for name, column in _OPTIONAL_COLUMNS.items() if name not in header]
        return import_persons(engine, read_csv(handle), progress, keep)


def to_csv(rows: Iterable[tuple]) -> str:
    """Person rows (as person_row gives them) back to the import format: for demos and tests."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*HEADER, *OPTIONAL])
    for r in rows:
        writer.writerow([r[0], r[2], r[3], r[4], r[5] or "", r[6] or "", r[7].isoformat() if r[7] else ""])
    return out.getvalue()
