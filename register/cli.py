"""The `raas` command (CONTRACT.md section 8). Every command exits non-zero with a one-line reason on bad input."""

from __future__ import annotations

import argparse
import os
import sys
import time

if sys.version_info[:2] != (3, 11):  # spyne 2.14 imports modules that Python 3.12+ removed
    sys.exit(f"raas needs Python 3.11 (spyne does not run on {sys.version.split()[0]})")

from register.config import Settings  # noqa: E402


class Failure(Exception):
    """A one-line reason for the operator; the command exits 1."""


def _engine(settings: Settings):
    from register.adapters import database

    return database.create(settings, pool_size=1)


def cmd_db_upgrade(args, settings: Settings) -> None:
    from register.adapters import schema

    engine = _engine(settings)
    schema.upgrade(engine)
    print(f"database schema at revision {schema.current(engine)}")


def _bce(value: str) -> str:
    from register.domain import bce
    from register.domain.errors import InvalidBce

    try:
        return bce.validate(value)
    except InvalidBce:
        raise Failure(f"{value!r} is not a valid BCE/KBO number (10 digits with check digits)") from None


def _tenants(settings: Settings):
    from register.adapters.tenants import Tenants

    return Tenants(_engine(settings))


def cmd_tenant_create(args, settings: Settings) -> None:
    from register.adapters.tenants import AlreadyExists

    bce = _bce(args.bce)
    try:
        _tenants(settings).create(bce, args.name)
    except AlreadyExists as error:
        raise Failure(str(error)) from None
    print(f"tenant {bce} created")


def cmd_tenant_add_dossier_type(args, settings: Settings) -> None:
    from register.adapters.tenants import AlreadyExists, NotFound

    if not 1 <= len(args.code) <= 64:
        raise Failure("a dossier type code has 1 to 64 characters")
    try:
        _tenants(settings).add_dossier_type(_bce(args.bce), args.code, args.label)
    except (AlreadyExists, NotFound) as error:
        raise Failure(str(error)) from None
    print(f"dossier type {args.code} added to {args.bce}")


def cmd_tenant_add_client(args, settings: Settings) -> None:
    from register.adapters.tenants import AlreadyExists, NotFound
    from register.services.auth import hash_password, new_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 12:
            raise Failure("the password must have at least 12 characters")
    else:
        password = new_password()
    try:
        _tenants(settings).add_client(_bce(args.bce), args.username, hash_password(password))
    except (AlreadyExists, NotFound) as error:
        raise Failure(str(error)) from None
    print(f"client {args.username} added to {args.bce}", file=sys.stderr)
    if not args.password_stdin:
        print(password)


def _new_password(args) -> str:
    from register.services.auth import new_password

    if not args.password_stdin:
        return new_password()
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 12:
        raise Failure("the password must have at least 12 characters")
    return password


def cmd_tenant_rotate_client(args, settings: Settings) -> None:
    from register.adapters.tenants import NotFound
    from register.services.auth import hash_password

    password = _new_password(args)
    try:
        _tenants(settings).rotate_client(_bce(args.bce), args.username, hash_password(password))
    except NotFound as error:
        raise Failure(str(error)) from None
    print(
        f"client {args.username} of {args.bce}: new password; the old one stops working within seconds", file=sys.stderr
    )
    if not args.password_stdin:
        print(password)


def cmd_tenant_remove_client(args, settings: Settings) -> None:
    from register.adapters.tenants import NotFound

    try:
        _tenants(settings).remove_client(_bce(args.bce), args.username)
    except NotFound as error:
        raise Failure(str(error)) from None
    print(f"client {args.username} removed from {args.bce}; it stops working within seconds")


