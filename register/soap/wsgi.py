"""The WSGI application gunicorn serves (``register.soap.wsgi:create_app()``)."""

from __future__ import annotations

from register.adapters import database
from register.adapters.audit import AuditTrail
from register.adapters.outbox import Outbox
from register.adapters.registrations import Registrations
from register.adapters.subscriptions import Subscriptions
from register.adapters.tenants import Tenants
from register.config import Settings
from register.observability import logs
from register.observability.readiness import Readiness
from register.services.auth import Authenticator
from register.services.paging import PageTokens
from register.services.persons import PersonService, phonetic_matches
from register.services.register import RegisterService
from register.services.search import PersonSearch
from register.services.subscriptions import SubscriptionService
from register.soap.application import Router, Services


def create_app(settings: Settings | None = None, url: str | None = None) -> Router:
    settings = settings or Settings.from_env()
    logs.configure(settings.log_level)
    engine = database.create(settings, url, app_role=True)  # the SOAP path never uses the owner role
    registrations = Registrations(engine)
    search = PersonSearch(engine)
    audit = AuditTrail(engine)
    services = Services(
        authenticator=Authenticator(
            Tenants(engine),
            settings.auth_cache_seconds,
            limits=(settings.auth_username_limit, settings.auth_address_limit),
        ),
        register=RegisterService(registrations, PageTokens(registrations.instance_secret)),
        persons=PersonService(engine, strong_matches=phonetic_matches(search)),
        audit=audit,
        search=search,
        subscriptions=SubscriptionService(Subscriptions(engine), Outbox(settings.outbox), audit),
    )
    return Router(
        services, settings.public_url or "http://127.0.0.1:8000", settings.max_request_bytes, Readiness(engine)
    )
