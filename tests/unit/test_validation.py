"""A data file read back (batch/validation.py) is refused, naming the line, whenever it would not
validate whole against xsd/mutations-v1.xsd, even though it is checked a slice at a time."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from register.batch import mutation_file, validation
from register.batch.mutation_file import Header

PERSON = json.dumps({"ssin": "85073003328", "kind": "NR", "status": "ACTIVE", "lastName": "Peters",
                     "firstName": "Jan", "birthDate": "1985-07-30"})  # fmt: skip
CHANGES = json.dumps([{"name": "lastName", "old": "Peeters", "new": "Peters"}])


def rows(count: int, start: int = 1) -> list[tuple]:
    return [(n, date(2026, 1, 14), "85073003328", None, None, CHANGES, PERSON) for n in range(start, start + count)]


def text(records: list[tuple]) -> str:
    first, last = (records[0][0], records[-1][0]) if records else (None, None)
    header = Header("0203040596", "IDENTITY_CHANGED", date(2026, 1, 15), first, last, len(records),
                    datetime(2026, 1, 15, 1, 30, tzinfo=timezone(timedelta(hours=1))))  # fmt: skip
    return "".join(mutation_file.render(header, records))


def check(tmp_path, content: str, count: int, first: int | None = 1):
    """``content`` checked as a file meant to hold ``count`` records from ``first`` on."""
    path = tmp_path / "RAAS_0203040596_IDENTITY_CHANGED_20260115.xml"
    path.write_text(content, encoding="utf-8")
    return validation.check_data_file(path, count, first if count else None, first + count - 1 if count else None)


@pytest.mark.parametrize("count", [0, 1, validation._SLICE, validation._SLICE + 1, 3 * validation._SLICE + 7])
def test_a_file_as_written_passes_with_its_hash_and_size(tmp_path, count):
    content = text(rows(count))
    checked = check(tmp_path, content, count)
    assert checked.record_count == count
    assert (checked.sha256, checked.size) == (hashlib.sha256(content.encode()).hexdigest(), len(content.encode()))


def _line_of(content: str, needle: str) -> int:
    return content[: content.index(needle)].count("\n") + 1


# (what is done to a file of 1,200 records, the line named, the reason's words)
BROKEN = [
    ("<ssin>85073003328</ssin><changedField>", "<ssin>8507300332</ssin><changedField>", "<sequence>1100<", "ssin"),
    ("<sequence>700</sequence>", "<sequence>7000</sequence>", "<sequence>701<", "sequence 701 after 7000"),
    ("</header>", "</header><header/>", "<header/>", "header"),
    ("<identityChanged><sequence>900<", "<other/><identityChanged><sequence>900<", "<other/>", "other"),
    (
        "</identityChanged>\n</MutationFile>",
        "<ssinReplaced/></identityChanged>\n</MutationFile>",
        "<ssinReplaced/>",
        "inside",
    ),
    ("<MutationFile ", "<MutationFile version='2' ", "<header>", "root"),
]


@pytest.mark.parametrize(("old", "new", "line_of", "reason"), BROKEN, ids=[b[3] for b in BROKEN])
def test_a_broken_file_is_refused_naming_the_line(tmp_path, old, new, line_of, reason):
    content = text(rows(1200))
    if old.startswith("<ssin>"):  # the 1,100th record's ssin only
        at = content.index("<sequence>1100<")
        content = content[:at] + content[at:].replace(old, new, 1)
    else:
        content = content.replace(old, new, 1)
    with pytest.raises(validation.InvalidFile) as refusal:
        check(tmp_path, content, 1200)
    message = str(refusal.value)
    assert f"line {_line_of(content, line_of)}:" in message and reason in message


def test_a_count_or_range_other_than_meant_is_refused(tmp_path):
    content = text(rows(3))
    with pytest.raises(validation.InvalidFile, match="3 records up to sequence 3, not 4 up to 4"):
        check(tmp_path, content, 4)
    with pytest.raises(validation.InvalidFile, match="first sequence 1, not 2"):
        check(tmp_path, content, 3, first=2)


@pytest.mark.parametrize(
    "content",
    [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><MutationFile xmlns="urn:be:raas:mutations:v1">&e;</MutationFile>',
        text(rows(2)).replace("Peters</new>", "Pet\x01ers</new>"),
        text(rows(2)) + "<extra/>",
        text(rows(2)).replace("</MutationFile>\n", ""),
    ],
    ids=["entity", "control character", "after the root", "truncated"],
)
def test_what_is_not_well_formed_or_carries_entities_is_refused(tmp_path, content):
    with pytest.raises(validation.InvalidFile, match=r"line \d+"):
        check(tmp_path, content, 2)
