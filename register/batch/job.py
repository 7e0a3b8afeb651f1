"""`raas batch run` and `raas batch purge` (CONTRACT.md section 6).

For each subscription (tenant, flow), in BCE order:

1. Leftovers of a run that was killed are settled first. A voucher in place
   without its delivery row was delivered (the recipient may have taken it):
   its row is stored and the cursor advanced from the voucher itself. A data
   file without its voucher was never delivered: it is removed, and its
   mutations go into this run's file.
2. A date already delivered is left as it is (a rerun changes nothing, byte
   for byte), unless its files are gone from the outbox (a restore from an older
   snapshot): then they are written again from the journal, and the recorded
   SHA-256 proves them identical. A date before the last one delivered is skipped.
3. Otherwise the mutations after the cursor, up to the journal's head when the
   run started (within the subscription's filter of dossier types), are written
   under a temporary name, read back against the schema (count, order,
   SHA-256), fsynced and renamed; then the voucher; then the delivery row and
   the cursor, in one transaction. A network flow's mutations (a NetworkFile,
   register/batch/network_file.py) are delivered only while the tenant's
   authorization is valid on the run date: otherwise the run passes them over
   for good (the cursor moves past them first) and writes an empty file.

A SIGKILL between any two steps leaves what step 1 settles, so each mutation
reaches each subscriber exactly once. One run at a time: a session advisory
lock; a second run reports who holds it and writes nothing (exit 0: the
CronJob's next run, or a manual rerun, delivers what is pending).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg

from register.adapters import deliveries, journal, locks, outbox
from register.adapters.signing import SigningKey
from register.batch import mutation_file, network_file, validation
from register.batch.voucher import from_xml, to_xml
from register.domain.flows import is_register_flow
from register.domain.subscriptions import Delivery, Subscription

log = logging.getLogger("raas.batch")


class Busy(Exception):
    """Another run (or purge) holds the lock."""


class BatchError(Exception):
    """The run cannot go on; what is delivered stays delivered, a rerun resumes."""


@dataclass
class Summary:
    run_date: date
    tenants: int = 0
    files: int = 0  # data files written by this run (each with its voucher)
    records: int = 0
    unchanged: int = 0  # dates already delivered
    skipped: int = 0  # dates before the last one delivered
    adopted: int = 0  # deliveries of a killed run, recorded now
    removed: int = 0  # undelivered leftovers of a killed run
    restored: int = 0  # delivered files gone from the outbox, written again
    held_back: int = 0  # network mutations passed over for good: the authorization is not valid on the run date
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)  # "<bce> <flow>: <reason>" of subscriptions not served

    def line(self) -> str:
        extra = [
            f"{count:,} {what}"
            for count, what in (
                (self.unchanged, "already delivered"),
                (self.skipped, "skipped as a later date was delivered"),
                (self.adopted, "recovered from a killed run"),
                (self.removed, "leftovers removed"),
                (self.restored, "written again as missing from the outbox"),
                (self.held_back, "network records held back for good (no authorization on the run date)"),
                (len(self.failed), "FAILED"),
            )
            if count
        ]
        return (
            f"batch run {self.run_date}: {_count(self.tenants, 'tenant')}, {_count(self.files, 'file')}, "
            f"{_count(self.records, 'record')}, in {self.seconds:.1f} s" + (f" ({'; '.join(extra)})" if extra else "")
        )


def _format(flow: str):
    """The writer and the read-back layout of a flow's data files."""
    if is_register_flow(flow):
        return mutation_file.render, validation.MUTATIONS
    return network_file.render, validation.NETWORK


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@contextmanager
def exclusive(conn: psycopg.Connection) -> Iterator[None]:
    """The batch lock for the block, or Busy naming its holder (re-entrant within one connection)."""
    if not locks.try_lock(conn, locks.BATCH):
        raise Busy(locks.holder(conn, locks.BATCH))
    try:
        yield
    finally:
        locks.unlock(conn, locks.BATCH)


# Called after each subscription: (subscriptions done, of how many).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Written:
    """A data file and its voucher, in place and recorded."""

    tenant: str
    flow: str
    file_name: str
    records: int
    size_bytes: int
    sha256: str
    seconds: float