def _since(value: str):
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Failure(
            f"--since {value!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_audit(args, settings: Settings) -> None:
    import json

    from register.adapters import audit
    from register.adapters.tenants import NotFound

    if args.ssin is not None and not (len(args.ssin) == 11 and args.ssin.isdigit()):
        raise Failure(f"--ssin {args.ssin!r} is not 11 digits")
    since = _since(args.since) if args.since else None
    engine = _engine(settings)
    try:
        tenant_id = _tenants(settings).id_of(_bce(args.bce))
    except NotFound as error:
        raise Failure(str(error)) from None
    entries = audit.read(engine, tenant_id, ssin=args.ssin, since=since, limit=args.limit)
    if args.json:
        for e in entries:
            row = {"at": e.at.isoformat(), "username": e.username, "operation": e.operation, "ssins": e.ssins or []}
            print(json.dumps({**row, "outcome": e.outcome, "requestId": e.request_id}))
        return
    rows = [
        (
            f"{e.at:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f"{e.at:%z}",
            e.username or "-",
            e.operation,
            e.outcome,
            ",".join(e.ssins or []) or "-",
            e.request_id or "-",
        )
        for e in entries
    ]
    header = ("at", "username", "operation", "outcome", "ssins", "request id")
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    for row in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(
        f"{len(rows)} row(s)" + (f" (the first {args.limit}; see --limit)" if len(rows) == args.limit else ""),
        file=sys.stderr,
    )


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
    from register.adapters import database, schema
    from register.server import Server, default_workers, options
    from register.soap.application import SERVICES

    # Start (or find) the database once here; the workers inherit its URL.
    url = database.database_url(settings)
    os.environ["DATABASE_URL"] = url
    if not schema.is_current(database.create(settings, url, pool_size=1)):
        raise Failure("the database schema is not current: run `raas db upgrade` first")
    public = settings.public_url or f"http://{args.bind}"
    os.environ["RAAS_PUBLIC_URL"] = public
    for name in SERVICES:
        print(f"WSDL: {public}/ws/{name}?wsdl", flush=True)
    explicit = {key: value for key, value in (("workers", args.workers), ("threads", args.threads)) if value}
    defaults = options(args.bind, default_workers(), 4, settings.max_request_bytes)
    defaults["loglevel"] = settings.log_level.lower()  # gunicorn's own messages follow RAAS_LOG_LEVEL too
    Server(defaults, args.config, explicit).run()


def _progress(label: str):
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(count: int, stage: str | None = None) -> None:
        elapsed = time.monotonic() - started
        if stage:  # after reading: the database's own work, which has no count
            print(f"\r{label}: {count:,} rows read; {stage} ({elapsed:,.0f} s)", end="\x1b[K", file=sys.stderr, flush=True)
            return
        rate = count / max(elapsed, 1e-6)
        print(f"\r{label}: {count:,} rows ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)

    return show


def cmd_source_import(args, settings: Settings) -> None:
    from register.services.source_import import BadRow, import_file

    started = time.monotonic()
    try:
        result = import_file(_engine(settings), args.file, _progress("importing"))
    except BadRow as error:
        raise Failure(f"{args.file}: {error}; nothing was imported") from None
    except (OSError, UnicodeDecodeError) as error:
        raise Failure(f"{args.file}: {error}") from None
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        f"{result.read:,} rows read: {result.inserted:,} new, {result.updated:,} changed, "
        f"{result.unchanged:,} unchanged, in {time.monotonic() - started:.1f} s"
    )


def cmd_source_apply(args, settings: Settings) -> None:
    from register.services.source_feed import FeedError, apply, read

    started = time.monotonic()
    try:
        records = read(args.file)
        applied = apply(_engine(settings), records)
    except FeedError as error:
        raise Failure(f"{args.file}: {error}; nothing was applied") from None
    except OSError as error:
        raise Failure(f"{args.file}: {error}") from None
    print(f"{len(records):,} records applied: {applied.summary()}, in {time.monotonic() - started:.1f} s")


def _run_date(value: str | None):
    import re
    from datetime import date

    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # fromisoformat also takes 20261126, 2026-W48-4...
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise Failure(f"--date {value!r} is not a date (YYYY-MM-DD)") from None


def _batch_connection(settings: Settings):
    from batch import store
    from register.adapters import database
    from register.observability import logs

    if sys.stderr.isatty():  # a person watching: plain lines under the progress line
        import logging

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("\r\x1b[K%(message)s"))
        logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    else:  # a CronJob: one JSON line per file for the log collector
        logs.configure(settings.log_level)
    return store.connect(database.database_url(settings))


