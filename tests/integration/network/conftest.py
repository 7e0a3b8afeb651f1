"""Fixtures for network flows (CONTRACT.md sections 9 and 10): flows, authorizations, lines, feeds.

Feeds are written as files, as the network's operator hands them over; lines
and subscriptions are written by SQL as the register and SubscriptionService would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import text

from register.domain.flows import Authorization
from register.services.network_flows import NetworkFlows

NS = "urn:be:raas:network:v1"
DIMONA_NS = "urn:example:dimona:v1"
# A payload schema as a flow's owner would write one: local elements unqualified (no namespace)
DIMONA_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{DIMONA_NS}" elementFormDefault="unqualified">
  <xs:element name="declaration">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="employer" type="xs:string"/>
        <xs:element name="jointCommittee" type="xs:string" minOccurs="0"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""
LONG_AGO = date(2020, 1, 1)


def today() -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def declaration(employer: str = "ACME & Co", committee: str | None = "200") -> str:
    """A DIMONA payload (the namespace declared on it, its children in no namespace)."""
    joint = f"<jointCommittee>{committee}</jointCommittee>" if committee else ""
    return f'<d:declaration xmlns:d="{DIMONA_NS}"><employer>{escape(employer)}</employer>{joint}</d:declaration>'


@dataclass(frozen=True)
class Record:
    reference: str
    ssin: str
    event_date: str = "2024-03-01"
    kind: str = "IN"
    payload: str = ""

    def xml(self) -> str:
        return (
            f"  <n:record>\n    <n:reference>{escape(self.reference)}</n:reference>\n"
            f"    <n:ssin>{self.ssin}</n:ssin>\n    <n:eventDate>{self.event_date}</n:eventDate>\n"
            f"    <n:kind>{self.kind}</n:kind>\n    <n:payload>{self.payload or declaration()}</n:payload>\n"
            "  </n:record>\n"
        )


def feed_text(flow: str, records, prolog: str = "") -> str:
    body = "".join(r.xml() if isinstance(r, Record) else r for r in records)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<n:NetworkFeed xmlns:n="{NS}">\n'
        f"  <n:flow>{flow}</n:flow>\n{body}</n:NetworkFeed>\n"
    )


@pytest.fixture
def flows(engine) -> NetworkFlows:
    return NetworkFlows(engine)


@pytest.fixture
def dimona(flows) -> str:
    flows.define("DIMONA", "Employment declarations", DIMONA_XSD)
    return "DIMONA"


@pytest.fixture
def write_feed(tmp_path):
    """A feed file of ``records`` (Record or raw XML text) for ``flow``; returns its path."""
    count = iter(range(1, 10_000))

    def write(flow: str, *records, prolog: str = "") -> Path:
        path = tmp_path / f"feed-{next(count)}.xml"
        path.write_text(feed_text(flow, records, prolog), encoding="utf-8")
        return path

    return write


def grant(flows: NetworkFlows, bce: str, flow: str, start: date = LONG_AGO, end=None, types=None, ref="SCSZ/24/001"):
    flows.grant(Authorization(bce, flow, ref, start, end, tuple(types) if types else None))


def line(engine, tenant_id: int, ssin: str, dossier_type: str = "A", start="2020-01-01", end=None) -> None:
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO registration (tenant_id, ssin, dossier_type, period)"
                " VALUES (:t, :s, :d, daterange(CAST(:start AS date), CAST(:end AS date), '[]'))"
            ),
            {"t": tenant_id, "s": ssin, "d": dossier_type, "start": start, "end": end},
        )


def journal_rows(engine, flow: str) -> list[tuple]:
    """(tenant id, ssin, dossier types, reference) of the flow's journal rows, in sequence order."""
    with engine.connect() as c:
        return [
            (r.tenant_id, r.ssin, list(r.dossier_types), r.reference)
            for r in c.execute(
                text(
                    "SELECT j.tenant_id, j.ssin, j.dossier_types, n.reference FROM journal j"
                    " JOIN network_record n ON n.id = j.network_record WHERE j.flow = :f ORDER BY j.sequence"
                ),
                {"f": flow},
            )
        ]


def stored_records(engine) -> list[tuple]:
    with engine.connect() as c:
        return [
            tuple(r)
            for r in c.execute(
                text("SELECT reference, ssin, routed_ssin, kind, payload FROM network_record ORDER BY id")
            )
        ]


def yesterday() -> date:
    return today() - timedelta(days=1)


# the nightly batch's fixtures (its own connection, the outbox), for the network flows' files
from tests.integration.batch.conftest import conn, outbox, subscriber  # noqa: E402, F401
