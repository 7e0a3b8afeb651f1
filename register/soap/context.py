"""What a spyne method context carries for us: the services, the caller, the request id."""

from __future__ import annotations

from register.domain.calls import Call


def services_of(ctx):
    return ctx.app.raas


def request_id_of(ctx) -> str | None:
    transport = getattr(ctx, "transport", None)
    env = getattr(transport, "req_env", None) or {}
    return env.get("raas.request_id")


def call_of(ctx) -> Call:
    """The authenticated caller (set by the protocol before the schema check) and this request."""
    caller = ctx.udc
    return Call(caller.tenant_id, caller.username, request_id_of(ctx))
