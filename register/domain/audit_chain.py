"""The sealed audit's chain (CONTRACT.md section 8, 1.1): how an audit row becomes bytes, a digest, a link.

A seal covers the audit rows with ids after the previous seal's last one, in
id order. Each row's digest is SHA-256 of its canonical bytes (every column,
the time in UTC to the microsecond); the chain starts from the previous seal's
head (32 zero bytes for the first) and each row moves it on:
``head = SHA-256(head || digest)``. The seal's statement, which the signing
key signs, binds its number, the last id, the count, the cutoff and both heads.

>>> from datetime import datetime, timezone
>>> row = AuditRow(7, datetime(2026, 1, 15, 1, 30, tzinfo=timezone.utc), 3, "alice", "getPerson",
...                ["85073003328"], "OK", "req-1")
>>> row.canonical()
b'[7,"2026-01-15T01:30:00.000000+00:00",3,"alice","getPerson",["85073003328"],"OK","req-1"]'
>>> len(chain(GENESIS, [row.digest()]))
32
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = bytes(32)
DIGEST_SIZE = 32


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime
    tenant_id: int | None
    username: str | None
    operation: str
    ssins: list[str] | None
    outcome: str
    request_id: str | None

    def canonical(self) -> bytes:
        """The row as bytes that change whenever any column does (JSON: one array, no spaces)."""
        at = self.at.astimezone(UTC).isoformat(timespec="microseconds")
        values = [self.id, at, self.tenant_id, self.username, self.operation, self.ssins, self.outcome, self.request_id]
        return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()

    def digest(self) -> bytes:
        return hashlib.sha256(self.canonical()).digest()


def link(head: bytes, digest: bytes) -> bytes:
    return hashlib.sha256(head + digest).digest()


def chain(head: bytes, digests: Iterable[bytes]) -> bytes:
    for digest in digests:
        head = link(head, digest)
    return head


def ids_digest(ids: Iterable[int]) -> bytes:
    """SHA-256 of the ids a seal lists (8 bytes each, big-endian): the list is signed too."""
    return hashlib.sha256(b"".join(i.to_bytes(8, "big") for i in ids)).digest()


def statement(number: int, last_id: int, ids: list[int], cutoff: datetime, previous_head: bytes, head: bytes) -> bytes:
    """What the signing key signs for one seal: its place in the chain, the rows it lists, both heads."""
    at = cutoff.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [number, last_id, len(ids), ids_digest(ids).hex(), at, previous_head.hex(), head.hex()]
    return ("raas-audit-seal-v1\n" + "".join(f"{field}\n" for field in fields)).encode()
