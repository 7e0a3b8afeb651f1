"""bench.batch's ceiling: the batch's records written by lxml's incremental xmlfile alone.

The batch's own modules are imported here only (its journal reader, file header and the
xmlfile writer the nightly files are checked against), and only once the measured run is
over: the peak memory measured for `raas batch run` includes this process's at the fork.
"""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path


def ceiling(conninfo: str, folder: Path, run_date: date) -> dict:
    """The same records written by lxml's xmlfile, no database (reads not timed) and no validation."""
    from register.adapters import database, deliveries, journal
    from register.batch import xmlfile_writer
    from register.batch.mutation_file import Header

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    reading = 0.0
    records = 0
    started = time.monotonic()
    with database.connect_owner(conninfo, "raas-bench") as conn:
        for sub in deliveries.subscriptions(conn):
            with conn.transaction(), conn.cursor(name="ceiling") as cursor:
                cursor.execute(
                    f"SELECT {journal.JOURNAL_COLUMNS} FROM journal WHERE tenant_id = %s AND flow = %s ORDER BY sequence",
                    (sub.tenant_id, sub.flow),
                )
                t0 = time.monotonic()
                rows = cursor.fetchall()  # one (tenant, flow) at a time: at most N/2 rows in memory
                reading += time.monotonic() - t0
                header = Header(sub.bce, sub.flow, run_date, rows[0][0] if rows else None,
                                rows[-1][0] if rows else None, len(rows), journal.now(conn))  # fmt: skip
                with (folder / f"{sub.bce}_{sub.flow}.xml").open("wb") as out:
                    xmlfile_writer.write(out, header, rows)
                records += len(rows)
                del rows
    writing = time.monotonic() - started - reading
    shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": round(writing, 2), "records": records}
