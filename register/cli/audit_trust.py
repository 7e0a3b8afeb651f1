"""`raas audit seal|verify|subject` (CONTRACT.md section 8, 1.1): the sealed audit and a data subject's request."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from register.cli.common import Failure
from register.config import Settings


def _signing_key(settings: Settings):
    from register import bootstrap

    try:
        return bootstrap.signing_key(settings)
    except ValueError as error:
        raise Failure(str(error)) from None


def cmd_seal(args, settings: Settings) -> None:
    from datetime import timedelta

    from register import bootstrap
    from register.services import audit_seal

    key = _signing_key(settings)  # before anything is read: never an unsigned seal
    if args.settle < 0:
        raise Failure("--settle must not be negative")
    with bootstrap.batch_connection(settings) as conn:
        try:
            sealed = audit_seal.seal(conn, key, timedelta(seconds=args.settle))
        except audit_seal.Busy as holder:
            print(f"raas: audit seal not started: {holder} holds the seal lock; nothing was sealed", file=sys.stderr)
            return
    last = sealed.last
    if sealed.seals == 0:
        print("audit seal: nothing to seal" + (f" (last seal {last.number}, up to row {last.last_id})" if last else ""))
        return
    print(
        f"audit seal: {sealed.rows:,} rows in {sealed.seals} seal(s); seal {last.number} up to row {last.last_id}, "
        f"head {last.head.hex()}"
    )  # the head, kept in the job's log outside the database, anchors the chain


def cmd_verify(args, settings: Settings) -> None:
    from register import bootstrap
    from register.services import audit_seal

    trusted = [_signing_key(settings).certificate]
    for path in args.cert or ():
        try:
            trusted.append(bootstrap.certificate_file(Path(path)))
        except ValueError as error:
            raise Failure(str(error)) from None
    with bootstrap.batch_connection(settings) as conn:
        try:
            verified = audit_seal.verify_all(conn, trusted)
        except audit_seal.Tampered as error:
            raise Failure(f"audit verify failed: {error}") from None
    last = verified.last
    if last is None:
        print("audit verify: no seal yet (raas audit seal makes one)")
        return
    print(
        f"audit verify: OK, {verified.seals} seal(s), {verified.rows:,} rows up to row {last.last_id}; "
        f"head {last.head.hex()}"
    )


def cmd_subject(args, settings: Settings) -> None:
    from register import bootstrap
    from register.services import subject_access

    if not (len(args.ssin) == 11 and args.ssin.isdigit()):
        raise Failure(f"--ssin {args.ssin!r} is not 11 digits")
    found = subject_access.report(bootstrap.owner_engine(settings), args.ssin)
    if args.json:
        for line in found.lines:
            print(json.dumps({"kind": "line", "bce": line.bce, "ssin": line.ssin, "dossierType": line.dossier_type,
                              "startDate": line.start_date.isoformat(),
                              "endDate": line.end_date.isoformat() if line.end_date else None}))  # fmt: skip
        for call in found.calls:
            print(json.dumps({"kind": "call", "at": call.at.isoformat(), "bce": call.bce, "username": call.username,
                              "operation": call.operation, "outcome": call.outcome, "ssins": call.ssins,
                              "requestId": call.request_id}))  # fmt: skip
        return
    print(
        f"ssin {args.ssin}" + (f" and its replacement chain: {', '.join(found.ssins)}" if len(found.ssins) > 1 else "")
    )
    _table(
        f"lines ({len(found.lines)})",
        ("bce", "ssin", "dossier type", "start", "end"),
        [(x.bce, x.ssin, x.dossier_type, x.start_date.isoformat(), x.end_date.isoformat() if x.end_date else "-")
         for x in found.lines],
    )  # fmt: skip
    _table(
        f"calls ({len(found.calls)}), oldest first",
        ("at", "bce", "username", "operation", "outcome"),
        [(f"{c.at:%Y-%m-%d %H:%M:%S%z}", c.bce or "-", c.username or "-", c.operation, c.outcome)
         for c in found.calls],
    )  # fmt: skip


def _table(title: str, header: tuple, rows: list[tuple]) -> None:
    print(f"\n{title}:")
    if not rows:
        print("  none")
        return
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for row in (header, *rows):
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def add_commands(actions) -> None:
    """Into `raas audit`'s subcommands."""
    seal = actions.add_parser(
        "seal",
        help="seal the audit rows written since the last seal into a signed SHA-256 chain (after the batch)",
    )
    seal.add_argument(
        "--settle", type=int, default=60, metavar="SECONDS",
        help="leave rows younger than this for the next seal, so that no transaction still running is cut (default 60)",
    )  # fmt: skip
    seal.set_defaults(run=cmd_seal)
    verify = actions.add_parser(
        "verify", help="recompute every seal; exit 1 naming the first row altered, removed or added out of place"
    )
    verify.add_argument(
        "--cert", action="append", metavar="PEM",
        help="a former signing certificate whose seals are trusted too (after a rotation); repeatable",
    )  # fmt: skip
    verify.set_defaults(run=cmd_verify)
    subject = actions.add_parser(
        "subject", help="a data subject's request: every tenant's lines of an SSIN, then every call involving it"
    )
    subject.add_argument("--ssin", required=True, help="the SSIN (its replacement chain is included)")
    subject.add_argument("--json", action="store_true", help="one JSON object per line (kind: line, then call)")
    subject.set_defaults(run=cmd_subject)
