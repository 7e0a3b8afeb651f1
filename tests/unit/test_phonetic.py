"""Search keys (register.domain.phonetic), ranking and birth-date windows, one test per kind of variant the contract names."""

from __future__ import annotations

import pytest

from register.domain.birth_window import BirthWindow
from register.domain.dates import IncompleteDate
from register.domain.phonetic import (
    deletions,
    name_keys,
    person_keys,
    phonetic,
    query_keys,
    search_keys,
    without_particles,
)
from register.domain.ranking import Name, Query, given_names_similarity, name_similarity, score


def found(query_last: str, stored_last: str, query_first: str | None = None) -> bool:
    """Whether a query's lookup keys meet a stored person's (the index lookup, without the decade)."""
    return bool(set(query_keys(query_last, query_first)) & set(name_keys(stored_last)))


@pytest.mark.parametrize(
    "a, b",
    [
        ("Van den Broeck", "Vandenbroeck"),
        ("Van den Broeck", "VAN DEN BROECK"),
        ("Van den Broeck", "van-den broeck"),
        ("Vanden Broeck", "Van Den Broeck"),
        ("D'Hondt", "Dhondt"),
        ("D’Hondt", "D Hondt"),
        ("Le Clercq", "Leclercq"),
        ("De Smet", "Desmet"),
        ("Vander Elst", "Van der Elst"),
        ("Dupont-Durand", "Dupont Durand"),
        ("Lefèvre", "LEFEVRE"),
        ("Müller", "Muller"),
        ("Gérard", "Gerard"),
    ],
)
def test_case_accents_particles_spacing_and_hyphens_give_one_key(a, b):
    assert phonetic(a) == phonetic(b)
    assert found(a, b) and found(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Claes", "Claas"),  # ae/aa
        ("Verhaeghe", "Verhaege"),  # gh/g
        ("Declerck", "Declerk"),  # ck/k
        ("Meyer", "Meier"),  # ey/ei
        ("Meijer", "Meyer"),  # ij/y
        ("Thijs", "Thys"),
        ("Claes", "Klaes"),  # c/k
        ("Philips", "Filips"),  # ph/f
        ("Thomas", "Tomas"),  # th/t
        ("Peeters", "Peters"),  # double letters
        ("Goossens", "Gossens"),
        ("Mommens", "Momens"),
        ("Dhondt", "Dhont"),  # dt/t
        ("Leclercq", "Leclerc"),  # cq/c
        ("Segers", "Zegers"),  # z/s
        ("Renaud", "Renaut"),  # final d/t
        ("Goethals", "Gouthals"),  # oe/ou
    ],
)
def test_dutch_and_french_spellings_of_one_sound_give_one_key(a, b):
    assert phonetic(a) == phonetic(b), (phonetic(a), phonetic(b))
    assert name_similarity(Name.of(a), Name.of(b)) >= 0.95


@pytest.mark.parametrize(
    "typo, name",
    [
        ("Petrs", "Peeters"),  # deleted
        ("Peetters", "Peeters"),  # inserted
        ("Peeterz", "Peeters"),  # replaced
        ("Xoossens", "Goossens"),  # replaced, first letter
        ("Jnassens", "Janssens"),  # swapped
        ("Lesy", "Leys"),  # swapped across a phonetic rule: the spelling keys meet
        ("De Bocek", "De Boeck"),
        ("Wuoters", "Wouters"),
    ],
)
def test_a_one_letter_typo_shares_a_key_and_ranks_high(typo, name):
    assert found(typo, name)
    assert name_similarity(Name.of(typo), Name.of(name)) >= 0.85


def test_names_two_letters_apart_or_different_do_not_share_a_key():
    assert not found("Dubois", "Peeters")
    assert not found("Wouters", "Walters")


def test_deletions_are_every_one_letter_deletion_of_keys_long_enough():
    assert deletions("peters") == {"eters", "pters", "peers", "petrs", "petes", "peter"}
    assert deletions("mas") == set()


def test_particles_can_be_left_out():
    assert without_particles("Van den Broeck") == "Broeck"
    assert without_particles("Vanden") == "Vanden"
    assert found("Broeck", "Van den Broeck")


