"""`raas tenant ...`: tenants, their dossier types and SOAP credentials (CONTRACT.md section 8)."""

from __future__ import annotations

import sys

from register.cli import certificates
from register.cli.common import Failure, bce, password
from register.config import Settings


def _admin(settings: Settings):
    from register import bootstrap
    from register.services.tenants import TenantAdmin

    return TenantAdmin(bootstrap.owner_engine(settings))


def _refused(error: Exception) -> Failure:
    return Failure(str(error))


def cmd_create(args, settings: Settings) -> None:
    from register.domain.errors import AlreadyExists

    number = bce(args.bce)
    try:
        _admin(settings).create(number, args.name)
    except AlreadyExists as error:
        raise _refused(error) from None
    print(f"tenant {number} created")


def cmd_add_dossier_type(args, settings: Settings) -> None:
    from register.domain.errors import AlreadyExists, NotFound

    if not 1 <= len(args.code) <= 64:
        raise Failure("a dossier type code has 1 to 64 characters")
    number = bce(args.bce)
    try:
        _admin(settings).add_dossier_type(number, args.code, args.label)
    except (AlreadyExists, NotFound) as error:
        raise _refused(error) from None
    print(f"dossier type {args.code} added to {args.bce}")


def cmd_add_client(args, settings: Settings) -> None:
    from register.domain.errors import AlreadyExists, NotFound

    secret = password(args.password_stdin)
    number = bce(args.bce)
    try:
        _admin(settings).add_client(number, args.username, secret)
    except (AlreadyExists, NotFound) as error:
        raise _refused(error) from None
    print(f"client {args.username} added to {args.bce}", file=sys.stderr)
    if not args.password_stdin:
        print(secret)


def cmd_rotate_client(args, settings: Settings) -> None:
    from register.domain.errors import NotFound

    secret = password(args.password_stdin)
    number = bce(args.bce)
    try:
        _admin(settings).rotate_client(number, args.username, secret)
    except NotFound as error:
        raise _refused(error) from None
    print(
        f"client {args.username} of {args.bce}: new password; the old one stops working within seconds", file=sys.stderr
    )
    if not args.password_stdin:
        print(secret)


def cmd_remove_client(args, settings: Settings) -> None:
    from register.domain.errors import NotFound

    number = bce(args.bce)
    try:
        _admin(settings).remove_client(number, args.username)
    except NotFound as error:
        raise _refused(error) from None
    print(f"client {args.username} removed from {args.bce}; it stops working within seconds")


def add_commands(groups) -> None:
    tenant = groups.add_parser("tenant", help="tenants, dossier types, SOAP credentials").add_subparsers(
        dest="action", required=True
    )
    create = tenant.add_parser("create", help="a tenant (an organisation, by BCE/KBO number)")
    create.add_argument("--bce", required=True, help="10-digit BCE/KBO number")
    create.add_argument("--name", required=True)
    create.set_defaults(run=cmd_create)
    dossier = tenant.add_parser("add-dossier-type", help="a dossier type of a tenant")
    dossier.add_argument("--bce", required=True)
    dossier.add_argument("--code", required=True)
    dossier.add_argument("--label", required=True)
    dossier.set_defaults(run=cmd_add_dossier_type)
    client = tenant.add_parser(
        "add-client", help="a SOAP credential; prints a generated password once, alone on the last line"
    )
    client.add_argument("--bce", required=True)
    client.add_argument("--username", required=True)
    client.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    client.set_defaults(run=cmd_add_client)
    rotate = tenant.add_parser(
        "rotate-client",
        help="a new password for a SOAP credential; prints a generated one once, alone on the last line",
    )
    rotate.add_argument("--bce", required=True)
    rotate.add_argument("--username", required=True)
    rotate.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    rotate.set_defaults(run=cmd_rotate_client)
    remove = tenant.add_parser("remove-client", help="remove a SOAP credential")
    remove.add_argument("--bce", required=True)
    remove.add_argument("--username", required=True)
    remove.set_defaults(run=cmd_remove_client)
    certificates.add_commands(tenant)
