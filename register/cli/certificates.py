"""`raas tenant add-certificate|remove-certificate`: X.509 certificates whose signatures authenticate as a tenant."""

from __future__ import annotations

from pathlib import Path

from register.cli.common import Failure, bce
from register.config import Settings


def _admin(settings: Settings):
    from register import bootstrap
    from register.services.certificates import CertificateAdmin

    return CertificateAdmin(bootstrap.owner_engine(settings))


def cmd_add(args, settings: Settings) -> None:
    from register.domain.errors import AlreadyExists, NotFound
    from register.services.certificates import fingerprint

    number = bce(args.bce)
    try:
        certificate = _admin(settings).add(number, Path(args.cert))
    except (ValueError, AlreadyExists, NotFound) as error:
        raise Failure(str(error)) from None
    print(
        f"certificate {certificate.subject.rfc4514_string()} (SHA-256 {fingerprint(certificate)}, valid "
        f"{certificate.not_valid_before_utc:%Y-%m-%d} to {certificate.not_valid_after_utc:%Y-%m-%d}) added to {number}"
    )


def cmd_remove(args, settings: Settings) -> None:
    from register.domain.errors import NotFound
    from register.services.certificates import fingerprint

    number = bce(args.bce)
    try:
        certificate = _admin(settings).remove(number, Path(args.cert))
    except (ValueError, NotFound) as error:
        raise Failure(str(error)) from None
    print(f"certificate SHA-256 {fingerprint(certificate)} removed from {number}; its signatures fail from now on")


def add_commands(tenant) -> None:
    """Into the `raas tenant` subcommands."""
    add = tenant.add_parser(
        "add-certificate", help="an X.509 certificate whose WS-Security signatures authenticate as the tenant"
    )
    add.add_argument("--bce", required=True)
    add.add_argument("--cert", required=True, metavar="FILE.pem", help="the certificate (PEM)")
    add.set_defaults(run=cmd_add)
    remove = tenant.add_parser("remove-certificate", help="remove a certificate; its signatures fail at once")
    remove.add_argument("--bce", required=True)
    remove.add_argument("--cert", required=True, metavar="FILE.pem", help="the certificate (PEM)")
    remove.set_defaults(run=cmd_remove)
