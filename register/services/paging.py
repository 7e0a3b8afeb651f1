"""Page tokens for listRegistrations: the keyset of the last line sent, signed.

A token is only good for the tenant and the filters it was issued for
(CONTRACT.md: otherwise Client.InvalidPageToken); the signature makes it opaque
and unforgeable, so a client cannot page through rows by crafting keysets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import date

from register.domain.errors import InvalidPageToken

Keyset = tuple[str, str, date]


class PageTokens:
    def __init__(self, secret: bytes | Callable[[], bytes]) -> None:
        # a callable is asked on first use, so a worker boots while the database is down
        self._secret = secret if isinstance(secret, bytes) else None
        self._load_secret = secret if callable(secret) else None

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = self._load_secret()
        return self._secret

    def issue(self, query: tuple, keyset: Keyset) -> str:
        payload = _b64(json.dumps([keyset[0], keyset[1], keyset[2].isoformat()], separators=(",", ":")).encode())
        return f"{payload}.{self._sign(query, payload)}"

    def read(self, query: tuple, token: str) -> Keyset:
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(query, payload).encode()):
            raise InvalidPageToken(pageToken=token)
        ssin, dossier_type, start = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return ssin, dossier_type, date.fromisoformat(start)

    def _sign(self, query: tuple, payload: str) -> str:
        message = repr(query).encode() + b"\0" + payload.encode()
        return _b64(hmac.new(self.secret, message, hashlib.sha256).digest()[:18])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
