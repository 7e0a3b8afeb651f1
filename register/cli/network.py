"""`raas network add-client|rotate-client|remove-client|list-clients`: RoutingService's credentials (CONTRACT.md
section 8), kept apart from tenants' credentials in both directions."""

from __future__ import annotations

import sys

from register.cli.common import Failure, password
from register.config import Settings


def _admin(settings: Settings):
    from register import bootstrap

    return bootstrap.network_admin(settings)


def _refused(call, *args) -> None:
    from register.domain.errors import AlreadyExists, NotFound

    try:
        call(*args)
    except (AlreadyExists, NotFound) as error:
        raise Failure(str(error)) from None


def cmd_add_client(args, settings: Settings) -> None:
    secret = password(args.password_stdin)
    _refused(_admin(settings).add_client, args.username, secret)
    print(f"network client {args.username} added (RoutingService only)", file=sys.stderr)
    if not args.password_stdin:
        print(secret)


def cmd_rotate_client(args, settings: Settings) -> None:
    secret = password(args.password_stdin)
    _refused(_admin(settings).rotate_client, args.username, secret)
    print(f"network client {args.username}: new password; the old one stops working within seconds", file=sys.stderr)
    if not args.password_stdin:
        print(secret)


def cmd_remove_client(args, settings: Settings) -> None:
    _refused(_admin(settings).remove_client, args.username)
    print(f"network client {args.username} removed; it stops working within seconds")


def cmd_list_clients(args, settings: Settings) -> None:
    for username in _admin(settings).clients():
        print(username)


def add_commands(groups) -> None:
    network = groups.add_parser("network", help="the network's credentials (RoutingService)").add_subparsers(
        dest="action", required=True
    )
    add = network.add_parser(
        "add-client", help="a network credential; prints a generated password once, alone on the last line"
    )
    add.add_argument("--username", required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=cmd_add_client)
    rotate = network.add_parser("rotate-client", help="a new password for a network credential")
    rotate.add_argument("--username", required=True)
    rotate.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    rotate.set_defaults(run=cmd_rotate_client)
    remove = network.add_parser("remove-client", help="remove a network credential")
    remove.add_argument("--username", required=True)
    remove.set_defaults(run=cmd_remove_client)
    network.add_parser("list-clients", help="the network credentials' usernames").set_defaults(run=cmd_list_clients)
