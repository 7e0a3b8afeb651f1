"""The operator's use cases on network flows (CONTRACT.md sections 8 and 9): define and list flows, grant,
revoke and list authorizations, ingest a feed.

Refusals are the operator's errors (register.domain.errors.AlreadyExists,
NotFound, ValueError for a bad value) or a FeedError naming a feed's line; the
`raas` command turns each into its one-line reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from register.adapters import network_records
from register.adapters.flows import Flows, Revoked
from register.domain import flows as domain
from register.domain.errors import NotFound
from register.domain.flows import Authorization, Flow
from register.services.network_feed import Feed, FeedError, payload_schema

log = logging.getLogger("raas.flows")


class NetworkFlows:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._flows = Flows(engine)

    def define(self, code: str, label: str, schema: str | None = None) -> bool:
        """A network flow (True), or a new label and schema for one (False); ``schema``: an XSD's text."""
        if not domain.is_flow_code(code):
            raise ValueError(f"{code!r} is not a flow code ([A-Z][A-Z0-9_]{{1,31}})")
        if domain.is_register_flow(code):
            raise ValueError(f"{code} is a register flow: every tenant may take it, it cannot be defined")
        label = label.strip()
        if not 1 <= len(label) <= 256:
            raise ValueError("a flow's label has 1 to 256 characters")
        if schema is not None:
            payload_schema(schema)  # refused here rather than at the first feed
        return self._flows.define(code, label, schema)

    def flows(self) -> list[Flow]:
        return self._flows.all()

    def grant(self, grant: Authorization) -> None:
        if not 1 <= len(grant.reference.strip()) <= domain.MAX_AUTHORIZATION_REFERENCE:
            raise ValueError(f"a reference has 1 to {domain.MAX_AUTHORIZATION_REFERENCE} characters")
        if grant.valid_to is not None and grant.valid_to < grant.valid_from:
            raise ValueError(f"--until {grant.valid_to} is before --from {grant.valid_from}")
        if grant.dossier_types is not None and not grant.dossier_types:
            raise ValueError("--dossier-types names no dossier type")
        self._flows.grant(grant)

    def revoke(self, bce: str, flow: str, day: date) -> Revoked:
        return self._flows.revoke(bce, flow, day)

    def authorizations(self, bce: str | None = None, flow: str | None = None) -> list[Authorization]:
        return self._flows.authorizations(bce, flow)

    def ingest(
        self, path: str | Path, progress: Callable[..., None] | None = None
    ) -> tuple[str, network_records.Ingested]:
        """A feed checked and applied whole (its flow, the counts); FeedError (nothing applied) names the line."""
        with Feed(path) as feed:
            code = feed.flow()
            try:
                flow = self._flows.network_flow(code)
            except NotFound as error:
                raise FeedError(feed.flow_line, str(error)) from None
            schema = payload_schema(flow.payload_schema) if flow.payload_schema else None
            try:
                done = network_records.ingest(self._engine, code, feed.records(schema), progress)
            except network_records.Refused as refused:
                raise FeedError(refused.line, refused.reason) from None
        log.info(
            "%s: %s records of %s, %s new, %s mutations", Path(path).name, done.read, code, done.new, done.mutations
        )
        return code, done
