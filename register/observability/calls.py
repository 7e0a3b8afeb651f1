"""One observation per SOAP call: a metric sample and one JSON log line.

The router starts it and finishes it; the spyne layers in between fill in
what only they know (the operation, the caller's tenant, the fault code)
through the WSGI environ, so every service, present or added later, is
observed without code of its own.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from register.observability import metrics

ENVIRON_KEY = "raas.observation"
log = logging.getLogger("raas.call")


@dataclass
class Observation:
    service: str
    request_id: str
    operation: str = "unknown"  # only a name the service declares (callers choose the Body's element)
    outcome: str = "OK"  # or the fault code, e.g. Client.InvalidSsin
    tenant: str | None = None  # the caller's BCE number, once authenticated
    started: float = field(default_factory=time.perf_counter)

    def finish(self) -> None:
        """Never raises: the call has been answered whatever happens here."""
        seconds = time.perf_counter() - self.started
        try:
            metrics.observe_call(self.service, self.operation, self.outcome, seconds)
        except Exception:  # noqa: BLE001 - a lost sample is logged, the answer stands
            log.exception("could not record the metrics of a call")
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s.%s %s",
                self.service,
                self.operation,
                self.outcome,
                extra={
                    "request_id": self.request_id,
                    "tenant": self.tenant,
                    "service": self.service,
                    "operation": self.operation,
                    "outcome": self.outcome,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )


def observation_of(environ) -> Observation | None:
    return environ.get(ENVIRON_KEY) if environ else None
