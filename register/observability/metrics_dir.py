"""The directory gunicorn's workers count their metrics in (prometheus_client multiprocess mode).

Kept apart from metrics.py: PROMETHEUS_MULTIPROC_DIR must be set before
prometheus_client is first imported, and this module does not import it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# prometheus_client's own file names: only these are removed, whatever else the folder holds
_OURS = re.compile(r"(counter|histogram|summary|gauge_\w+)_\d+\.db")


def prepare_directory(configured: str | None) -> Path:
    """The directory the workers count in: emptied (a previous run's counts are not this run's), or a new one."""
    if configured:
        path = Path(configured)
        if path.exists():
            for stale in path.glob("*.db"):
                if _OURS.fullmatch(stale.name):
                    stale.unlink()
        path.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="raas-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def remove_directory(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
