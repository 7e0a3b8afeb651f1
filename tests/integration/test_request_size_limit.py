"""The request size limit is a setting (RAAS_MAX_REQUEST_BYTES), not the contract's default only."""

from __future__ import annotations

import io
import warnings

from register.config import Settings
from register.services.audit import Audit

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ImportWarning)  # spyne's vendored six, imported in this process
    from register.soap.application import Services
    from register.soap.router import Router


def post(router: Router, body: bytes, chunked: bool = False) -> tuple[str, bytes]:
    status = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/ws/RegisterService",
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "wsgi.input": io.BytesIO(body),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    if not chunked:
        environ["CONTENT_LENGTH"] = str(len(body))
    answer = b"".join(router(environ, lambda s, headers, exc_info=None: status.append(s)))
    return status[0], answer


def test_the_limit_comes_from_the_environment():
    assert Settings.from_env({"RAAS_MAX_REQUEST_BYTES": "4096"}).max_request_bytes == 4096
    assert Settings.from_env({}).max_request_bytes == 1024 * 1024


def test_a_configured_limit_refuses_larger_bodies_whether_announced_or_chunked(engine):
    router = Router(
        Services(authenticator=None, register=None, persons=None, audit=Audit(engine)),
        "http://127.0.0.1",
        max_request_bytes=4096,
    )
    for chunked in (False, True):
        status, answer = post(router, b"<x>" + b" " * 5000 + b"</x>", chunked)
        assert status.startswith("500") and b"Client.RequestTooLarge" in answer
        status, answer = post(router, b"<x>" + b" " * 4000 + b"</x>", chunked)
        assert b"RequestTooLarge" not in answer and b"Client.MalformedRequest" in answer
