"""A tenant's subscription to a flow, and a delivery of the nightly files made to it (CONTRACT.md sections 5, 6).

One type each for every reader: SubscriptionService answers with them, the
nightly batch advances subscriptions and records deliveries with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Subscription:
    tenant_id: int
    bce: str
    flow: str
    since: date  # the day in Brussels it was made
    delivered_through: int  # the journal's sequences up to here are delivered, or predate the subscription


@dataclass(frozen=True, slots=True)
class Delivery:
    """A data file and its voucher, in place in the outbox (``<outbox>/<bce>/``)."""

    tenant_id: int
    bce: str
    flow: str
    run_date: date
    file_name: str
    voucher_name: str
    record_count: int
    size_bytes: int
    sha256: str  # lowercase hex of the data file's bytes
    first_sequence: int | None  # None when the file holds no record
    last_sequence: int | None
    created_at: datetime
