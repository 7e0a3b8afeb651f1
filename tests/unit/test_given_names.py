"""The table of given names (register.domain.given_names) and how the ranking uses it: variants
of a first name rank the person first, and a score of 0.9 or more means the same person."""

from __future__ import annotations

import re

import pytest

from register.domain import given_names
from register.domain.given_names import EQUIVALENT, SHORT, parse, relation
from register.domain.names import normalise
from register.domain.ranking import Name, Query, given_name_similarity, score

TABLE = given_names.table()


@pytest.mark.parametrize(
    "names",
    [
        ["Willem", "Guillaume", "William", "Wilhelm"],  # the examples
        ["Jozef", "Joseph", "Josef", "Józef"],
        ["Jan", "Jean", "Johannes", "John", "Johann"],
        ["Pieter", "Pierre", "Peter", "Petrus"],
        ["Mohamed", "Mohammed", "Muhammad", "Mohammad", "Mohamad"],
        ["Dirk", "Thierry"],  # Belgian Dutch/French pairs
        ["Guido", "Guy"],
        ["Boudewijn", "Baudouin"],
        ["Veerle", "Pharaïlde"],
        ["Youssef", "Yusuf", "Youcef"],  # Arabic names in French, English and Dutch letters
        ["Khadija", "Khadidja"],
        ["Maria", "Marie", "Mary"],
        ["Catharina", "Catherine", "Kathleen"],
    ],
)
def test_the_forms_of_one_name_are_equivalent(names):
    for a in names:
        for b in names:
            if normalise(a) != normalise(b):
                assert relation(a, b) == EQUIVALENT, (a, b)


@pytest.mark.parametrize(
    "full, short",
    [("Willem", "Wim"), ("Guillaume", "Wim"), ("Jozef", "Jef"), ("Joseph", "Jos"), ("Johannes", "Hans"),
     ("Pieter", "Piet"), ("William", "Bill"), ("Elisabeth", "Els"), ("Maria", "Mieke"), ("Ibrahim", "Brahim")],
)  # fmt: skip
def test_a_short_form_is_related_to_every_form_of_its_name(full, short):
    assert relation(full, short) == relation(short, full) == SHORT


@pytest.mark.parametrize(
    "a, b",
    [
        ("Youssef", "Jozef"),  # cognates across traditions, not one name in a register
        ("Yahya", "Jan"),
        ("Ibrahim", "Abraham"),
        ("Maryam", "Maria"),
        ("Mehmet", "Mohamed"),
        ("Isabelle", "Elisabeth"),
        ("Veerle", "Véronique"),  # Pharaïldis, not Veronica
        ("Jan", "Jana"),  # a man's name and a woman's
        ("Louis", "Louise"),
        ("Jean", "Jeanne"),
        ("Manon", "Marie"),  # diminutives that are names of their own
        ("Lisa", "Elisabeth"),
        ("Liam", "William"),
        ("Albert", "Robert"),  # two names sharing a short form (Bert) are not one name
        ("Johannes", "Jozef"),  # nor through Jo
    ],
)
def test_false_friends_are_not_related(a, b):
    assert relation(a, b) is None
    assert relation(b, a) is None


def test_every_false_friend_of_the_file_is_unrelated():
    assert len(TABLE.false_friends) >= 30
    assert all(relation(a, b) is None for a, b in TABLE.false_friends)


def test_names_are_compared_as_the_contract_normalises_them():
    assert relation("JOSÉ", "jozef") == EQUIVALENT
    assert relation("jean baptiste", "Baptist") is None  # whole names; the ranking compares words
    assert relation("Abdel-Kader", "Abdelkader") is None  # one name, not a variant
    assert relation("Abdel Kader", "Abdulqadir") == EQUIVALENT


def test_a_name_the_table_lacks_is_found_by_its_phonetic_key_when_unambiguous():
    assert relation("Mouhammad", "Mohamed") == EQUIVALENT  # the key of Muhammad
    assert relation("Wiliam", "Willem") == EQUIVALENT
    # Dries (Andreas) and Driss (Idriss) share a key: an unknown name with it relates to neither
    assert relation("Dris", "Andreas") is None and relation("Dris", "Idriss") is None


