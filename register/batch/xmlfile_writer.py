"""The reference writer: the same data file written with lxml's incremental ``xmlfile``.

Not used by the run (register/batch/mutation_file.py writes the same bytes faster).
It is what the tests hold the text writer to, byte for byte, and the ceiling
bench/batch.py measures the run against.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from lxml import etree

from register.batch.mutation_file import ADDRESS_FIELDS, NAMESPACE, PERSON_FIELDS, Header, timestamp

_N = f"{{{NAMESPACE}}}"


def write(out: BinaryIO, header: Header, rows: Iterable) -> None:
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{_N}MutationFile", nsmap={None: NAMESPACE}):
            xf.write("\n")
            with xf.element(f"{_N}header"):
                _leaf(xf, "recipient", header.recipient)
                _leaf(xf, "flow", header.flow)
                _leaf(xf, "runDate", header.run_date.isoformat())
                if header.first_sequence is not None:
                    _leaf(xf, "firstSequence", str(header.first_sequence))
                    _leaf(xf, "lastSequence", str(header.last_sequence))
                _leaf(xf, "recordCount", str(header.record_count))
                _leaf(xf, "createdAt", timestamp(header.created_at))
            xf.write("\n")
            record = _ssin_replaced if header.flow == "SSIN_REPLACED" else _identity_changed
            for row in rows:
                record(xf, row)
                xf.write("\n")
    out.write(b"\n")


def _leaf(xf, name: str, text: str) -> None:
    with xf.element(_N + name):
        xf.write(text)


def _ssin_replaced(xf, row) -> None:
    sequence, recorded_on, ssin, new_ssin, dossier_types, _, _ = row
    with xf.element(f"{_N}ssinReplaced"):
        _leaf(xf, "sequence", str(sequence))
        _leaf(xf, "date", recorded_on.isoformat())
        _leaf(xf, "oldSsin", ssin)
        _leaf(xf, "newSsin", new_ssin)
        for code in dossier_types:
            _leaf(xf, "dossierType", code)


def _identity_changed(xf, row) -> None:
    sequence, recorded_on, ssin, _, _, changes, person = row
    changes, person = json.loads(changes), json.loads(person)
    with xf.element(f"{_N}identityChanged"):
        _leaf(xf, "sequence", str(sequence))
        _leaf(xf, "date", recorded_on.isoformat())
        _leaf(xf, "ssin", ssin)
        for change in changes:
            with xf.element(f"{_N}changedField"):
                _leaf(xf, "name", change["name"])
                for part in ("old", "new"):
                    if change.get(part) is not None:
                        _leaf(xf, part, change[part])
        with xf.element(f"{_N}person"):
            for name in PERSON_FIELDS:
                if person.get(name) is not None:
                    _leaf(xf, name, person[name])
            if person.get("address"):
                with xf.element(f"{_N}address"):
                    for name in ADDRESS_FIELDS:
                        if name in person["address"]:
                            _leaf(xf, name, person["address"][name])
