"""`raas serve`: the WSGI application under gunicorn.

Threads in each worker keep client connections alive (SOAP clients reuse
them) while a call waits on PostgreSQL. The application is built in each
worker after the fork, so no database connection crosses a fork.
"""

from __future__ import annotations

import gc
import os

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from register.soap.wsgi import create_app

        app = create_app()
        gc.freeze()  # the application's long-lived objects leave the collector's work
        return app


def options(bind: str, workers: int, threads: int, max_request_bytes: int) -> dict:
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 75,  # longer than the usual client pool idle time
        # a socket per worker: the kernel spreads connections evenly, where workers racing on
        # one socket left a burst of keep-alive clients on one worker (bench/register.py)
        "reuse_port": True,
        "timeout": 30,
        "graceful_timeout": 20,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "accesslog": None,
        "proc_name": "raas",
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
    }
