"""Settings, all from the environment (CONTRACT.md section 8).

| variable                 | default                          | meaning                                   |
|--------------------------|----------------------------------|-------------------------------------------|
| DATABASE_URL             | embedded PostgreSQL in RAAS_HOME | the database (postgresql://...; several hosts: h1:5432,h2:5432 with target_session_attrs=read-write) |
| DATABASE_READ_URL        | none (reads on the primary)      | a synchronous standby for the read-only operations (falls back to the primary) |
| RAAS_HOME                | ./var                            | embedded database, outbox                 |
| RAAS_OUTBOX              | $RAAS_HOME/outbox                | nightly files                             |
| RAAS_PUBLIC_URL          | http://<bind address>            | base of every WSDL's soap:address          |
| RAAS_MAX_REQUEST_BYTES   | 1048576                          | larger SOAP bodies: Client.RequestTooLarge |
| RAAS_AUTH_CACHE_SECONDS  | 60                               | how long a verified password is trusted   |
| RAAS_AUTH_USERNAME_LIMIT | 5                                | failed logins of a username before throttling |
| RAAS_AUTH_ADDRESS_LIMIT  | 20                               | failed logins from an address before throttling |
| RAAS_DB_POOL_SIZE        | 4                                | connections per worker process            |
| RAAS_LOG_LEVEL           | INFO                             | logging level                             |
| RAAS_METRICS_DIR         | a new temporary folder           | where gunicorn workers count metrics       |
| RAAS_PUSHGATEWAY_URL     | none                             | Prometheus Pushgateway for batch metrics   |
| RAAS_RETENTION_DAYS      | 90                               | `raas batch purge` removes older deliveries |
| RAAS_SIGNING_KEY         | $RAAS_HOME/signing/key.pem       | PEM key signing vouchers and audit seals   |
| RAAS_SIGNING_CERT        | $RAAS_HOME/signing/cert.pem      | its PEM certificate (both or neither)      |
| RAAS_SEARCH_RATE         | 600                              | searches per minute per tenant (0: no quota) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    home: Path
    outbox: Path
    public_url: str | None
    max_request_bytes: int
    auth_cache_seconds: float
    auth_username_limit: int
    auth_address_limit: int
    db_pool_size: int
    log_level: str
    metrics_dir: str | None = None
    pushgateway_url: str | None = None
    retention_days: int = 90
    signing_key: str | None = None  # with signing_cert; neither: a pair created once under home/signing
    signing_cert: str | None = None
    search_rate: int = 600
    database_read_url: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("RAAS_HOME") or "var").resolve()
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            home=home,
            outbox=Path(env.get("RAAS_OUTBOX") or home / "outbox").resolve(),
            public_url=(env.get("RAAS_PUBLIC_URL") or "").rstrip("/") or None,
            max_request_bytes=_int(env, "RAAS_MAX_REQUEST_BYTES", 1024 * 1024),
            auth_cache_seconds=float(_int(env, "RAAS_AUTH_CACHE_SECONDS", 60)),
            auth_username_limit=_int(env, "RAAS_AUTH_USERNAME_LIMIT", 5),
            auth_address_limit=_int(env, "RAAS_AUTH_ADDRESS_LIMIT", 20),
            db_pool_size=_int(env, "RAAS_DB_POOL_SIZE", 4),
            log_level=_log_level(env.get("RAAS_LOG_LEVEL") or "INFO"),
            metrics_dir=env.get("RAAS_METRICS_DIR") or None,
            pushgateway_url=env.get("RAAS_PUSHGATEWAY_URL") or None,
            retention_days=_int(env, "RAAS_RETENTION_DAYS", 90),
            signing_key=env.get("RAAS_SIGNING_KEY") or None,
            signing_cert=env.get("RAAS_SIGNING_CERT") or None,
            search_rate=_int(env, "RAAS_SEARCH_RATE", 600),
            database_read_url=env.get("DATABASE_READ_URL") or None,
        )


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
        raise SystemExit(f"RAAS_LOG_LEVEL must be one of CRITICAL, ERROR, WARNING, INFO, DEBUG, not {raw!r}")
    return level


def _int(env, name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise SystemExit(f"{name} must not be negative")
    return value
