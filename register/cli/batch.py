"""`raas batch run|purge`: the nightly files (CONTRACT.md section 6) and their retention."""

from __future__ import annotations

import logging
import sys

from register.cli.common import Failure, run_date
from register.config import Settings


def _connection(settings: Settings):
    from register import bootstrap
    from register.observability import logs

    if sys.stderr.isatty():  # a person watching: plain lines under the progress line
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("\r\x1b[K%(message)s"))
        logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    else:  # a CronJob: one JSON line per file for the log collector
        logs.configure(settings.log_level)
    return bootstrap.batch_connection(settings)


def cmd_run(args, settings: Settings) -> None:
    from register.batch import job
    from register.batch.validation import InvalidFile
    from register.observability.batch import batch_run

    day = run_date(args.date)
    signer = _signer(settings)  # before anything is written: never an unsigned voucher
    progress = None
    if sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            print(f"\r[{done:,}/{total:,} subscriptions]", end="\x1b[K", file=sys.stderr, flush=True)

    with _connection(settings) as conn:
        try:
            with job.exclusive(conn), batch_run(settings.pushgateway_url) as metrics:
                summary = job.run(
                    conn, settings.outbox, day, signer=signer, progress=progress,
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


def _signer(settings: Settings):
    from register import bootstrap

    try:
        return bootstrap.signing_key(settings)
    except ValueError as error:
        raise Failure(f"batch run not started, no voucher can be signed: {error}") from None


def cmd_purge(args, settings: Settings) -> None:
    from register.batch import job

    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        raise Failure("--days must be at least 1")
    with _connection(settings) as conn:
        try:
            purged = job.purge(conn, settings.outbox, days)
        except job.Busy as holder:
            print(f"raas: batch purge not started: {holder} holds the batch lock; nothing was removed", file=sys.stderr)
            return
    print(f"batch purge: {purged.deliveries:,} deliveries ({purged.files:,} files) from before {purged.before} removed")


def add_commands(groups) -> None:
    batch = groups.add_parser("batch", help="the nightly files (CONTRACT.md section 6)").add_subparsers(
        dest="action", required=True
    )
    run = batch.add_parser(
        "run",
        help="write each subscriber's data files and vouchers into the outbox (RAAS_OUTBOX); "
        "safe to rerun: a finished date changes nothing",
        description="Write, for each tenant and flow it subscribes to, the mutations not yet delivered "
        "(recorded before the run started) as RAAS_<bce>_<flow>_<yyyymmdd>.xml and its voucher in "
        "<outbox>/<bce>/. Exits 1 on failure; a run killed at any point and run again delivers each "
        "mutation exactly once. A run started while another holds the lock says so and exits 0.",
    )
    run.add_argument("--date", help="the run date, YYYY-MM-DD (default: today in Europe/Brussels)")
    run.set_defaults(run=cmd_run)
    purge = batch.add_parser("purge", help="remove the files and delivery rows of run dates past the retention period")
    purge.add_argument("--days", type=int, help="keep so many days (default RAAS_RETENTION_DAYS, 90)")
    purge.set_defaults(run=cmd_purge)
