"""Who is calling: a UsernameToken (PasswordText) checked against the stored argon2id hash.

argon2id is deliberately slow (tens of milliseconds), far more than a register
call may cost, so a worker remembers a verified password for a short while
(RAAS_AUTH_CACHE_SECONDS) as a keyed BLAKE2 digest, never in clear. A removed
or rotated credential stops working when its cache entry expires.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from register.adapters.tenants import Tenants
from register.domain.errors import Authentication

_hasher = PasswordHasher()  # argon2id, the library's (RFC 9106) defaults
# Verified against when the username is unknown, so both failures take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class Caller:
    tenant_id: int
    bce: str
    username: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_password() -> str:
    return secrets.token_urlsafe(24)


class Authenticator:
    def __init__(self, tenants: Tenants, cache_seconds: float = 60.0, clock=time.monotonic) -> None:
        self._tenants = tenants
        self._ttl = cache_seconds
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._cache: dict[str, tuple[bytes, Caller, float]] = {}

    def authenticate(self, username: str | None, password: str | None) -> Caller:
        if not username or password is None:
            raise Authentication("A WS-Security UsernameToken with a PasswordText password is required.")
        digest = hashlib.blake2b(password.encode(), key=self._key).digest()
        cached = self._cache.get(username)
        if cached and cached[2] > self._clock() and hmac.compare_digest(cached[0], digest):
            return cached[1]
        credential = self._tenants.credential(username)
        try:
            _hasher.verify(credential.password_hash if credential else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            credential = None
        if credential is None:
            self._cache.pop(username, None)
            raise Authentication("The username or password is wrong.")
        caller = Caller(credential.tenant_id, credential.bce, credential.username)
        self._cache[username] = (digest, caller, self._clock() + self._ttl)
        return caller
