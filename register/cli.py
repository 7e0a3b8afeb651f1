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


def cmd_serve(args, settings: Settings) -> None:
    from register.adapters import database, schema
    from register.server import Server, options
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
    Server(options(args.bind, args.workers, args.threads, settings.max_request_bytes)).run()


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
        "RAAS_MAX_REQUEST_BYTES, RAAS_AUTH_CACHE_SECONDS, RAAS_DB_POOL_SIZE, RAAS_LOG_LEVEL (see README).",
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

    serve = groups.add_parser("serve", help="the SOAP services under gunicorn")
    serve.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (default 127.0.0.1:8000)")
    serve.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1), help="worker processes")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    serve.set_defaults(run=cmd_serve)

    source = groups.add_parser("source", help="the authentic source").add_subparsers(dest="action", required=True)
    imp = source.add_parser("import", help="bulk load persons from a CSV file (CONTRACT.md section 7)")
    imp.add_argument("file")
    imp.set_defaults(run=cmd_source_import)

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
