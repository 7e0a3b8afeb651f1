"""The nightly files' folder (RAAS_OUTBOX): a folder per tenant, named by its BCE (CONTRACT.md section 6)."""

from __future__ import annotations

import re
from pathlib import Path

# What the batch names its files (RAAS_<bce>_<flow>_<yyyymmdd>[.voucher].xml), and nothing that could
# leave the tenant's folder: no separator, no leading dot.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")
_BCE = re.compile(r"[0-9]{10}")


class Outbox:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, bce: str, name: str) -> bytes:
        """A file of the tenant's folder. The name comes from a delivery row, never from a request;
        one that is not a plain file name is refused all the same (ValueError)."""
        if not (_BCE.fullmatch(bce) and _FILE_NAME.fullmatch(name)):
            raise ValueError(f"not a file of a tenant's outbox folder: {bce!r}/{name!r}")
        return (self.root / bce / name).read_bytes()