def run(
    conn: psycopg.Connection,
    outbox_root: Path,
    run_date: date | None = None,
    *,
    signer: SigningKey,
    clock: Callable[[], datetime] | None = None,
    progress: Progress | None = None,
    on_file: Callable[[Written], None] | None = None,
) -> Summary:
    """One run for ``run_date`` (default: today in Brussels). Raises Busy, BatchError or InvalidFile."""
    started = time.monotonic()
    with exclusive(conn):
        today = journal.today(conn)
        run_date = run_date or today
        if run_date > today:
            raise BatchError(f"the run date {run_date} is after today ({today} in Brussels)")
        clock = clock or (lambda: journal.now(conn))
        head = journal.head(conn)
        subscriptions = deliveries.subscriptions(conn)
        summary = Summary(run_date, tenants=len({s.tenant_id for s in subscriptions}))
        for done, sub in enumerate(subscriptions, 1):
            try:
                file = _subscription(conn, outbox_root, sub, run_date, head, clock, summary, signer)
            except (BatchError, validation.InvalidFile) as error:  # this subscriber's trouble: the others go on
                summary.failed.append(f"{sub.bce} {sub.flow}: {error}")
                log.error("%s %s: %s", sub.bce, sub.flow, error, extra={"tenant": sub.bce, "flow": sub.flow})
            else:
                if file is not None:
                    summary.files += 1
                    summary.records += file.records
                    log.info(
                        "%s: %s records, %s bytes", file.file_name, f"{file.records:,}", f"{file.size_bytes:,}",
                        extra={"file": file.file_name, "tenant": file.tenant, "flow": file.flow,
                               "records": file.records, "bytes": file.size_bytes, "sha256": file.sha256,
                               "seconds": round(file.seconds, 3)},
                    )  # fmt: skip
                    if on_file:
                        on_file(file)
            if progress:
                progress(done, len(subscriptions))
        summary.seconds = time.monotonic() - started
        return summary


def _subscription(conn, outbox_root: Path, sub: Subscription, run_date, head, clock, summary, signer) -> Written | None:
    folder = outbox.folder(outbox_root, sub.bce)
    if _settle_leftovers(conn, folder, sub, summary):
        sub = deliveries.subscription(conn, sub.tenant_id, sub.flow)  # its cursor, advanced by what was recorded
    return None if sub is None else _deliver(conn, folder, sub, run_date, head, clock, summary, signer)


def _settle_leftovers(conn: psycopg.Connection, folder: Path, sub: Subscription, summary: Summary) -> bool:
    """What a killed run left of this subscription's files (module docstring, step 1); True when
    a delivery was recorded from its voucher."""
    adopted = summary.adopted
    delivered = deliveries.delivered_names(conn, sub.tenant_id, sub.flow)
    prefix = f"RAAS_{sub.bce}_{sub.flow}_"
    for voucher_path in sorted(folder.glob(f"{prefix}*.voucher.xml")):
        data_path = folder / outbox.data_of(voucher_path.name)
        if data_path.name not in delivered:
            _adopt(conn, sub, voucher_path, data_path)
            delivered.add(data_path.name)
            summary.adopted += 1
            log.warning("%s: delivered by a run that was killed; recorded now", data_path.name)
    for data_path in sorted(folder.glob(f"{prefix}*.xml")):
        if data_path.name.endswith(".voucher.xml") or data_path.name in delivered:
            continue
        if not (folder / outbox.voucher_name(data_path.name)).exists():
            outbox.remove(data_path)
            summary.removed += 1
            log.warning("%s: left without its voucher by a run that was killed; removed", data_path.name)
    for part in folder.glob(f".{prefix}*.part"):
        outbox.remove(part)
    return summary.adopted > adopted


def _adopt(conn: psycopg.Connection, sub: Subscription, voucher_path: Path, data_path: Path) -> None:
    voucher = from_xml(validation.check_voucher(voucher_path), sub.tenant_id, voucher_path.name)
    if (voucher.file_name, voucher.bce, voucher.flow) != (data_path.name, sub.bce, sub.flow):
        raise BatchError(f"{voucher_path}: the voucher does not describe {data_path.name}")
    # the filter it was written with is not in the voucher: the subscription's now (minutes later, the same)
    voucher = replace(voucher, dossier_types=sub.dossier_types)
    try:
        checked = validation.check_data_file(
            data_path, voucher.record_count, voucher.first_sequence, voucher.last_sequence, _format(sub.flow)[1]
        )
    except FileNotFoundError:
        raise BatchError(f"{voucher_path}: its data file is missing") from None
    if (checked.sha256, checked.size) != (voucher.sha256, voucher.size_bytes):
        raise BatchError(f"{data_path}: its bytes do not match its voucher")
    deliveries.record(conn, voucher)