def cmd_batch_run(args, settings: Settings) -> None:
    from batch import job
    from batch.validation import InvalidFile
    from register.observability.batch import batch_run

    run_date = _run_date(args.date)
    progress = None
    if sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            print(f"\r[{done:,}/{total:,} subscriptions]", end="\x1b[K", file=sys.stderr, flush=True)

    with _batch_connection(settings) as conn:
        try:
            with job.exclusive(conn), batch_run(settings.pushgateway_url) as metrics:
                summary = job.run(
                    conn, settings.outbox, run_date, progress=progress,
                    on_file=lambda file: metrics.file_written(file.flow, file.records),
                )  # fmt: skip
                if summary.failed:  # the others were served; the run still counts as failed
                    print(summary.line())
                    raise job.BatchError(f"{len(summary.failed)} subscription(s) not served: {summary.failed[0]}")
        except job.Busy as holder:
            print(f"raas: batch run not started: {holder} holds the batch lock; nothing was written", file=sys.stderr)
            return
        except (job.BatchError, InvalidFile) as error:
            raise Failure(f"batch run failed: {error}; what was delivered stays delivered, a rerun resumes") from None
    if progress:
        print("\r\x1b[K", end="", file=sys.stderr)
    print(summary.line())


def cmd_batch_purge(args, settings: Settings) -> None:
    from batch import job

    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        raise Failure("--days must be at least 1")
    with _batch_connection(settings) as conn:
        try:
            purged = job.purge(conn, settings.outbox, days)
        except job.Busy as holder:
            print(f"raas: batch purge not started: {holder} holds the batch lock; nothing was removed", file=sys.stderr)
            return
    print(f"batch purge: {purged.deliveries:,} deliveries ({purged.files:,} files) from before {purged.before} removed")


