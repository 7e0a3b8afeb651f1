"""The WSGI application gunicorn serves (``register.soap.wsgi:create_app()``)."""

from __future__ import annotations

import logging

from register.adapters import database, schema
from register.adapters.audit import AuditTrail
from register.adapters.registrations import Registrations
from register.adapters.tenants import Tenants
from register.config import Settings
from register.services.auth import Authenticator
from register.services.paging import PageTokens
from register.services.register import RegisterService
from register.services.search import PersonSearch
from register.soap.application import Router, Services


def create_app(settings: Settings | None = None, url: str | None = None) -> Router:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    engine = database.create(settings, url)
    registrations = Registrations(engine)
    services = Services(
        authenticator=Authenticator(Tenants(engine), settings.auth_cache_seconds),
        register=RegisterService(registrations, PageTokens(registrations.instance_secret)),
        audit=AuditTrail(engine),
        search=PersonSearch(engine),
    )

    logging.getLogger("alembic").setLevel(logging.WARNING)  # readiness asks for the revision often

    def ready() -> bool:
        try:
            return schema.is_current(engine)
        except Exception:  # noqa: BLE001 - not ready is the answer, whatever the cause
            return False

    return Router(services, settings.public_url or "http://127.0.0.1:8000", settings.max_request_bytes, ready)
