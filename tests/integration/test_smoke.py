from datetime import date

from register.adapters.registrations import Registrations
from register.domain.calls import Call
from register.domain.periods import Period


def test_a_registered_period_can_be_listed_back(world):
    bce = world.tenant("A")
    tenant_id = world.tenants.id_of(bce)
    ssin = world.person()
    repo = Registrations(world.engine)
    call = Call(tenant_id, "u", "r")
    merged = repo.merge(call, ssin, "A", Period(date(2020, 1, 1), date(2020, 1, 31)))
    assert merged.changed and merged.merged_count == 0
    lines = repo.find(call, ssin=None, dossier_type=None, period=None, after=None, limit=10)
    assert [line.period for line in lines] == [Period(date(2020, 1, 1), date(2020, 1, 31))]
