"""`raas source import|apply`: the authentic source (CONTRACT.md section 7)."""

from __future__ import annotations

import sys
import time

from register.cli.common import Failure, progress
from register.config import Settings


def cmd_import(args, settings: Settings) -> None:
    from register import bootstrap
    from register.services.source_import import BadRow, import_file

    started = time.monotonic()
    try:
        result = import_file(bootstrap.owner_engine(settings), args.file, progress("importing"))
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


def cmd_apply(args, settings: Settings) -> None:
    from register import bootstrap
    from register.services.source_feed import FeedError, apply, read

    started = time.monotonic()
    try:
        records = read(args.file)
        applied = apply(bootstrap.owner_engine(settings), records)
    except FeedError as error:
        raise Failure(f"{args.file}: {error}; nothing was applied") from None
    except OSError as error:
        raise Failure(f"{args.file}: {error}") from None
    print(f"{len(records):,} records applied: {applied.summary()}, in {time.monotonic() - started:.1f} s")


def add_commands(groups) -> None:
    source = groups.add_parser("source", help="the authentic source").add_subparsers(dest="action", required=True)
    imp = source.add_parser("import", help="bulk load persons from a CSV file (CONTRACT.md section 7)")
    imp.add_argument("file")
    imp.set_defaults(run=cmd_import)
    feed = source.add_parser(
        "apply", help="apply a feed (xsd/source-feed-v1.xsd) in document order, all or nothing (CONTRACT.md section 7)"
    )
    feed.add_argument("file")
    feed.set_defaults(run=cmd_apply)
