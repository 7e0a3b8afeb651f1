"""The `raas` command (CONTRACT.md section 8). Every command exits non-zero with a one-line reason on bad input.

One module per group of commands; each registers its own subcommands and
imports what it runs only when it runs (a `raas --help` stays instant).
"""

from __future__ import annotations

import argparse
import sys

SUPPORTED = ((3, 11), (3, 13))  # pyproject.toml's requires-python; 3.12+ through register.compat
if not SUPPORTED[0] <= sys.version_info[:2] <= SUPPORTED[1]:
    sys.exit(f"raas runs on Python 3.11 to 3.13, not {sys.version.split()[0]}")

from register.cli import audit, batch, flows, network, serve, setup, source, tenants, voucher  # noqa: E402
from register.cli.common import Failure  # noqa: E402
from register.config import Settings  # noqa: E402


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="raas",
        description="Register-as-a-Service: SSIN - dossier type - period register over SOAP.",
        epilog="Settings come from the environment: DATABASE_URL, RAAS_HOME, RAAS_PUBLIC_URL, "
        "RAAS_MAX_REQUEST_BYTES, RAAS_AUTH_CACHE_SECONDS, RAAS_AUTH_USERNAME_LIMIT, RAAS_AUTH_ADDRESS_LIMIT, "
        "RAAS_DB_POOL_SIZE, RAAS_LOG_LEVEL, RAAS_METRICS_DIR, RAAS_PUSHGATEWAY_URL, RAAS_OUTBOX, "
        "RAAS_RETENTION_DAYS, RAAS_SIGNING_KEY, RAAS_SIGNING_CERT, RAAS_SEARCH_RATE (see README).",
    )
    groups = top.add_subparsers(dest="group", required=True, metavar="COMMAND")
    setup.add_db_commands(groups)
    tenants.add_commands(groups)
    audit.add_commands(groups)
    serve.add_commands(groups)
    source.add_commands(groups)
    batch.add_commands(groups)
    voucher.add_commands(groups)
    flows.add_commands(groups)
    network.add_commands(groups)
    setup.add_demo_command(groups)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args, Settings.from_env())
    except Failure as error:
        print(f"raas: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - one line for the operator, not a traceback
        from sqlalchemy.exc import OperationalError

        if isinstance(error, OperationalError):
            print(f"raas: cannot reach the database: {str(error.orig).splitlines()[0]}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
