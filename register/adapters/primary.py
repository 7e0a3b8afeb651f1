"""One primary per process: once a connection lands on a new primary, the ones still open to the old one are shut.

With a multi-host DATABASE_URL (``target_session_attrs=read-write``) libpq connects to
whichever node accepts writes. A primary whose Patroni died keeps accepting connections
and serving reads after another node has taken over (its commits hang: in strict
synchronous mode it has no standby to confirm them). Connections opened before the
failover would go on reading its stale data while new ones write on the new primary.
So the first connection a process opens to another server than its current primary
shuts the sockets of its connections to any other server: their calls fail
(Server.Unavailable, or no answer for a write in flight, which the client must treat as
unknown) and their pools open new ones. A socket is shut, never cancelled: cancelling a
commit that waits for its standby returns success (the commit is local; the server
only warns).

With a single-host URL every connection has the same server and nothing is ever shut.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import weakref

import psycopg

log = logging.getLogger("raas.database")

_lock = threading.Lock()
_current: tuple[str, int] | None = None
_servers: weakref.WeakKeyDictionary[psycopg.Connection, tuple[str, int]] = weakref.WeakKeyDictionary()


def follow(conn: psycopg.Connection) -> None:
    """Records a new read-write connection's server; a new server shuts this process's others."""
    global _current
    server = (conn.info.hostaddr or conn.info.host, conn.info.port)
    with _lock:
        stale = [c for c, s in _servers.items() if s != server] if server != _current else []
        if _current is not None and server != _current:
            log.warning(
                "primary changed from %s:%s to %s:%s: %d connection(s) to the old one shut",
                *_current,
                *server,
                len(stale),
            )
        _current = server
        _servers[conn] = server
        for old in stale:
            _servers.pop(old, None)
    for old in stale:
        shut(old)


def shut(conn: psycopg.Connection) -> None:
    """Shuts the connection's socket under whoever uses it: its call fails at once, nothing is cancelled."""
    try:
        fd = conn.pgconn.socket
    except psycopg.OperationalError:
        return  # already closed
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed meanwhile
