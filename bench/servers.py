"""The ceilings' servers of bench.register and bench.search, and RaaS for experiments, as `raas serve` runs RaaS.

    python -m bench.servers echo|plain|raas --bind HOST:PORT --workers N --threads N
                            [--option NAME=VALUE ...] [--no-spyne-gc]

- ``echo``: a spyne Application with one trivial operation, ``echo(text) -> text``,
  read and written by the project's own protocol class (register.soap.protocol.RaasSoap11:
  the same DTD/entity guard, lxml schema validation and WS-Security header parsing) with an
  authenticator that accepts any caller, so no password check and no database.
- ``plain``: a WSGI app that reads the body and answers the exact bytes (status, headers,
  body) of the echo response to ECHO_REQUEST, computed once per worker by calling the echo
  app in process.

Both run under register.server.Server with register.server.options(), so the gunicorn
settings (worker class, threads, keep-alive, ...) are the ones `raas serve` uses.

Experiments, applied to all three servers alike (bench.register passes them on):
``--option NAME=VALUE`` overrides one gunicorn setting of register.server.options();
``--no-spyne-gc`` stops spyne's forced ``gc.collect()`` once a second in every worker
(spyne.const.MIN_GC_INTERVAL). With either, ``raas`` runs `raas serve` (register.cli)
in this process with the change; without, bench.register runs `raas serve` itself.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from types import SimpleNamespace

from spyne import Application, ServiceBase, Unicode, rpc
from spyne.server.wsgi import WsgiApplication

from bench.envelopes import ECHO_NS, ECHO_REQUEST
from register.server import Server, options
from register.soap.protocol import RaasSoap11


class EchoService(ServiceBase):
    @rpc(
        Unicode(min_occurs=1, nillable=False),
        _returns=Unicode(min_occurs=1, nillable=False),
        _out_variable_name="text",
    )
    def echo(ctx, text):
        return text


class AnyCaller:
    """Accepts every UsernameToken (or none) without looking: the echo ceiling checks no password."""

    def authenticate(self, username, password, address=None):
        return None


class EchoApplication(Application):
    def __init__(self, *args, **kwargs) -> None:
        self.raas = SimpleNamespace(authenticator=AnyCaller())  # where RaasSoap11 finds the authenticator
        super().__init__(*args, **kwargs)


def echo_app() -> WsgiApplication:
    in_protocol = RaasSoap11()
    in_protocol.authenticate = AnyCaller().authenticate  # for a RaasSoap11 that holds its authenticator itself
    app = EchoApplication(
        [EchoService], tns=ECHO_NS, name="EchoService", in_protocol=in_protocol, out_protocol=RaasSoap11()
    )
    return WsgiApplication(app)


def echo_response() -> tuple[str, list[tuple[str, str]], bytes]:
    """Status, headers and body the echo app answers to ECHO_REQUEST."""
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(ECHO_REQUEST)),
        "PATH_INFO": "/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_SOAPACTION": '""',
        "wsgi.input": io.BytesIO(ECHO_REQUEST),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=headers)

    body = b"".join(echo_app()(environ, start_response))
    if not started["status"].startswith("200"):
        raise RuntimeError(f"the echo app answered {started['status']}: {body[:300]!r}")
    headers = [(k, v) for k, v in started["headers"] if k.lower() != "content-length"]
    return started["status"], [*headers, ("Content-Length", str(len(body)))], body


def plain_app():
    status, headers, body = echo_response()

    def app(environ, start_response):
        environ["wsgi.input"].read()
        start_response(status, headers)
        return [body]

    return app


class CeilingServer(Server):
    def __init__(self, kind: str, opts: dict) -> None:
        self.kind = kind
        super().__init__(opts)

    def load(self):  # in each worker, after the fork, like Server.load
        return echo_app() if self.kind == "echo" else plain_app()


def _value(text: str):
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def overridden(overrides: dict):
    """register.server.options with ``overrides`` applied on top."""

    def patched(*args, **kwargs) -> dict:
        return {**options(*args, **kwargs), **overrides}

    return patched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("echo", "plain", "raas"))
    parser.add_argument("--bind", default="127.0.0.1:8001")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE", help="a gunicorn setting")
    parser.add_argument("--no-spyne-gc", action="store_true", help="no forced gc.collect() by spyne")
    args = parser.parse_args()
    overrides = {}
    for item in args.option:
        name, _, value = item.partition("=")
        overrides[name.strip()] = _value(value.strip())
    if args.no_spyne_gc:
        import spyne.const

        spyne.const.MIN_GC_INTERVAL = float("inf")
    if args.kind == "raas":
        import register.cli
        import register.server

        register.server.options = overridden(overrides)
        sys.exit(
            register.cli.main(
                ["serve", "--bind", args.bind, "--workers", str(args.workers), "--threads", str(args.threads)]
            )
        )
    CeilingServer(args.kind, overridden(overrides)(args.bind, args.workers, args.threads, 1024 * 1024)).run()


if __name__ == "__main__":
    main()
