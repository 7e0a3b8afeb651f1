"""The composition root: the one place that builds the adapters and hands them to the services.

Entry points ask here for what they run: gunicorn's workers for the WSGI
application (``soap_application``), the `raas` command for the owner's engine,
the schema and the batch's connection. Nothing else constructs adapters, so a
test or a new entry point wires the register the same way.
"""

from __future__ import annotations

import psycopg
from sqlalchemy import Engine

from register.adapters import database
from register.config import Settings


def soap_application(settings: Settings | None = None, url: str | None = None):
    """The WSGI application one gunicorn worker serves, built after the fork (no connection crosses it).

    Its modules are imported here, not above: the batch and the other commands need none of them
    (the nightly batch's memory stays that of what it runs)."""
    from register.adapters.network_clients import NetworkClients
    from register.adapters.outbox import Outbox
    from register.adapters.readiness import Readiness
    from register.adapters.registrations import Registrations
    from register.adapters.routing import Routing
    from register.adapters.subscriptions import Subscriptions
    from register.adapters.tenants import Tenants
    from register.observability import logs
    from register.services.audit import Audit
    from register.services.auth import Authenticator
    from register.services.certificates import CertificateAuthenticator
    from register.services.paging import PageTokens
    from register.services.persons import PersonService, phonetic_matches
    from register.services.register import RegisterService
    from register.services.routing import RoutingService
    from register.services.search import PersonSearch
    from register.services.search_quota import SearchQuota
    from register.services.subscriptions import SubscriptionService
    from register.soap.application import Services
    from register.soap.router import Router
    from register.soap.wsdl import DEFAULT_PUBLIC_URL

    settings = settings or Settings.from_env()
    logs.configure(settings.log_level)
    engine = database.create(settings, url, app_role=True)  # the SOAP path never uses the owner role
    reads = read_routing(settings, engine)
    registrations = Registrations(engine, reads)
    search = PersonSearch(
        engine, SearchQuota(engine, settings.search_rate) if settings.search_rate else None, reads.standby_engine
    )
    audit = Audit(engine)
    limits = (settings.auth_username_limit, settings.auth_address_limit)
    services = Services(
        authenticator=Authenticator(Tenants(engine), settings.auth_cache_seconds, limits=limits),
        register=RegisterService(registrations, PageTokens(registrations.instance_secret)),
        persons=PersonService(engine, strong_matches=phonetic_matches(search), reads=reads),
        audit=audit,
        search=search,
        subscriptions=SubscriptionService(Subscriptions(engine, reads), Outbox(settings.outbox), audit),
        certificates=CertificateAuthenticator(engine),
        # RoutingService's callers: network credentials only (CONTRACT.md section 10)
        network_authenticator=Authenticator(NetworkClients(engine), settings.auth_cache_seconds, limits=limits),
        routing=RoutingService(Routing(engine)),
    )
    return Router(services, settings.public_url or DEFAULT_PUBLIC_URL, settings.max_request_bytes, Readiness(engine))


def read_routing(settings: Settings, engine: Engine):
    """Where the read-only operations read: DATABASE_READ_URL's standby when set (falling back to the
    primary), else the primary (register.adapters.reads). A new read-only operation takes this object."""
    from register.adapters.reads import Reads

    standby = None
    if settings.database_read_url:
        url = database.sqlalchemy_url(settings.database_read_url)
        standby = database.create(settings, url, app_role=True, standby=True)
    return Reads(engine, standby)


def network_flows(settings: Settings):
    """`raas flow` and `raas authorization`'s use cases, as the owner role."""
    from register.services.network_flows import NetworkFlows

    return NetworkFlows(owner_engine(settings))


def network_admin(settings: Settings):
    """`raas network`'s use cases: the network's credentials, as the owner role."""
    from register.adapters.network_clients import NetworkClients
    from register.services.routing import NetworkAdmin

    return NetworkAdmin(NetworkClients(owner_engine(settings)))


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded PostgreSQL under RAAS_HOME (started when not running)."""
    return database.database_url(settings)


def owner_engine(settings: Settings, url: str | None = None) -> Engine:
    """An engine as the URL's (owner) role, for the operator's commands."""
    return database.create(settings, url, pool_size=1)


def upgrade_schema(settings: Settings) -> str:
    """Migrate the database to this code's schema; returns the revision it is at."""
    from register.adapters import schema

    engine = owner_engine(settings)
    schema.upgrade(engine)
    return schema.current(engine)


def schema_is_current(settings: Settings, url: str) -> bool:
    from register.adapters import schema

    return schema.is_current(owner_engine(settings, url))


def signing_key(settings: Settings):
    """The key and certificate that sign vouchers and audit seals (register.adapters.signing); a file
    that cannot serve raises ValueError whose one line names it."""
    from register.adapters import signing

    return signing.from_settings(settings.signing_key, settings.signing_cert, settings.home)


def certificate_file(path):
    """A PEM certificate file (ValueError naming it when it is not one)."""
    from register.adapters import signing

    return signing.load_certificate(path)


def batch_connection(settings: Settings) -> psycopg.Connection:
    """The nightly batch's one connection (owner role, Brussels time)."""
    return database.connect_owner(database.database_url(settings), "raas-batch")
