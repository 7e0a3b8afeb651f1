"""`raas flow define|list|ingest` and `raas authorization grant|revoke|list` (CONTRACT.md sections 8 and 9)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from register.cli.common import Failure, bce, progress, run_date
from register.config import Settings


def _flows(settings: Settings):
    from register import bootstrap

    return bootstrap.network_flows(settings)


def _refused(call, *args):
    """``call(*args)``, its operator errors as one line."""
    from register.domain.errors import AlreadyExists, NotFound

    try:
        return call(*args)
    except (AlreadyExists, NotFound, ValueError) as error:
        raise Failure(str(error)) from None


def cmd_define(args, settings: Settings) -> None:
    schema = None
    if args.schema:
        try:
            schema = Path(args.schema).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise Failure(f"{args.schema}: {error}") from None
    from register.services.network_feed import SchemaError

    try:
        created = _refused(_flows(settings).define, args.code, args.label, schema)
    except Failure as error:
        if isinstance(error.__context__, SchemaError):  # the file's fault: name it
            raise Failure(f"{args.schema}: {error}") from None
        raise
    with_schema = f", payloads checked against {Path(args.schema).name}" if args.schema else ", no payload schema"
    print(f"flow {args.code} {'defined' if created else 'updated'}{with_schema}")


def cmd_list(args, settings: Settings) -> None:
    for flow in _flows(settings).flows():
        schema = "payload schema" if flow.payload_schema else "-"
        print(f"{flow.code}\t{flow.kind}\t{schema}\t{flow.label}")


def cmd_ingest(args, settings: Settings) -> None:
    from register.services.network_feed import FeedError

    started = time.monotonic()
    try:
        flow, done = _flows(settings).ingest(args.file, progress("ingesting"))
    except FeedError as error:
        raise Failure(f"{args.file}: {error}; nothing was applied") from None
    except OSError as error:
        raise Failure(f"{args.file}: {error}; nothing was applied") from None
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"{flow}: {done.read:,} records read in {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(f"records: {done.new} new, {done.already_there} already there, {done.mutations} mutations")


def _dossier_types(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    codes = tuple(dict.fromkeys(code.strip() for code in value.split(",") if code.strip()))
    if not codes:
        raise Failure("--dossier-types names no dossier type")
    return codes


def cmd_grant(args, settings: Settings) -> None:
    from register.domain.flows import Authorization

    valid_from = run_date(args.valid_from, "--from")
    grant = Authorization(
        bce(args.bce), args.flow, args.reference, valid_from, run_date(args.until, "--until"),
        _dossier_types(args.dossier_types),
    )  # fmt: skip
    _refused(_flows(settings).grant, grant)
    print(f"{grant.bce} may receive {grant.flow} under {grant.reference}: {_validity(grant)}, {_types(grant)}")


def cmd_revoke(args, settings: Settings) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    day = run_date(args.valid_from, "--from") or datetime.now(ZoneInfo("Europe/Brussels")).date()
    revoked = _refused(_flows(settings).revoke, bce(args.bce), args.flow, day)
    if revoked.ended is not None:
        print(f"{revoked.ended.reference}: now {_validity(revoked.ended)}")
    for removed in revoked.removed:
        print(f"{removed.reference}: removed (it was to start on {removed.valid_from})")
    print(f"{args.bce} receives no {args.flow} from {day} on; records held back are never delivered")


def cmd_list_authorizations(args, settings: Settings) -> None:
    number = bce(args.bce) if args.bce else None
    for grant in _refused(_flows(settings).authorizations, number, args.flow):
        print(f"{grant.bce}\t{grant.flow}\t{grant.reference}\t{_validity(grant)}\t{_types(grant)}")


def _validity(grant) -> str:
    return f"{grant.valid_from} to {grant.valid_to or 'open-ended'}"


def _types(grant) -> str:
    return "dossier types " + ",".join(grant.dossier_types) if grant.dossier_types else "all dossier types"


def add_commands(groups) -> None:
    flow = groups.add_parser("flow", help="network flows (CONTRACT.md section 9)").add_subparsers(
        dest="action", required=True
    )
    define = flow.add_parser("define", help="a network flow, or a new label and payload schema for one")
    define.add_argument("--code", required=True, help="[A-Z][A-Z0-9_]{1,31}, not a register flow's")
    define.add_argument("--label", required=True)
    define.add_argument("--schema", metavar="FILE.xsd", help="an XSD standing alone: every payload must satisfy it")
    define.set_defaults(run=cmd_define)
    flow.add_parser("list", help="every flow: code, kind, payload schema, label").set_defaults(run=cmd_list)
    ingest = flow.add_parser(
        "ingest",
        help="a network feed (xsd/network-feed-v1.xsd), all or nothing; its records routed to the tenants concerned",
    )
    ingest.add_argument("file")
    ingest.set_defaults(run=cmd_ingest)

    authorization = groups.add_parser(
        "authorization", help="tenants' authorizations to receive network flows"
    ).add_subparsers(dest="action", required=True)
    grant = authorization.add_parser(
        "grant", help="an authorization; one overlapping another of the same tenant and flow is refused"
    )
    grant.add_argument("--bce", required=True)
    grant.add_argument("--flow", required=True)
    grant.add_argument("--reference", required=True, help="the deliberation, 1 to 100 characters")
    grant.add_argument("--from", dest="valid_from", required=True, help="first day, YYYY-MM-DD")
    grant.add_argument("--until", help="last day, YYYY-MM-DD (default: open-ended)")
    grant.add_argument("--dossier-types", help="A,B: the tenant's dossier types it covers (default: all)")
    grant.set_defaults(run=cmd_grant)
    revoke = authorization.add_parser(
        "revoke", help="ends the authorization valid on --from the day before (later ones are removed)"
    )
    revoke.add_argument("--bce", required=True)
    revoke.add_argument("--flow", required=True)
    revoke.add_argument("--from", dest="valid_from", help="first day without, YYYY-MM-DD (default: today)")
    revoke.set_defaults(run=cmd_revoke)
    listing = authorization.add_parser("list", help="authorizations, by BCE, flow and first day")
    listing.add_argument("--bce")
    listing.add_argument("--flow")
    listing.set_defaults(run=cmd_list_authorizations)
