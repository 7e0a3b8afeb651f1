"""A data file's XML (xsd/mutations-v1.xsd), written as escaped text, one record per line.

Text rather than lxml's incremental ``xmlfile``: about five times faster
(DESIGN.md), which is what lets the whole run keep up with xmlfile alone
(bench/batch.py), and byte-identical to what xmlfile writes for the same
records: register/batch/xmlfile_writer.py is that reference, and the tests hold the two
equal on hostile text. The file is validated against the schema as it is read
back (register/batch/validation.py) before it is given its final name.

A record is a journal row (register/adapters/journal.py, JOURNAL_COLUMNS):
(sequence, recorded_on, ssin, new_ssin, dossier_types, changes, person), the
last two as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

NAMESPACE = "urn:be:raas:mutations:v1"
RECORD_ELEMENT = {"SSIN_REPLACED": "ssinReplaced", "IDENTITY_CHANGED": "identityChanged"}

# the person's fields in the schema's order (journal JSON key = element name)
PERSON_FIELDS = ("ssin", "kind", "status", "replacedBy", "lastName", "firstName", "birthDate", "gender",
                 "deathDate", "nationality", "birthPlace")  # fmt: skip
ADDRESS_FIELDS = ("street", "houseNumber", "box", "postalCode", "municipality", "country")

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"


@dataclass(frozen=True)
class Header:
    recipient: str  # the tenant's BCE
    flow: str
    run_date: date
    first_sequence: int | None
    last_sequence: int | None
    record_count: int
    created_at: datetime  # aware; written to the second with its offset


def escape(text: str) -> str:
    """Text content as libxml2 writes it: & < > escaped, and a carriage return as a reference
    (a raw one would read back as a line feed)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def head(header: Header) -> str:
    """The declaration, the root's start tag and the header, each on its own line."""
    sequences = ""
    if header.first_sequence is not None:
        sequences = (
            f"<firstSequence>{header.first_sequence}</firstSequence><lastSequence>{header.last_sequence}</lastSequence>"
        )
    return (
        f'{DECLARATION}<MutationFile xmlns="{NAMESPACE}">\n'
        f"<header><recipient>{header.recipient}</recipient><flow>{header.flow}</flow>"
        f"<runDate>{header.run_date.isoformat()}</runDate>{sequences}"
        f"<recordCount>{header.record_count}</recordCount><createdAt>{timestamp(header.created_at)}</createdAt>"
        "</header>\n"
    )


TAIL = "</MutationFile>\n"


def ssin_replaced(row) -> str:
    sequence, recorded_on, ssin, new_ssin, dossier_types, _, _ = row
    types = "".join(f"<dossierType>{escape(code)}</dossierType>" for code in dossier_types)
    return (
        f"<ssinReplaced><sequence>{sequence}</sequence><date>{recorded_on.isoformat()}</date>"
        f"<oldSsin>{ssin}</oldSsin><newSsin>{new_ssin}</newSsin>{types}</ssinReplaced>\n"
    )


def identity_changed(row) -> str:
    sequence, recorded_on, ssin, _, _, changes, person = row
    fields = []
    for change in json.loads(changes):
        old, new = change.get("old"), change.get("new")
        fields.append(
            f"<changedField><name>{change['name']}</name>"
            + (f"<old>{escape(old)}</old>" if old is not None else "")
            + (f"<new>{escape(new)}</new>" if new is not None else "")
            + "</changedField>"
        )
    return (
        f"<identityChanged><sequence>{sequence}</sequence><date>{recorded_on.isoformat()}</date>"
        f"<ssin>{ssin}</ssin>{''.join(fields)}{person_element(json.loads(person))}</identityChanged>\n"
    )


def person_element(person: dict) -> str:
    parts = [f"<{name}>{escape(person[name])}</{name}>" for name in PERSON_FIELDS if person.get(name) is not None]
    address = person.get("address")
    if address:
        lines = "".join(f"<{name}>{escape(address[name])}</{name}>" for name in ADDRESS_FIELDS if name in address)
        parts.append(f"<address>{lines}</address>")
    return f"<person>{''.join(parts)}</person>"


RECORD = {"SSIN_REPLACED": ssin_replaced, "IDENTITY_CHANGED": identity_changed}


def render(header: Header, rows: Iterable) -> Iterable[str]:
    """The file as text pieces, streamed: the head, a line per record, the tail."""
    yield head(header)
    record = RECORD[header.flow]
    for row in rows:
        yield record(row)
    yield TAIL
