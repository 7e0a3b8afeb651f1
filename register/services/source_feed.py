"""`raas source apply FILE.xml`: the authentic source's feed (CONTRACT.md section 7).

The file is read with DTDs, entities and the network refused, validated
against xsd/source-feed-v1.xsd and checked record by record (check digits,
dates) before anything is applied. Then its records are applied in document
order in one transaction: the first record that cannot apply rolls the whole
file back. Every refusal names the element's line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree
from sqlalchemy import Engine

from register import safe_xml
from register.adapters import persons
from register.domain import person as persons_domain
from register.domain import ssin as ssins
from register.domain.dates import IncompleteDate
from register.domain.errors import RegisterError
from register.domain.person import Address, PersonIdentity

NS = "urn:be:raas:source:v1"
SCHEMA = "source-feed-v1.xsd"


class FeedError(Exception):
    """The file is refused: ``line`` of the element concerned (0 when unknown) and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class PersonChanged:
    line: int
    ssin: str
    identity: PersonIdentity


@dataclass(frozen=True)
class SsinReplaced:
    line: int
    old: str
    new: str


@dataclass(frozen=True)
class SsinCanceled:
    line: int
    ssin: str


Record = PersonChanged | SsinReplaced | SsinCanceled


@dataclass(frozen=True)
class Applied:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    replaced: int = 0
    canceled: int = 0
    lines_moved: int = 0
    mutations: int = 0  # journal entries: one per tenant concerned

    def summary(self) -> str:
        return (
            f"{self.created:,} persons created, {self.changed:,} changed, {self.unchanged:,} unchanged, "
            f"{self.replaced:,} SSINs replaced ({self.lines_moved:,} lines moved), {self.canceled:,} canceled; "
            f"{self.mutations:,} mutations journaled"
        )


def read(path: str | Path) -> list[Record]:
    """The checked records of a feed file; FeedError names the first problem's line."""
    try:
        tree = safe_xml.parse(path)
    except etree.XMLSyntaxError as error:
        raise FeedError(error.lineno or 0, f"not well-formed XML: {error.msg}") from None
    if safe_xml.has_doctype(tree):
        raise FeedError(1, "a DOCTYPE is not allowed in a feed")
    root = tree.getroot()
    odd = next(root.iter(etree.ProcessingInstruction, etree.Entity), None)
    if odd is not None:
        raise FeedError(odd.sourceline or 0, "processing instructions and entity references are not allowed")
    schema = safe_xml.schema(SCHEMA)
    if not schema.validate(tree):
        error = schema.error_log[0]
        raise FeedError(error.line, error.message.replace(f"{{{NS}}}", ""))
    return [_record(element) for element in root]


def _text(element, name: str) -> str | None:
    return element.findtext(f"{{{NS}}}{name}")


def _ssin(element, name: str) -> str:
    value = _text(element, name)
    try:
        return ssins.validate(value)
    except RegisterError:
        raise FeedError(
            element.find(f"{{{NS}}}{name}").sourceline,
            f"{name} {value}: wrong check digits or an impossible birth date",
        ) from None


def _record(element) -> Record:
    kind, line = etree.QName(element).localname, element.sourceline
    if kind == "ssinReplaced":
        old, new = _ssin(element, "oldSsin"), _ssin(element, "newSsin")
        if old == new:
            raise FeedError(line, f"ssinReplaced: {old} cannot replace itself")
        return SsinReplaced(line, old, new)
    if kind == "ssinCanceled":
        return SsinCanceled(line, _ssin(element, "ssin"))
    birth_date = _text(element, "birthDate")
    try:
        IncompleteDate.parse(birth_date)
    except RegisterError:
        raise FeedError(element.find(f"{{{NS}}}birthDate").sourceline, f"birthDate {birth_date} cannot exist") from None
    death_date = _text(element, "deathDate")
    address = element.find(f"{{{NS}}}address")
    identity = PersonIdentity(
        last_name=_text(element, "lastName"),
        first_name=_text(element, "firstName"),
        birth_date=birth_date,
        gender=_text(element, "gender"),
        nationality=_text(element, "nationality"),
        death_date=date.fromisoformat(death_date[:10]) if death_date else None,  # xs:date may carry a zone
        address=Address(*(_text(address, name) for name, _ in persons_domain.ADDRESS_PARTS))
        if address is not None
        else None,
    )
    return PersonChanged(line, _ssin(element, "ssin"), identity)


def apply(engine: Engine, records: list[Record]) -> Applied:
    """Apply ``records`` in order, all in one transaction; FeedError (nothing applied) on the first that cannot."""
    counts: Counter[str] = Counter()
    with engine.begin() as conn:
        persons.lock_feed(conn)
        for record in records:
            match record:
                case PersonChanged():
                    _person_changed(conn, record, counts)
                case SsinReplaced():
                    _ssin_replaced(conn, record, counts)
                case SsinCanceled():
                    _ssin_canceled(conn, record, counts)
    return Applied(**counts)


def apply_file(engine: Engine, path: str | Path) -> Applied:
    return apply(engine, read(path))


def _person_changed(conn, record: PersonChanged, counts: Counter) -> None:
    stored = persons.get(conn, record.ssin, for_update=True)
    if stored is None:
        persons.insert_person(conn, record.ssin, record.identity)
        counts["created"] += 1
        return
    changes = persons_domain.changes(stored.identity, record.identity)
    if not changes:
        counts["unchanged"] += 1
        return
    counts["changed"] += 1
    counts["mutations"] += persons.change_identity(conn, record.ssin, record.identity, changes)


def _ssin_replaced(conn, record: SsinReplaced, counts: Counter) -> None:
    old = persons.get(conn, record.old, for_update=True)
    if old is None:
        raise FeedError(record.line, f"ssinReplaced: oldSsin {record.old} is not known")
    new = persons.get(conn, record.new)
    if new is None:
        raise FeedError(
            record.line, f"ssinReplaced: newSsin {record.new} is not known (nor created earlier in the file)"
        )
    if old.status == "REPLACED":
        if old.replaced_by == record.new:
            counts["unchanged"] += 1  # the same fact again: a feed applied twice changes nothing
            return
        raise FeedError(record.line, f"ssinReplaced: {record.old} was already replaced by {old.replaced_by}")
    if old.status == "CANCELED":
        raise FeedError(record.line, f"ssinReplaced: {record.old} is canceled")
    target = persons.last_of_chain(conn, record.new)
    if target == record.old:
        raise FeedError(record.line, f"ssinReplaced: {record.new} is itself replaced by {record.old}: a cycle")
    if persons.get(conn, target).status == "CANCELED":
        raise FeedError(record.line, f"ssinReplaced: newSsin {record.new} leads to the canceled {target}")
    done = persons.replace(conn, record.old, record.new)
    counts["replaced"] += 1
    counts["lines_moved"] += done.moved
    counts["mutations"] += done.notified


def _ssin_canceled(conn, record: SsinCanceled, counts: Counter) -> None:
    stored = persons.get(conn, record.ssin, for_update=True)
    if stored is None:
        raise FeedError(record.line, f"ssinCanceled: {record.ssin} is not known")
    if stored.status == "REPLACED":
        raise FeedError(record.line, f"ssinCanceled: {record.ssin} was replaced by {stored.replaced_by}")
    if stored.status == "CANCELED":
        counts["unchanged"] += 1
        return
    persons.cancel(conn, record.ssin)
    counts["canceled"] += 1
