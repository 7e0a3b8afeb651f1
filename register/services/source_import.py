"""`raas source import FILE.csv`: bulk load of the authentic source's persons (CONTRACT.md section 7).

The file is read once: each row is checked (register.domain.person_row) and
streamed into the database's bulk load (register.adapters.person_import), all
in one transaction. A bad row stops the load with its line number and nothing
is stored. Rows equal to what is stored change nothing, so a re-import is harmless.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable

from sqlalchemy import Engine

from register.adapters.person_import import Imported, import_rows
from register.domain.errors import RegisterError
from register.domain.person_row import person_row

HEADER = ("ssin", "lastName", "firstName", "birthDate", "gender")
OPTIONAL = ("nationality", "deathDate")
# a file's optional column -> the person column it fills
_OPTIONAL_COLUMNS = {"nationality": "nationality", "deathDate": "death_date"}


class BadRow(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line


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


def import_persons(engine: Engine, rows: Iterable[tuple], progress: Callable[..., None] | None = None) -> Imported:
    """Store checked person rows (register.domain.person_row) in one transaction; returns the counts."""
    return import_rows(engine, rows, progress)


def import_file(engine: Engine, path: str, progress: Callable[..., None] | None = None) -> Imported:
    with open(path, encoding="utf-8", newline="") as handle:
        header = {h.strip().lstrip("\ufeff") for h in next(csv.reader([handle.readline()]), [])}
        handle.seek(0)
        keep = [column for name, column in _OPTIONAL_COLUMNS.items() if name not in header]
        return import_rows(engine, read_csv(handle), progress, keep)