def test_every_name_is_in_one_group_unless_marked_shared():
    groups: dict[str, list[int]] = {}
    for i, group in enumerate(TABLE.groups):
        for name in group.forms | group.short:
            groups.setdefault(name, []).append(i)
    shared = {name for name, found in groups.items() if len(found) > 1}
    assert shared == {
        "jo", "rik", "chris", "kris", "guus", "gust", "guust", "stijn", "miel", "chiel", "bert", "max", "alex",
        "sam", "toni", "lou", "jacky", "nicky", "fred", "freddy", "ted", "pat", "tine", "tina", "lena", "leen",
        "nelly", "nel", "nele", "ria", "lien",
    }  # fmt: skip
    assert all(TABLE.groups_of(name) == frozenset(found) for name, found in groups.items())


def test_the_table_is_of_normalised_letters_and_its_size_is_known():
    names = {name for group in TABLE.groups for name in group.forms | group.short}
    assert all(name == normalise(name) and name.isascii() and name.isalpha() for name in names)
    assert len(TABLE.groups) >= 300 and len(names) >= 1400


@pytest.mark.parametrize(
    "text, message",
    [
        ("M Jan Jean\nM Jean Giovanni\n", "'jean' is in the groups of lines 1, 2"),
        ("M Jan Jean | Jo*\n", "'jo' is marked * but in one group only"),
        ("X Jan Jean\n", "a group starts with M or F"),
        ("M Jan\n", "a group of one name relates nothing"),
        ("M Jan Jean\n! Jan Jean\n", "the false friends 'jan' and 'jean' are related"),
        ("M Jan Je4n\n", "'Je4n' is not a name of letters"),
    ],
)
def test_a_mistake_in_the_file_is_refused_with_its_line(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse(text)


def test_a_name_tells_its_gender_unless_either_gender_bears_it():
    assert [given_names.gender(n) for n in ("Guillaume", "Jef", "Khadija", "Louise")] == ["M", "M", "F", "F"]
    assert [given_names.gender(n) for n in ("Camille", "Jo", "Chris", "Dominique")] == [None] * 4


# --- the ranking ------------------------------------------------------------------------------------


def first(name: str, stored: str, gender: str | None = None) -> float:
    return given_name_similarity(Name.of(name), Name.of(stored), gender)


@pytest.mark.parametrize(
    "query, stored", [("Guillaume", "Willem"), ("Wim", "Willem"), ("Jef", "Jozef"), ("Jean", "Johannes"),
                      ("Muhammad", "Mohamed"), ("Jean-Baptiste", "Jan Baptist"), ("Hans", "Johan Frans")],
)  # fmt: skip
def test_a_variant_of_the_given_name_ranks_the_person_first_when_the_rest_matches(query, stored):
    q = Query.of("Peeters", query, "1985-00-00")
    meant = score(q, "Peeters", stored, "1985-07-30", None)
    others = ["Walter", "Wilma", "Josiane", "Jana", "Mehdi", "Jasper", "Hannelore", "Hanne", "Guy", "Jeanne"]
    assert all(meant > score(q, "Peeters", other, "1985-03-02", None) for other in others)
    assert score(Query.of("Peeters", query, "1985-07-30"), "Peeters", stored, "1985-07-30", "M") >= 0.95


@pytest.mark.parametrize(
    "query, stored, gender",
    [
        ("Valentin", "Valérie", "F"),  # twins: the same last name and birth date, other given names
        ("Jennifer", "Jeannine", "F"),
        ("Martine", "Marc", "M"),
        ("Muriel", "Marie", "F"),
        ("Johan", "Joachim", "M"),
        ("Louise", "Louis", "M"),  # one letter apart, but a woman's name and a man
        ("Jan", "Jana", "F"),
        ("Thierry", "Ingrid", "F"),
    ],
)
def test_another_given_name_keeps_the_score_below_0_9_whatever_the_rest(query, stored, gender):
    assert score(Query.of("Peeters", query, "1985-07-30"), "Peeters", stored, "1985-07-30", gender) < 0.9
    assert score(Query.of("Peeters", query, "1985-07-30"), "Peeters", query, "1985-07-30", gender) == 1.0


def test_a_typo_in_the_given_name_keeps_a_high_score():
    assert score(Query.of("Peeters", "Wilem", "1985-07-30"), "Peeters", "Willem", "1985-07-30", "M") >= 0.95
    assert 0.88 <= first("Willen", "Willem") <= 0.92
    assert first("Louise", "Louis") >= 0.88  # a stored person of unknown gender: a typo as likely


def test_the_strength_of_each_agreement_is_ordered():
    assert first("Willem", "WILLEM") > first("Sofie", "Sophie") > first("Guillaume", "Willem") > first("Wim", "Willem")
    assert first("Guillaume", "Willem") > first("Willen", "Willem") >= 0.88 > 0.6 >= first("Walter", "Willem")
