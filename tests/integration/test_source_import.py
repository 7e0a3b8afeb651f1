"""`raas source import FILE.csv` (CONTRACT.md section 7): all rows or none, idempotent."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from register.domain.phonetic import person_keys
from register.services.source_import import BadRow, Imported, import_file, import_persons, read_csv
from tests.conftest import new_ssin
from tests.integration.helpers import snapshot

HEADER = "ssin,lastName,firstName,birthDate,gender,nationality,deathDate"


def persons(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ssin, kind, status, last_name, first_name, birth_date, gender, nationality, death_date,"
                " last_name_key, first_name_key FROM person ORDER BY ssin"
            )
        ).all()
    return {row.ssin: tuple(row)[1:] for row in rows}


def write(tmp_path, *lines: str, name: str = "persons.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    return str(path)


@pytest.fixture
def ssins():
    return [new_ssin(date(1985, 7, 30)), new_ssin(date(1990, 1, 15)), new_ssin(date(2001, 5, 3)), new_ssin(bis="known")]


@pytest.fixture
def good_file(tmp_path, ssins):
    a, b, c, bis = ssins
    return write(
        tmp_path,
        HEADER,
        f"{a},Peeters,Jan,1985-07-30,M,BE,",
        f'{b},"Van den Broeck, jr.",Éloïse,1990-01-15,F,BE,2020-03-04',
        f'{c},"O""Brien",Søren,2001-05-00,,,',
        f"{bis},Müller,Zoë,1985-00-00,F,DE,",
    )


def test_a_good_file_is_imported_and_counted(engine, good_file, ssins):
    assert import_file(engine, good_file) == Imported(read=4, inserted=4, updated=0)
    stored = persons(engine)
    a, b, c, bis = ssins
    assert stored[a] == ("NR", "ACTIVE", "Peeters", "Jan", "1985-07-30", "M", "BE", None, "peeters", "jan")
    assert stored[b] == (
        "NR", "ACTIVE", "Van den Broeck, jr.", "Éloïse", "1990-01-15", "F", "BE", date(2020, 3, 4),
        "vandenbroeck,jr.", "eloise",
    )  # fmt: skip
    assert stored[c] == ("NR", "ACTIVE", 'O"Brien', "Søren", "2001-05-00", None, None, None, 'o"brien', "soren")
    assert stored[bis][:7] == ("BIS", "ACTIVE", "Müller", "Zoë", "1985-00-00", "F", "DE")


def test_importing_the_same_file_again_changes_nothing(engine, good_file):
    import_file(engine, good_file)
    before = snapshot(engine)
    assert import_file(engine, good_file) == Imported(read=4, inserted=0, updated=0)
    assert import_file(engine, good_file).unchanged == 4
    assert snapshot(engine) == before


def test_a_changed_row_counts_as_updated_and_a_new_one_as_inserted(engine, tmp_path, good_file, ssins):
    import_file(engine, good_file)
    a, b, c, bis = ssins
    newcomer = new_ssin(date(1970, 2, 1))
    changed = write(
        tmp_path,
        HEADER,
        f"{a},Peeters,Johan,1985-07-30,M,BE,",  # first name changed
        f'{b},"Van den Broeck, jr.",Éloïse,1990-01-15,F,BE,2020-03-04',
        f'{c},"O""Brien",Søren,2001-05-00,M,,',  # gender now known
        f"{bis},Müller,Zoë,1985-00-00,F,DE,",
        f"{newcomer},Janssens,An,1970-02-01,F,BE,",
        name="changed.csv",
    )
    assert import_file(engine, changed) == Imported(read=5, inserted=1, updated=2)
    stored = persons(engine)
    assert stored[a][3] == "Johan" and stored[a][9] == "johan"
    assert stored[c][5] == "M"
    assert stored[newcomer][2:4] == ("Janssens", "An")


def test_a_file_without_the_optional_columns_is_imported(engine, tmp_path):
    ssin = new_ssin()
    path = write(tmp_path, "ssin,lastName,firstName,birthDate,gender", f"{ssin},Peeters,Jan,1985-07-30,M")
    assert import_file(engine, path) == Imported(1, 1, 0)
    assert persons(engine)[ssin][6:8] == (None, None)


def test_a_header_with_a_byte_order_mark_and_crlf_line_ends_is_accepted(engine, tmp_path):
    ssin = new_ssin()
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + f"{ssin},Dupont,Zoé,1985-07-30,F,FR,\r\n").encode("utf-8"))
    assert import_file(engine, str(path)) == Imported(1, 1, 0)
    assert persons(engine)[ssin][3] == "Zoé"


def test_a_quoted_field_may_hold_a_line_break(engine, tmp_path):
    ssin = new_ssin()
    path = write(tmp_path, HEADER, f'{ssin},"Peeters\nSmet",Jan,1985-07-30,M,,')
    assert import_file(engine, path) == Imported(1, 1, 0)
    assert persons(engine)[ssin][2] == "Peeters\nSmet"


def test_the_last_row_of_an_ssin_listed_twice_wins(engine, tmp_path):
    ssin = new_ssin()
    path = write(tmp_path, HEADER, f"{ssin},Peeters,Jan,1985-07-30,M,,", f"{ssin},Peeters,Johan,1985-07-30,M,,")
    assert import_file(engine, path) == Imported(read=2, inserted=1, updated=0)
    assert persons(engine)[ssin][3] == "Johan"


def test_an_import_leaves_the_status_of_known_persons_alone(engine, world, tmp_path):
    replaced, successor = world.person(), world.person()
    world.set_status(replaced, "REPLACED", successor)
    path = write(tmp_path, HEADER, f"{replaced},Peeters,Jan,1985-07-30,M,,")
    import_file(engine, path)
    assert persons(engine)[replaced][1] == "REPLACED"


def test_read_csv_yields_checked_person_rows(ssins):
    a = ssins[0]
    rows = list(read_csv([HEADER + "\n", f"{a},Peeters,Jan,1985-07-30,M,BE,\n"]))
    assert rows == [
        (
            a,
            "NR",
            "Peeters",
            "Jan",
            "1985-07-30",
            "M",
            "BE",
            None,
            "peeters",
            "jan",
            *person_keys("Peeters", "Jan", "1985-07-30"),
        )
    ]


def test_import_persons_takes_rows_from_any_iterable(engine, ssins):
    rows = read_csv([HEADER + "\n", f"{ssins[0]},Peeters,Jan,1985-07-30,M,BE,\n"])
    assert import_persons(engine, rows) == Imported(1, 1, 0)


@pytest.mark.parametrize(
    ("bad_line", "line_number"),
    [
        ("85073003329,Peeters,Jan,1985-07-30,M,,", 4),  # wrong check digits
        ("{ssin},Peeters,Jan,1985-13-01,M,,", 4),  # no month 13
        ("{ssin},Peeters,Jan,2021-02-30,M,,", 4),  # no 30 February
        ("{ssin},Peeters,Jan,30/07/1985,M,,", 4),  # not yyyy-mm-dd
        ("{ssin},Peeters,Jan,1985-07-30,X,,", 4),  # no gender X
        ("{ssin},Peeters,Jan,1985-07-30,m,,", 4),  # gender is M or F, upper case
        ("{ssin},Peeters,Jan,1985-07-30,M,BE,2020-02-30", 4),  # death date cannot exist
        ("{ssin},Peeters,Jan,1985-07-30,M,BE", 4),  # a field missing
        ("{ssin},Peeters,Jan,1985-07-30,M,BE,,extra", 4),  # a field too many
        ("{ssin},,Jan,1985-07-30,M,,", 4),  # no last name
        ("{ssin},Peeters, ,1985-07-30,M,,", 4),  # blank first name
        ("{ssin},Pee\x01ters,Jan,1985-07-30,M,,", 4),  # a control character: no XML could carry it
        ("{ssin},Peeters,Jan,1985-07-30,M,B\x1bE,", 4),
    ],
)
def test_a_bad_row_names_its_line_and_nothing_is_loaded(engine, tmp_path, ssins, bad_line, line_number):
    good = [f"{ssins[0]},Peeters,Jan,1985-07-30,M,,", f"{ssins[1]},Janssens,An,1990-01-15,F,,"]
    later = f"{ssins[2]},Maes,Tom,2001-05-03,M,,"
    path = write(tmp_path, HEADER, *good, bad_line.format(ssin=new_ssin()), later)
    before = snapshot(engine)
    with pytest.raises(BadRow) as refusal:
        import_file(engine, path)
    assert refusal.value.line == line_number
    assert str(refusal.value).startswith(f"line {line_number}: ")
    assert snapshot(engine) == before == {"registration": [], "audit": [], "person": []}


def test_an_unclosed_quote_on_the_last_row_is_refused_and_nothing_is_loaded(engine, tmp_path, ssins):
    path = write(tmp_path, HEADER, f"{ssins[0]},Peeters,Jan,1985-07-30,M,,", f'{ssins[1]},"Peeters,Jan,1985-07-30,M,,')
    with pytest.raises(BadRow) as refusal:
        import_file(engine, path)
    assert refusal.value.line == 3
    assert persons(engine) == {}


def test_a_bad_row_leaves_earlier_imports_untouched(engine, tmp_path, good_file, ssins):
    import_file(engine, good_file)
    before = persons(engine)
    path = write(tmp_path, HEADER, f"{ssins[0]},Other,Name,1985-07-30,M,,", "oops,,,,,,", name="bad.csv")
    with pytest.raises(BadRow) as refusal:
        import_file(engine, path)
    assert refusal.value.line == 3
    assert persons(engine) == before


@pytest.mark.parametrize(
    "header",
    [
        "ssin,lastName,firstName,birthDate",  # gender missing
        "ssin,firstName,lastName,birthDate,gender",  # wrong order
        "SSIN,lastName,firstName,birthDate,gender",  # wrong case
        "ssin;lastName;firstName;birthDate;gender",  # wrong separator
        "ssin,lastName,firstName,birthDate,gender,address",  # unknown column
    ],
)
def test_a_bad_header_is_refused_as_line_1(engine, tmp_path, header, ssins):
    path = write(tmp_path, header, f"{ssins[0]},Peeters,Jan,1985-07-30,M")
    with pytest.raises(BadRow) as refusal:
        import_file(engine, path)
    assert refusal.value.line == 1
    assert persons(engine) == {}


def test_an_empty_file_is_refused_as_line_1(engine, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(BadRow) as refusal:
        import_file(engine, str(path))
    assert refusal.value.line == 1


def test_a_file_that_is_not_utf8_is_refused_and_loads_nothing(engine, tmp_path, ssins):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n" + f"{ssins[0]},Dupont,Zoé,1985-07-30,F,,\n").encode("latin-1"))
    with pytest.raises((BadRow, UnicodeDecodeError)):
        import_file(engine, str(path))
    assert persons(engine) == {}
