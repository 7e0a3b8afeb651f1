"""The SQL sources: the current body of every SQL function, trigger, policy and grant.

Migrations make tables and move data; what has a body lives as source in
``register/adapters/sql/*.sql`` (one file per area), so a rule that runs in the
database has one place to read and change. Each file is idempotent (CREATE OR
REPLACE FUNCTION; DROP ... IF EXISTS then CREATE; REVOKE then GRANT).

They are applied like Flyway's "repeatable" migrations: after the last revision
of every upgrade, in its transaction and under its lock (register/migrations/env.py),
each file whose SHA-256 differs from the one recorded in table ``sql_source`` runs
again, in name order, and its checksum is recorded; every file runs when the
upgrade ran a revision. A database is current only when the recorded checksums
are this package's (:func:`is_current`).

What a source cannot do by itself is a migration's: dropping a function taken
out of the sources, or the old version of one whose arguments or result type
change (CREATE OR REPLACE cannot change a result type, and different arguments
make a second function beside the first). The drift test (tests/integration/
test_sql_drift.py) fails when a migration makes an object no source states.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from register.adapters.tables import sql_source

PACKAGE = "register.adapters.sql"

log = logging.getLogger("raas.sql_source")


@dataclass(frozen=True, slots=True)
class Source:
    name: str  # the file's name, e.g. "periods.sql"
    text: str
    sha256: str


@functools.cache
def sources() -> tuple[Source, ...]:
    """The package's SQL files, in the order they are applied (by name).

    Functions in LANGUAGE sql are checked when created, so such a function may only
    call what an earlier file (or the same file, above it) defines; plpgsql bodies
    are checked when they run.
    """
    files = sorted((f for f in resources.files(PACKAGE).iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return tuple(_source(f.name, f.read_bytes()) for f in files)


def _source(name: str, data: bytes) -> Source:
    return Source(name, data.decode(), hashlib.sha256(data).hexdigest())


def expected() -> dict[str, str]:
    """File name -> SHA-256 of this package's sources."""
    return {source.name: source.sha256 for source in sources()}


def recorded(conn: Connection) -> dict[str, str]:
    """File name -> SHA-256 of the sources last applied to the database."""
    return {row.name: row.sha256 for row in conn.execute(select(sql_source.c.name, sql_source.c.sha256))}


def is_current(conn: Connection) -> bool:
    return recorded(conn) == expected()


def apply(conn: Connection, *, every: bool = False) -> list[str]:
    """Run every source whose checksum differs from the recorded one (``every``: all of them);
    returns their names.

    ``every`` after a revision ran: a migration may have dropped what an unchanged source
    made (a table rebuilt loses its policies and grants), and the sources are idempotent.
    The caller holds the transaction (and the migration lock): all of it commits with the
    migrations, or nothing does. Records of files no longer in the package are forgotten.
    """
    done = {} if every else recorded(conn)
    applied = []
    for source in sources():
        if done.get(source.name) == source.sha256:
            continue
        # no parameters: the driver sends the file as it is, several statements in one
        conn.execution_options(no_parameters=True).exec_driver_sql(source.text)
        upsert = insert(sql_source).values(name=source.name, sha256=source.sha256)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[sql_source.c.name],
                set_={"sha256": upsert.excluded.sha256, "applied_at": func.now()},
            )
        )
        log.info("applied %s (sha256 %s)", source.name, source.sha256[:12])
        applied.append(source.name)
    conn.execute(delete(sql_source).where(sql_source.c.name.not_in([s.name for s in sources()])))
    return applied
