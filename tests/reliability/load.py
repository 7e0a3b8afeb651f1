"""A load of concurrent SOAP clients and the model their acknowledged calls build.

Each client owns its keys (ssin, dossier type), so the register's expected
content is known exactly: a key's days are the union of what was registered
minus what was unregistered, in the order the client got its answers. A call
whose outcome is unknown (a Server fault or a broken connection on a write:
it may or may not have been committed) leaves two candidates for its key;
the next listing that succeeds must match one of them. At the end the
database must hold, for every key, exactly one of its candidates as lines
(maximal runs of days: touching lines are merged), and no two lines overlap.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy import text

from register.soap.namespaces import COMMON, REGISTER, SOAP_ENV
from tests.e2e.helpers import envelope, security_header

DAY0 = date(2024, 1, 1)
SPAN = 90  # days: periods fall inside, so calls on a key merge, split and remove each other's lines

Days = frozenset[int]


def period_xml(first: int, last: int) -> str:
    return (
        f"<r:period><c:startDate>{DAY0 + timedelta(first)}</c:startDate>"
        f"<c:endDate>{DAY0 + timedelta(last)}</c:endDate></r:period>"
    )


def runs(days: Days) -> list[tuple[int, int]]:
    """Maximal runs of consecutive days, as (first, last)."""
    out: list[tuple[int, int]] = []
    for day in sorted(days):
        if out and out[-1][1] == day - 1:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer (connection broken, timeout)
    fault: str | None  # soapenv:Client.X / soapenv:Server.X
    body: bytes
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.fault is None


@dataclass
class Stats:
    calls: int = 0
    ok: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    not_soap: list[str] = field(default_factory=list)  # HTTP answers that are no SOAP fault
    no_answer: int = 0
    latencies: list[float] = field(default_factory=list)
    uncertain: int = 0
    timeline: list[tuple[float, bool]] = field(default_factory=list)  # (time, ok)

    def merge(self, other: Stats) -> None:
        self.calls += other.calls
        self.ok += other.ok
        for code, n in other.faults.items():
            self.faults[code] = self.faults.get(code, 0) + n
        self.not_soap += other.not_soap
        self.no_answer += other.no_answer
        self.latencies += other.latencies
        self.uncertain += other.uncertain
        self.timeline += other.timeline

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def parse(status: int, body: bytes) -> str | None:
    """The fault code of a SOAP fault answer, None for a SOAP answer; ValueError for anything else."""
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise ValueError(f"HTTP {status}: not XML: {body[:200]!r}") from error
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise ValueError(f"HTTP {status}: not a SOAP envelope: {body[:200]!r}")
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    if fault is None:
        if status != 200:
            raise ValueError(f"HTTP {status} without a fault")
        return None
    if status != 500:
        raise ValueError(f"a fault with HTTP {status}")
    code = fault.findtext("faultcode") or ""
    if b"Traceback" in body:
        raise ValueError(f"a traceback in a fault: {body[:300]!r}")
    return code


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened after any failure."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path, self.timeout = parts.hostname, parts.port, parts.path, timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, xml: str | bytes, content_type: str = "text/xml; charset=utf-8") -> Answer:
        data = xml.encode() if isinstance(xml, str) else xml
        started = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request("POST", self.path, data, {"Content-Type": content_type, "SOAPAction": '""'})
            response = self.conn.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.close()
            return Answer(None, None, b"", time.monotonic() - started)
        seconds = time.monotonic() - started
        try:
            return Answer(status, parse(status, body), body, seconds)
        except ValueError as error:
            return Answer(status, f"NOT-SOAP: {error}", body, seconds)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Client(threading.Thread):
    """Registers, unregisters and lists on its own keys until ``stop`` is set."""

    def __init__(self, url: str, username: str, password: str, keys: list[tuple[str, str]], seed: int, stop) -> None:
        super().__init__(daemon=True)
        self.conn = Connection(url)
        self.header = security_header(username, password)
        self.keys = keys
        self.random = random.Random(seed)
        self.stop = stop
        self.stats = Stats()
        self.candidates: dict[tuple[str, str], set[Days]] = {key: {frozenset()} for key in keys}
        self.mismatches: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            self.step()
        self.conn.close()

    def call(self, body: str) -> Answer:
        answer = self.conn.post(envelope(body, header=self.header))
        s = self.stats
        s.calls += 1
        s.timeline.append((time.monotonic(), answer.ok))
        if answer.status is None:
            s.no_answer += 1
        elif answer.fault and answer.fault.startswith("NOT-SOAP"):
            s.not_soap.append(answer.fault[:300])
        elif answer.fault:
            s.faults[answer.fault] = s.faults.get(answer.fault, 0) + 1
        else:
            s.ok += 1
            s.latencies.append(answer.seconds)
        return answer

    def step(self) -> None:
        key = self.random.choice(self.keys)
        ssin, dossier_type = key
        roll = self.random.random()
        if roll < 0.25:
            self.list(key)
            return
        first = self.random.randrange(SPAN)
        last = min(SPAN - 1, first + self.random.randrange(1, 20))
        days = frozenset(range(first, last + 1))
        if roll < 0.65:
            body = f"<r:registerPerson><r:ssin>{ssin}</r:ssin><r:dossierType>{dossier_type}</r:dossierType>{period_xml(first, last)}</r:registerPerson>"
            self.write(key, body, lambda held: held | days)
        elif roll < 0.95:
            body = f"<r:unregisterPerson><r:ssin>{ssin}</r:ssin><r:dossierType>{dossier_type}</r:dossierType>{period_xml(first, last)}</r:unregisterPerson>"
            self.write(key, body, lambda held: held - days)
        else:
            body = f"<r:unregisterPerson><r:ssin>{ssin}</r:ssin><r:dossierType>{dossier_type}</r:dossierType></r:unregisterPerson>"
            self.write(key, body, lambda held: frozenset())

    def write(self, key, body: str, change) -> None:
        answer = self.call(body)
        before = self.candidates[key]
        if answer.ok:
            self.candidates[key] = {change(held) for held in before}
        elif answer.status is None or (answer.fault or "").startswith("soapenv:Server"):
            self.stats.uncertain += 1  # committed or not: both stay possible
            self.candidates[key] = before | {change(held) for held in before}
        # a Client fault changed nothing

    def list(self, key) -> None:
        ssin, dossier_type = key
        answer = self.call(
            f"<r:listRegistrations><r:ssin>{ssin}</r:ssin><r:dossierType>{dossier_type}</r:dossierType><r:pageSize>1000</r:pageSize></r:listRegistrations>"
        )
        if not answer.ok:
            return
        seen = listed_runs(answer.body)
        matching = {held for held in self.candidates[key] if runs(held) == seen}
        if not matching:
            self.mismatches.append(f"{key}: listed {seen}, expected one of {[runs(h) for h in self.candidates[key]]}")
            return
        self.candidates[key] = matching


def listed_runs(body: bytes) -> list[tuple[int, int]]:
    root = etree.fromstring(body)
    out = []
    for registration in root.iter(f"{{{REGISTER}}}registration"):
        start = date.fromisoformat(registration.findtext(f".//{{{COMMON}}}startDate"))
        end = date.fromisoformat(registration.findtext(f".//{{{COMMON}}}endDate"))
        out.append(((start - DAY0).days, (end - DAY0).days))
    return out


def run_load(url, username, password, keys, clients: int, seconds: float, during=None, seed: int = 1, client=None):
    """``clients`` clients on disjoint shares of ``keys`` for ``seconds``; ``during(elapsed)`` is called each 0.1 s
    and ends the load early when it returns True. ``client``: a subclass of Client to use."""
    stop = threading.Event()
    share = [keys[i::clients] for i in range(clients)]
    threads = [(client or Client)(url, username, password, share[i], seed * 1000 + i, stop) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while (elapsed := time.monotonic() - started) < seconds:
        if during and during(elapsed) is True:
            break
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a client hung"
    total = Stats()
    candidates: dict = {}
    mismatches: list[str] = []
    for thread in threads:
        total.merge(thread.stats)
        candidates.update(thread.candidates)
        mismatches += thread.mismatches
    return total, candidates, mismatches, started


def check_database(engine, tenant_id: int, candidates) -> tuple[list[str], int]:
    """Keys whose stored lines are none of their candidates, and the number of overlapping pairs."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ssin, dossier_type, lower(period) AS s, upper(period) - 1 AS e FROM registration"
                " WHERE tenant_id = :t ORDER BY ssin, dossier_type, lower(period)"
            ),
            {"t": tenant_id},
        ).all()
        overlaps = conn.execute(
            text(
                "SELECT count(*) FROM registration a JOIN registration b ON a.id < b.id AND a.tenant_id = b.tenant_id"
                " AND a.ssin = b.ssin AND a.dossier_type = b.dossier_type AND a.period && b.period"
            )
        ).scalar_one()
    stored: dict = {}
    for r in rows:
        stored.setdefault((r.ssin, r.dossier_type), []).append(((r.s - DAY0).days, (r.e - DAY0).days))
    wrong = []
    for key, held in candidates.items():
        if stored.get(key, []) not in [runs(h) for h in held]:
            wrong.append(f"{key}: stored {stored.get(key, [])}, expected one of {[runs(h) for h in held]}")
    return wrong, overlaps


def post_once(url: str, xml: str | bytes, timeout: float = 60, content_type: str = "text/xml; charset=utf-8") -> Answer:
    """One call on a connection of its own, closed after."""
    conn = Connection(url, timeout)
    try:
        return conn.post(xml, content_type)
    finally:
        conn.close()
