"""Who is calling: a UsernameToken (PasswordText) checked against the stored argon2id hash.

argon2id is deliberately slow (tens of milliseconds), far more than a register
call may cost, so a worker remembers a verified password for a short while
(RAAS_AUTH_CACHE_SECONDS) as a keyed BLAKE2 digest, never in clear. At most
once a second (RECHECK_SECONDS) a worker asks the database for the version of
all credentials and forgets every remembered password when it changed: a
removed or rotated credential stops working within about a second.

Throttling: failed logins are counted in PostgreSQL (shared by every worker)
per username and per client address. Past USERNAME_LIMIT (ADDRESS_LIMIT)
recent failures, that username (address) is refused without looking at the
password for 1 s, then 2, 4 ... up to MAX_WAIT_SECONDS after its last failure;
failures older than 15 minutes are forgotten, so there is no permanent
lockout. A throttled call is answered at once with Client.Authentication
rather than held: holding it would let a few bad callers occupy every worker
thread, and what matters, the guesses per second, is limited either way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from register.adapters.tenants import Credential, Tenants
from register.domain.errors import Authentication

_hasher = PasswordHasher()  # argon2id, the library's (RFC 9106) defaults
# Verified against when the username is unknown, so both failures take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

USERNAME_LIMIT = 5  # failures of one username before it is throttled (RAAS_AUTH_USERNAME_LIMIT)
ADDRESS_LIMIT = 20  # failures from one address, any usernames, before it is throttled (RAAS_AUTH_ADDRESS_LIMIT)
MAX_WAIT_SECONDS = 60.0
RECHECK_SECONDS = 1.0
MAX_USERNAME_LENGTH = 256


@dataclass(frozen=True, slots=True)
class Caller:
    tenant_id: int
    bce: str
    username: str


class LoginRefused(Authentication):
    """A failed login, with the tenant of the username when it exists (for the audit trail)."""

    def __init__(self, message: str, username: str | None = None, tenant_id: int | None = None) -> None:
        super().__init__(message)
        self.username = username
        self.tenant_id = tenant_id


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_password() -> str:
    return secrets.token_urlsafe(24)


class Authenticator:
    def __init__(
        self,
        tenants: Tenants,
        cache_seconds: float = 60.0,
        clock=time.monotonic,
        limits: tuple[int, int] = (USERNAME_LIMIT, ADDRESS_LIMIT),
    ) -> None:
        self._tenants = tenants
        self._limits = (*limits, MAX_WAIT_SECONDS)
        self._ttl = cache_seconds
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._cache: dict[str, tuple[bytes, Caller, float]] = {}
        self._version = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def authenticate(self, username: str | None, password: str | None, address: str | None = None) -> Caller:
        if not username or password is None:
            raise LoginRefused("A WS-Security UsernameToken with a PasswordText password is required.")
        if len(username) > MAX_USERNAME_LENGTH:
            raise LoginRefused("The username or password is wrong.")
        digest = hashlib.blake2b(password.encode(), key=self._key).digest()
        self._forget_if_credentials_changed()
        cached = self._cache.get(username)
        if cached and cached[2] > self._clock() and hmac.compare_digest(cached[0], digest):
            return cached[1]
        login = self._tenants.login(username, address, self._limits)
        tenant_id = login.credential.tenant_id if login.credential else None
        if login.retry_after > 0:
            raise LoginRefused(
                f"Too many failed logins; retry in {max(1, round(login.retry_after))} s.", username, tenant_id
            )
        if not _verify(login.credential, password):
            self._cache.pop(username, None)
            self._tenants.login_failed(username, address)
            raise LoginRefused("The username or password is wrong.", username, tenant_id)
        if login.username_failures:
            self._tenants.login_succeeded(username)
        credential = login.credential
        caller = Caller(credential.tenant_id, credential.bce, credential.username)
        self._cache[username] = (digest, caller, self._clock() + self._ttl)
        return caller

    def _forget_if_credentials_changed(self) -> None:
        now = self._clock()
        if now - self._checked_at < RECHECK_SECONDS:
            return
        if not self._lock.acquire(blocking=False):
            return  # another thread of this worker is asking; go on with what is known
        try:
            version = self._tenants.credentials_version()
            if version != self._version:
                self._cache.clear()
                self._version = version
            self._checked_at = now
        finally:
            self._lock.release()


def _verify(credential: Credential | None, password: str) -> bool:
    """argon2id's check (constant time in the password); an unknown username costs the same."""
    try:
        return _hasher.verify(credential.password_hash if credential else _DUMMY_HASH, password) and bool(credential)
    except (VerificationError, InvalidHashError):
        return False
