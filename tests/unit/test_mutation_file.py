"""The data file's text writer writes exactly what lxml's xmlfile writes (batch/mutation_file.py)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from register.batch import mutation_file, xmlfile_writer
from register.batch.mutation_file import ADDRESS_FIELDS, PERSON_FIELDS, Header

CREATED = datetime(2026, 1, 15, 1, 30, 5, tzinfo=timezone(timedelta(hours=1)))
# Text XML 1.0 allows (no other control characters, no surrogates), with the characters that need escaping
xml_text = st.text(
    st.one_of(
        st.sampled_from("&<>\"'\r\n\t ]]>é€😀"),
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff"),
    ),
    min_size=1,
    max_size=20,
)
ssin = st.from_regex(r"[0-9]{11}", fullmatch=True)
day = st.dates(date(1900, 1, 1), date(2100, 12, 31))


@st.composite
def identity_rows(draw):
    changes = [
        {"name": name, **({"old": draw(xml_text)} if draw(st.booleans()) else {}), "new": draw(xml_text)}
        for name in draw(st.lists(st.sampled_from(["lastName", "firstName", "address.street"]), min_size=1))
    ]
    person = {name: draw(xml_text) for name in PERSON_FIELDS if draw(st.booleans())}
    if draw(st.booleans()):
        person["address"] = {name: draw(xml_text) for name in ADDRESS_FIELDS if draw(st.booleans())}
    return (draw(st.integers(1, 2**62)), draw(day), draw(ssin), None, None, json.dumps(changes), json.dumps(person))


replaced_rows = st.tuples(
    st.integers(1, 2**62), day, ssin, ssin, st.lists(xml_text, min_size=1, max_size=3), st.none(), st.none()
)


def both(header: Header, rows) -> tuple[bytes, bytes]:
    text = "".join(mutation_file.render(header, rows)).encode()
    reference = io.BytesIO()
    xmlfile_writer.write(reference, header, rows)
    return text, reference.getvalue()


def header(flow: str, rows) -> Header:
    first, last = (rows[0][0], rows[-1][0]) if rows else (None, None)
    return Header("0203040596", flow, date(2026, 1, 15), first, last, len(rows), CREATED)


@settings(max_examples=150, deadline=None)
@given(st.lists(identity_rows(), max_size=4))
def test_identity_changes_are_written_byte_for_byte_as_xmlfile_writes_them(rows):
    text, reference = both(header("IDENTITY_CHANGED", rows), rows)
    assert text == reference


@settings(max_examples=150, deadline=None)
@given(st.lists(replaced_rows, max_size=4))
def test_replacements_are_written_byte_for_byte_as_xmlfile_writes_them(rows):
    text, reference = both(header("SSIN_REPLACED", rows), rows)
    assert text == reference


def test_an_empty_file_has_a_header_without_sequences():
    text, reference = both(header("SSIN_REPLACED", []), [])
    assert text == reference
    assert b"Sequence>" not in text and b"<recordCount>0</recordCount>" in text


def test_a_carriage_return_is_written_as_a_reference_so_that_it_reads_back_unchanged():
    assert mutation_file.escape("a\r\nb & <c>") == "a&#13;\nb &amp; &lt;c&gt;"