def cmd_demo(args, settings: Settings) -> None:
    from register.services.demo import load_demo

    demo = load_demo(_engine(settings), args.persons)
    print(f"demo tenant {demo.bce}: {demo.persons.inserted:,} persons added ({demo.persons.read:,} in the demo set)")
    if demo.password is None:
        print(f"demo client '{demo.username}' exists already (its password was printed when it was created)")
        return
    credentials = settings.home / "demo-credentials"
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.touch(mode=0o600)
    credentials.write_text(f"{demo.username}\n{demo.password}\n")
    print(f"demo client username: {demo.username} (password also kept in {credentials})")
    print(demo.password)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="raas",
        description="Register-as-a-Service: SSIN - dossier type - period register over SOAP.",
        epilog="Settings come from the environment: DATABASE_URL, RAAS_HOME, RAAS_PUBLIC_URL, "
        "RAAS_MAX_REQUEST_BYTES, RAAS_AUTH_CACHE_SECONDS, RAAS_AUTH_USERNAME_LIMIT, RAAS_AUTH_ADDRESS_LIMIT, "
        "RAAS_DB_POOL_SIZE, RAAS_LOG_LEVEL, RAAS_METRICS_DIR, RAAS_PUSHGATEWAY_URL, RAAS_OUTBOX, "
        "RAAS_RETENTION_DAYS (see README).",
    )
    groups = top.add_subparsers(dest="group", required=True, metavar="COMMAND")

    db = groups.add_parser("db", help="the database schema").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="create or migrate the schema").set_defaults(run=cmd_db_upgrade)

    tenant = groups.add_parser("tenant", help="tenants, dossier types, SOAP credentials").add_subparsers(
        dest="action", required=True
    )
    create = tenant.add_parser("create", help="a tenant (an organisation, by BCE/KBO number)")
    create.add_argument("--bce", required=True, help="10-digit BCE/KBO number")
    create.add_argument("--name", required=True)
    create.set_defaults(run=cmd_tenant_create)
    dossier = tenant.add_parser("add-dossier-type", help="a dossier type of a tenant")
    dossier.add_argument("--bce", required=True)
    dossier.add_argument("--code", required=True)
    dossier.add_argument("--label", required=True)
    dossier.set_defaults(run=cmd_tenant_add_dossier_type)
    client = tenant.add_parser(
        "add-client", help="a SOAP credential; prints a generated password once, alone on the last line"
    )
    client.add_argument("--bce", required=True)
    client.add_argument("--username", required=True)
    client.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    client.set_defaults(run=cmd_tenant_add_client)

    rotate = tenant.add_parser(
        "rotate-client",
        help="a new password for a SOAP credential; prints a generated one once, alone on the last line",
    )
    rotate.add_argument("--bce", required=True)
    rotate.add_argument("--username", required=True)
    rotate.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    rotate.set_defaults(run=cmd_tenant_rotate_client)
    remove = tenant.add_parser("remove-client", help="remove a SOAP credential")
    remove.add_argument("--bce", required=True)
    remove.add_argument("--username", required=True)
    remove.set_defaults(run=cmd_tenant_remove_client)

    audit = groups.add_parser("audit", help="a tenant's audit trail, oldest first")
    audit.add_argument("--bce", required=True, help="the tenant's BCE/KBO number")
    audit.add_argument("--ssin", help="only calls that touched this SSIN")
    audit.add_argument("--since", help="only calls from this date (YYYY-MM-DD, UTC) or time (ISO 8601) on")
    audit.add_argument("--limit", type=int, default=10_000, help="at most so many rows (default 10000)")
    audit.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    audit.set_defaults(run=cmd_audit)

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

    source = groups.add_parser("source", help="the authentic source").add_subparsers(dest="action", required=True)
    imp = source.add_parser("import", help="bulk load persons from a CSV file (CONTRACT.md section 7)")
    imp.add_argument("file")
    imp.set_defaults(run=cmd_source_import)
    feed = source.add_parser(
        "apply", help="apply a feed (xsd/source-feed-v1.xsd) in document order, all or nothing (CONTRACT.md section 7)"
    )
    feed.add_argument("file")
    feed.set_defaults(run=cmd_source_apply)

    batch = groups.add_parser("batch", help="the nightly files (CONTRACT.md section 6)").add_subparsers(
        dest="action", required=True
    )
    batch_run = batch.add_parser(
        "run",
        help="write each subscriber's data files and vouchers into the outbox (RAAS_OUTBOX); "
        "safe to rerun: a finished date changes nothing",
        description="Write, for each tenant and flow it subscribes to, the mutations not yet delivered "
        "(recorded before the run started) as RAAS_<bce>_<flow>_<yyyymmdd>.xml and its voucher in "
        "<outbox>/<bce>/. Exits 1 on failure; a run killed at any point and run again delivers each "
        "mutation exactly once. A run started while another holds the lock says so and exits 0.",
    )
    batch_run.add_argument("--date", help="the run date, YYYY-MM-DD (default: today in Europe/Brussels)")
    batch_run.set_defaults(run=cmd_batch_run)
    batch_purge = batch.add_parser(
        "purge", help="remove the files and delivery rows of run dates past the retention period"
    )
    batch_purge.add_argument("--days", type=int, help="keep so many days (default RAAS_RETENTION_DAYS, 90)")
    batch_purge.set_defaults(run=cmd_batch_purge)

    demo = groups.add_parser("demo", help="a demo tenant, dossier types, a client and synthetic persons")
    demo.add_argument("--persons", type=int, default=5000, help="synthetic persons (default 5000)")
    demo.set_defaults(run=cmd_demo)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args, Settings.from_env())
    except Failure as error:
        print(f"raas: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - one line for the operator, not a traceback
        from sqlalchemy.exc import OperationalError

        if isinstance(error, OperationalError):
            print(f"raas: cannot reach the database: {str(error.orig).splitlines()[0]}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
