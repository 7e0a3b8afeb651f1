import pytest

from register.domain.names import normalise


@pytest.mark.parametrize(
    "variants",
    [
        ("Van den Broeck", "VANDENBROECK", "van-den broeck", "Van Den  Broeck", "van\u00a0den\u2011broeck"),
        ("D'Hondt", "Dhondt", "D’Hondt", "D‘Hondt", "D`Hondt", "Dʼhondt", "d hondt"),
        ("Müller", "muller", "MÜLLER", "Mu\u0308ller"),  # precomposed or combining diaeresis
        ("Éloïse", "eloise", "ELOISE"),
        ("Jean-Pierre", "Jean Pierre", "JEANPIERRE"),
        ("Strauß", "Strauss", "STRAUSS"),
    ],
)
def test_names_that_differ_only_in_case_accents_spaces_hyphens_or_apostrophes_are_equal(variants):
    assert {normalise(v) for v in variants} == {normalise(variants[0])}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Søren", "soren"),
        ("Ærøskøbing", "aeroskobing"),
        ("Œuvray", "oeuvray"),
        ("Łukasz", "lukasz"),
        ("Đorđević", "dordevic"),
        ("Þórður", "thordur"),
        ("Yıldız", "yildiz"),
        ("İlhan", "ilhan"),
        ("ﬁlip", "filip"),  # ligature
        ("Ｍｅｙｅｒ", "meyer"),  # full width
    ],
)
def test_letters_without_a_decomposition_fold_to_their_usual_transliteration(name, key):
    assert normalise(name) == key


@pytest.mark.parametrize(
    ("one", "other"),
    [("Dupont", "Dupond"), ("Peeters", "Peters"), ("St. Pierre", "St Pierre"), ("Jansen", "Janssen")],
)
def test_names_that_differ_otherwise_are_different(one, other):
    # Dots are not among the contract's ignored characters; spelling variants
    # are the phonetic search's business, not the identity check's.
    assert normalise(one) != normalise(other)


@pytest.mark.parametrize("name", ["Van den Broeck", "D’Hondt", "Strauß", "Ærø", "İlhan", ""])
def test_normalising_twice_changes_nothing(name):
    assert normalise(normalise(name)) == normalise(name)