def test_stored_keys_carry_the_birth_decade():
    assert search_keys("Maes", "1985-07-30") == [f"{k}@198" for k in name_keys("Maes")]
    assert search_keys("Maes", "2001-00-00")[0].endswith("@200")
    last_key, first_key, keys = person_keys("Maes", "Jan", "1985-07-30")
    assert (last_key, first_key, keys) == ("mas", "jan", search_keys("Maes", "1985-07-30"))


def test_swapped_first_and_last_names_are_looked_up_and_rank_high():
    assert found("Jan", "Peeters", query_first="Peeters")
    swapped = score(Query.of("Jan", "Peeters", "1985-07-30"), "Peeters", "Jan", "1985-07-30", "M")
    straight = score(Query.of("Peeters", "Jan", "1985-07-30"), "Peeters", "Jan", "1985-07-30", "M")
    assert straight == 1.0 and 0.9 <= swapped < straight


@pytest.mark.parametrize(
    "query, stored, at_least",
    [
        ("Jean-Pierre", "Jean Pierre", 1.0),
        ("Jean Pierre", "Jean-Pierre Marie", 0.95),
        ("Jean", "Jean-Pierre", 0.9),
        ("Anne Sophie", "Anne-Sophie", 1.0),
        ("Sophie", "Anne-Sophie", 0.85),
        ("Marie Louise", "Marie-Louise Jeanne", 0.95),
    ],
)
def test_hyphenated_and_multiple_given_names(query, stored, at_least):
    assert given_names_similarity(Name.of(query), Name.of(stored)) >= at_least


def test_other_given_names_rank_low():
    assert given_names_similarity(Name.of("Luc"), Name.of("Marc")) < 0.8
    assert given_names_similarity(Name.of("Jean"), Name.of("Marie-Louise")) < 0.7


def test_the_ranking_prefers_the_exact_person_to_its_neighbours():
    q = Query.of("Peeters", "Jan", "1985-07-30", "M")
    exact = score(q, "Peeters", "Jan", "1985-07-30", "M")
    assert exact > score(q, "Pieters", "Jan", "1985-07-30", "M")
    assert exact > score(q, "Peeters", "Jana", "1985-07-30", "F")
    assert exact > score(q, "Peeters", "Jan", "1985-07-00", "M")
    assert exact > score(q, "Peeters", "Jan", "1985-07-30", None)  # an unknown gender, a little lower


def test_scores_stay_within_0_and_1():
    q = Query.of("Vandenbroeck", "Jean Pierre", "1985-07-30", "F")
    for stored in ("Van den Broeck", "Broeck", "Vanden Bossche", "X"):
        assert 0 <= score(q, stored, "Jean-Pierre", "1985-00-00", None) <= 1


@pytest.mark.parametrize(
    "searched, tolerance, first, last",
    [
        ("1985-07-30", 0, "1985-07-30", "1985-07-30"),
        ("1985-07-30", 3, "1985-07-27", "1985-08-02"),  # days
        ("1985-07-00", 0, "1985-07-01", "1985-07-31"),
        ("1985-07-00", 2, "1985-05-01", "1985-09-30"),  # months
        ("1985-12-00", 1, "1985-11-01", "1986-01-31"),
        ("1985-00-00", 0, "1985-01-01", "1985-12-31"),
        ("1985-00-00", 2, "1983-01-01", "1987-12-31"),  # years
        ("0001-01-01", 5, "0001-01-01", "0001-01-06"),  # bounded by the calendar
        ("9999-00-00", 2_000_000_000, "0001-01-01", "9999-12-31"),
    ],
)
def test_the_tolerance_counts_in_the_unit_of_the_dates_precision(searched, tolerance, first, last):
    window = BirthWindow.around(IncompleteDate.parse(searched), tolerance)
    assert (str(window.first), str(window.last)) == (first, last)


def test_a_stored_incomplete_date_is_admitted_when_it_may_fall_in_the_window():
    window = BirthWindow.around(IncompleteDate.parse("1985-07-30"), 0)
    admits = [window.admits(IncompleteDate.parse(d)) for d in ("1985-07-00", "1985-00-00", "1985-08-00", "1986-00-00")]
    assert admits == [True, True, False, False]
    assert BirthWindow.around(IncompleteDate.parse("1900-00-00"), 200).partial_dates() is None
