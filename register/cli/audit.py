"""`raas audit`: a tenant's audit trail, oldest first, as a table or JSON lines; (1.1) `raas audit
seal|verify|subject` beside it (register/cli/audit_trust.py)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from register.cli import audit_trust
from register.cli.common import Failure, bce
from register.config import Settings


def _since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Failure(
            f"--since {value!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_audit(args, settings: Settings) -> None:
    from register import bootstrap
    from register.domain.errors import NotFound
    from register.services.audit import Audit

    if args.bce is None:
        raise Failure("raas audit needs --bce N (a tenant's trail), or one of: seal, verify, subject")
    if args.ssin is not None and not (len(args.ssin) == 11 and args.ssin.isdigit()):
        raise Failure(f"--ssin {args.ssin!r} is not 11 digits")
    since = _since(args.since) if args.since else None
    number = bce(args.bce)
    try:
        entries = Audit(bootstrap.owner_engine(settings)).read(number, ssin=args.ssin, since=since, limit=args.limit)
    except NotFound as error:
        raise Failure(str(error)) from None
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


def add_commands(groups) -> None:
    audit = groups.add_parser("audit", help="a tenant's audit trail, oldest first; seal, verify, subject")
    audit.add_argument("--bce", help="the tenant's BCE/KBO number (required for a tenant's trail)")
    audit.add_argument("--ssin", help="only calls that touched this SSIN")
    audit.add_argument("--since", help="only calls from this date (YYYY-MM-DD, UTC) or time (ISO 8601) on")
    audit.add_argument("--limit", type=int, default=10_000, help="at most so many rows (default 10000)")
    audit.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    audit.set_defaults(run=cmd_audit)
    audit_trust.add_commands(audit.add_subparsers(dest="action", required=False, metavar="{seal,verify,subject}"))
