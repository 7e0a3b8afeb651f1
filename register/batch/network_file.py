"""A network flow's data file (xsd/network-v1.xsd), written as escaped text, one record per line.

The same writer as register/batch/mutation_file.py (its header, its escaping),
for a NetworkFile: records carry the ingested payload element as stored, in its
exclusive canonical form, which is well-formed XML that declares every namespace
it uses. The file's own namespace is written with the prefix ``n`` rather than
as the default namespace, so a payload's elements in no namespace stay in none.

A record is a journal row with its network record (register/adapters/journal.py,
NETWORK_COLUMNS): (sequence, recorded_on, ssin routed on, ssin as ingested,
event date, kind, dossier types, reference, payload).
"""

from __future__ import annotations

from collections.abc import Iterable

from register.batch.mutation_file import DECLARATION, Header, escape, timestamp

NAMESPACE = "urn:be:raas:network:v1"
RECORD_ELEMENT = "record"


def head(header: Header) -> str:
    """The declaration, the root's start tag and the header, each on its own line."""
    sequences = ""
    if header.first_sequence is not None:
        sequences = (
            f"<n:firstSequence>{header.first_sequence}</n:firstSequence>"
            f"<n:lastSequence>{header.last_sequence}</n:lastSequence>"
        )
    return (
        f'{DECLARATION}<n:NetworkFile xmlns:n="{NAMESPACE}">\n'
        f"<n:header><n:recipient>{header.recipient}</n:recipient><n:flow>{header.flow}</n:flow>"
        f"<n:runDate>{header.run_date.isoformat()}</n:runDate>{sequences}"
        f"<n:recordCount>{header.record_count}</n:recordCount>"
        f"<n:createdAt>{timestamp(header.created_at)}</n:createdAt></n:header>\n"
    )


TAIL = "</n:NetworkFile>\n"


def record(row) -> str:
    sequence, recorded_on, ssin, original, event_date, kind, dossier_types, reference, payload = row
    types = "".join(f"<n:dossierType>{escape(code)}</n:dossierType>" for code in dossier_types)
    original = f"<n:originalSsin>{original}</n:originalSsin>" if original != ssin else ""
    return (
        f"<n:record><n:sequence>{sequence}</n:sequence><n:date>{recorded_on.isoformat()}</n:date>"
        f"<n:reference>{escape(reference)}</n:reference><n:ssin>{ssin}</n:ssin>{original}"
        f"<n:eventDate>{event_date.isoformat()}</n:eventDate><n:kind>{kind}</n:kind>{types}"
        f"<n:payload>{payload}</n:payload></n:record>\n"
    )


def render(header: Header, rows: Iterable) -> Iterable[str]:
    """The file as text pieces, streamed: the head, a line per record, the tail."""
    yield head(header)
    for row in rows:
        yield record(row)
    yield TAIL
