import pytest

from register.domain import errors
from register.domain.identity import Identity, mismatches
from register.domain.person import PersonIdentity

SOURCE = PersonIdentity(last_name="Van den Broeck", first_name="Éloïse", birth_date="1985-03-12", gender="F")


def test_nothing_given_matches_any_source():
    assert mismatches(Identity(), SOURCE) == []


def test_an_identity_equal_up_to_normalisation_and_unknown_date_parts_matches():
    given = Identity("VANDENBROECK", "eloise", "1985-03-00", "F")
    assert mismatches(given, SOURCE) == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (Identity(last_name="Vandenbroek"), [("lastName", "Vandenbroek")]),
        (Identity(first_name="Eloisa "), [("firstName", "Eloisa ")]),
        (Identity(birth_date="1985-04-00"), [("birthDate", "1985-04-00")]),
        (Identity(birth_date="1986-00-00"), [("birthDate", "1986-00-00")]),
        (Identity(gender="M"), [("gender", "M")]),
    ],
)
def test_a_differing_field_is_reported_with_the_value_as_sent(given, expected):
    assert mismatches(given, SOURCE) == expected


def test_every_differing_field_is_reported_in_contract_order():
    given = Identity("Peeters", "Jan", "1990-01-01", "M")
    assert mismatches(given, SOURCE) == [
        ("lastName", "Peeters"),
        ("firstName", "Jan"),
        ("birthDate", "1990-01-01"),
        ("gender", "M"),
    ]


def test_an_unknown_part_of_the_source_birth_date_matches_the_given_one():
    source = PersonIdentity("Van den Broeck", "Éloïse", "1985-00-00", "F")
    assert mismatches(Identity(birth_date="1985-07-30"), source) == []


def test_a_gender_unknown_to_the_source_matches_either():
    source = PersonIdentity("Peeters", "Jan", "1985-07-30", gender=None)
    assert mismatches(Identity(gender="M"), source) == []
    assert mismatches(Identity(gender="F"), source) == []


def test_the_mismatches_become_the_faults_information():
    found = mismatches(Identity(last_name="Peeters", gender="M"), SOURCE)
    fault = errors.IdentityMismatch(found)
    assert fault.faultcode == "Client.IdentityMismatch"
    assert fault.information == [("lastName", "Peeters"), ("gender", "M")]
