"""The outbox (RAAS_OUTBOX): the nightly files, a folder per tenant named by its BCE (CONTRACT.md section 6).

Files appear whole under their final name or not at all: a file is written
under a hidden temporary name beside its final one (``.<name>.part``),
fsynced, renamed (atomic within a folder), and the folder is fsynced so the
rename survives a power cut. A recipient listing ``<outbox>/<bce>/`` never
sees a partial file under a final name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

_BUFFER = 1 << 20
# What the batch names its files (RAAS_<bce>_<flow>_<yyyymmdd>[.voucher].xml), and nothing that could
# leave the tenant's folder: no separator, no leading dot.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")
_BCE = re.compile(r"[0-9]{10}")


def data_name(bce: str, flow: str, run_date: date) -> str:
    return f"RAAS_{bce}_{flow}_{run_date:%Y%m%d}.xml"


def voucher_name(data: str) -> str:
    return data.removesuffix(".xml") + ".voucher.xml"


def data_of(voucher: str) -> str:
    return voucher.removesuffix(".voucher.xml") + ".xml"


def part_of(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


def folder(outbox: Path, bce: str) -> Path:
    path = outbox / bce
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_part(path: Path, pieces: Iterable[str]) -> Path:
    """``pieces`` written (UTF-8) and fsynced under ``path``'s temporary name, which is returned."""
    part = part_of(path)
    with part.open("w", encoding="utf-8", newline="", buffering=_BUFFER) as out:
        for piece in pieces:
            out.write(piece)
        out.flush()
        os.fsync(out.fileno())
    return part


def publish(part: Path, path: Path) -> None:
    """The temporary file takes its final name, durably."""
    os.replace(part, path)
    sync_folder(path.parent)


def write_file(path: Path, content: bytes) -> None:
    """A small file (a voucher) written whole under its final name."""
    publish(write_part(path, [content.decode()]), path)


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def sync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Outbox:
    """The outbox as getDelivery reads it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, bce: str, name: str) -> bytes:
        """A file of the tenant's folder. The name comes from a delivery row, never from a request;
        one that is not a plain file name is refused all the same (ValueError)."""
        if not (_BCE.fullmatch(bce) and _FILE_NAME.fullmatch(name)):
            raise ValueError(f"not a file of a tenant's outbox folder: {bce!r}/{name!r}")
        return (self.root / bce / name).read_bytes()
