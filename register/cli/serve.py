"""`raas serve`: the SOAP services under gunicorn (register.server)."""

from __future__ import annotations

import os

from register.cli.common import Failure
from register.config import Settings


def cmd_serve(args, settings: Settings) -> None:
    from register.observability import metrics_dir

    # First of all: PROMETHEUS_MULTIPROC_DIR must be set before prometheus_client is imported
    # (register.soap.application imports it), so that the workers forked later count in files.
    metrics = metrics_dir.prepare_directory(settings.metrics_dir)
    try:
        _serve(args, settings)
    finally:
        if not settings.metrics_dir:
            metrics_dir.remove_directory(metrics)


def _serve(args, settings: Settings) -> None:
    from register import bootstrap
    from register.server import Server, default_workers, options
    from register.soap.application import SERVICES

    # Start (or find) the database once here; the workers inherit its URL.
    url = bootstrap.database_url(settings)
    os.environ["DATABASE_URL"] = url
    if not bootstrap.schema_is_current(settings, url):
        raise Failure("the database schema is not current: run `raas db upgrade` first")
    public = settings.public_url or f"http://{args.bind}"
    os.environ["RAAS_PUBLIC_URL"] = public
    for name in SERVICES:
        print(f"WSDL: {public}/ws/{name}?wsdl", flush=True)
    explicit = {key: value for key, value in (("workers", args.workers), ("threads", args.threads)) if value}
    defaults = options(args.bind, default_workers(), 4, settings.max_request_bytes)
    defaults["loglevel"] = settings.log_level.lower()  # gunicorn's own messages follow RAAS_LOG_LEVEL too
    Server(defaults, args.config, explicit).run()


def add_commands(groups) -> None:
    serve = groups.add_parser("serve", help="the SOAP services under gunicorn")
    serve.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (default 127.0.0.1:8000)")
    serve.add_argument(
        "--workers", type=int, help="worker processes (default: one per CPU of the container's limit, at least 2)"
    )
    serve.add_argument("--threads", type=int, help="threads per worker (default 4)")
    serve.add_argument(
        "--config", help="a gunicorn configuration file (e.g. deploy/gunicorn.conf.py) applied over the defaults"
    )
    serve.set_defaults(run=cmd_serve)
