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
    dossier_types: tuple[str, ...] | None = None  # the filter (1.1): only mutations with one of these types

    def __post_init__(self) -> None:
        if self.dossier_types is not None and not isinstance(self.dossier_types, tuple):
            object.__setattr__(self, "dossier_types", tuple(self.dossier_types))


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
    dossier_types: tuple[str, ...] | None = None  # the subscription's filter the file was written with

    def __post_init__(self) -> None:
        if self.dossier_types is not None and not isinstance(self.dossier_types, tuple):
            object.__setattr__(self, "dossier_types", tuple(self.dossier_types))
