"""The search quota (CONTRACT.md section 4, 1.1): RAAS_SEARCH_RATE searches per minute per tenant.

A token bucket per tenant, in PostgreSQL so that every worker of every pod
shares it (register.adapters.search_quota): it holds at most ``rate``
searches and refills ``rate`` a minute, so a tenant may burst up to a
minute's worth and then searches at the rate. Past it, the call is answered
at once with Client.RateLimited (``retryAfterSeconds``), which takes nothing
from the bucket, is audited like every fault, and is counted in /metrics
(``raas_soap_calls_total{outcome="Client.RateLimited"}``). A search that
leaves its tenant with less than NEAR of its quota is counted apart
(``raas_search_quota_near_total``): the early warning of docs/OPERATIONS.md.
"""

from __future__ import annotations

import math

from sqlalchemy import Engine

from register.adapters.search_quota import SearchBuckets
from register.domain.calls import Call
from register.domain.errors import RateLimited
from register.observability import metrics

NEAR = 0.2  # a fifth of the quota left


class SearchQuota:
    def __init__(self, engine: Engine, rate: int) -> None:
        self._buckets = SearchBuckets(engine)
        self.rate = rate

    def take(self, call: Call) -> None:
        """One search for the caller's tenant, or RateLimited."""
        taken = self._buckets.take(call.tenant_id, self.rate)
        if taken.retry_after > 0:
            raise RateLimited(max(1, math.ceil(taken.retry_after)))
        if taken.remaining < NEAR * self.rate:
            metrics.search_quota_near.inc()