def _restore(conn: psycopg.Connection, folder: Path, done: Delivery, signer: SigningKey) -> None:
    """A delivered file that is missing or altered (an outbox restored from an older snapshot),
    written again from the journal: the same records and createdAt give the same bytes, which
    the recorded SHA-256 proves before the file takes its name. Its voucher is signed again:
    the same bytes with the same key (RSA PKCS#1 v1.5 signatures are deterministic)."""
    data_path = folder / done.file_name
    header = mutation_file.Header(
        done.bce, done.flow, done.run_date, done.first_sequence, done.last_sequence, done.record_count,
        done.created_at,
    )  # fmt: skip
    after = (done.first_sequence or 1) - 1
    render, layout = _format(done.flow)
    with conn.transaction():
        rows = journal.mutations(
            conn, done.tenant_id, done.flow, after, done.last_sequence or after, done.dossier_types
        )
        part = outbox.write_part(data_path, render(header, rows))
    checked = validation.check_data_file(part, done.record_count, done.first_sequence, done.last_sequence, layout)
    if (checked.sha256, checked.size) != (done.sha256, done.size_bytes):
        outbox.remove(part)
        raise BatchError(f"{data_path}: delivered on {done.run_date}, gone, and not rebuilt byte for byte")
    outbox.publish(part, data_path)
    outbox.write_file(folder / done.voucher_name, to_xml(done, signer))
    log.warning(
        "%s: delivered on %s but missing or altered; written again, byte for byte", data_path.name, done.run_date
    )


def _deliver(
    conn: psycopg.Connection,
    folder: Path,
    sub: Subscription,
    run_date: date,
    head: int,
    clock: Callable[[], datetime],
    summary: Summary,
    signer: SigningKey,
) -> Written | None:
    """This subscription's file for ``run_date`` (module docstring, steps 2 and 3)."""
    done = deliveries.delivery_on(conn, sub.tenant_id, sub.flow, run_date)
    if done is not None:
        data_path, voucher_path = folder / done.file_name, folder / done.voucher_name
        if not (voucher_path.exists() and data_path.exists() and data_path.stat().st_size == done.size_bytes):
            _restore(conn, folder, done, signer)
            summary.restored += 1
        summary.unchanged += 1
        return None
    last = deliveries.last_run_date(conn, sub.tenant_id, sub.flow)
    if last is not None and last > run_date:
        summary.skipped += 1
        return None
    started = time.monotonic()
    render, layout = _format(sub.flow)
    if layout is validation.NETWORK and not journal.authorized(conn, sub.tenant_id, sub.flow, run_date):
        held = journal.hold_back(conn, sub, head)  # committed before any file: never delivered, whatever follows
        if held:
            summary.held_back += held
            log.warning("%s %s: %s records held back for good: no authorization on %s", sub.bce, sub.flow,
                        held, run_date, extra={"tenant": sub.bce, "flow": sub.flow})  # fmt: skip
        sub = deliveries.subscription(conn, sub.tenant_id, sub.flow)
        if sub is None:  # unsubscribed meanwhile
            return None
    data_path = folder / outbox.data_name(sub.bce, sub.flow, run_date)
    with conn.transaction():  # one snapshot for the count and the rows (the streaming cursor lives in it)
        count, first, last_sequence = journal.pending_range(conn, sub, head)
        header = mutation_file.Header(sub.bce, sub.flow, run_date, first, last_sequence, count, clock())
        rows = journal.mutations(conn, sub.tenant_id, sub.flow, sub.delivered_through, head, sub.dossier_types)
        part = outbox.write_part(data_path, render(header, rows))
    checked = validation.check_data_file(part, count, first, last_sequence, layout)
    outbox.publish(part, data_path)
    delivery = Delivery(
        sub.tenant_id, sub.bce, sub.flow, run_date, data_path.name, outbox.voucher_name(data_path.name), count,
        checked.size, checked.sha256, first, last_sequence, header.created_at, sub.dossier_types,
    )  # fmt: skip
    outbox.write_file(folder / delivery.voucher_name, to_xml(delivery, signer))
    # a filter passes mutations over: the cursor moves to the head (they are not delivered later either)
    deliveries.record(conn, delivery, through=head if sub.dossier_types else None)
    return Written(sub.bce, sub.flow, data_path.name, count, checked.size, checked.sha256, time.monotonic() - started)


@dataclass
class Purged:
    before: date
    deliveries: int = 0
    files: int = 0


def purge(conn: psycopg.Connection, outbox_root: Path, retention_days: int) -> Purged:
    """Files and delivery rows of run dates more than ``retention_days`` before today.

    Files go first, each voucher before its data file, then the rows: a purge
    killed half-way leaves rows whose files are gone (the next purge forgets
    them), never a voucher without its row, which a run would record again.
    """
    with exclusive(conn):
        result = Purged(journal.today(conn) - timedelta(days=retention_days))
        expired = deliveries.expired(conn, result.before)
        for delivery in expired:
            folder = outbox_root / delivery.bce
            for name in (delivery.voucher_name, delivery.file_name):
                result.files += outbox.remove(folder / name)
        if expired:
            deliveries.forget(conn, expired)
        result.deliveries = len(expired)
        return result
