"""The identity check the database runs (raas_register) agrees with the pure domain rule
(register.domain.identity.mismatches) for random identities."""

from __future__ import annotations

import calendar
import unicodedata

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from register.domain import errors
from register.domain.identity import Identity, mismatches
from register.domain.person import PersonIdentity
from tests.integration.helpers import d

LETTERS = "abcdeiklnorsvyzABDEHKLNOSVéèëÉïÖöüçøßæ"
SEPARATORS = " -'’"

names = st.text(alphabet=LETTERS + SEPARATORS, min_size=1, max_size=10).filter(lambda s: s.strip())


@st.composite
def incomplete_dates(draw) -> str:
    year = draw(st.sampled_from([1984, 1985]))
    month = draw(st.integers(0, 12))
    day = 0 if month == 0 else draw(st.sampled_from([0, 1, 2, 28, calendar.monthrange(year, month)[1]]))
    return f"{year:04d}-{month:02d}-{day:02d}"


@st.composite
def variant_of(draw, name: str) -> str:
    """The same name as the contract compares: other case, accents dropped, separators moved."""
    if draw(st.booleans()):
        name = name.upper() if draw(st.booleans()) else name.lower()
    if draw(st.booleans()):
        name = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    if draw(st.booleans()):
        name = "".join(c for c in name if c not in SEPARATORS)
        position = draw(st.integers(0, len(name)))
        name = name[:position] + draw(st.sampled_from(SEPARATORS)) + name[position:]
    return name


@st.composite
def cases(draw):
    source = {
        "last_name": draw(names),
        "first_name": draw(names),
        "birth_date": draw(incomplete_dates()),
        "gender": draw(st.sampled_from([None, "M", "F"])),
    }
    sent = Identity(
        last_name=draw(st.one_of(st.none(), variant_of(source["last_name"]), names)),
        first_name=draw(st.one_of(st.none(), variant_of(source["first_name"]), names)),
        birth_date=draw(st.one_of(st.none(), st.just(source["birth_date"]), incomplete_dates())),
        gender=draw(st.sampled_from([None, "M", "F"])),
    )
    return source, sent


def domain_rule(source: dict, sent: Identity) -> list[tuple[str, str]]:
    return mismatches(sent, PersonIdentity(**source))


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=cases())
def test_the_databases_identity_check_agrees_with_the_domain_rule(service, tenant, world, case):
    source, sent = case
    ssin = world.person(**source)
    expected = domain_rule(source, sent)
    try:
        service.register_person(tenant.call(), ssin, "A", d("2020-01-01"), None, sent)
    except errors.IdentityMismatch as refusal:
        event(f"refused: {len(expected)} field(s)")
        assert sorted(refusal.information) == sorted(expected)
        assert expected, "the database refused an identity the domain rule accepts"
    else:
        event("accepted")
        assert expected == [], "the database accepted an identity the domain rule refuses"
