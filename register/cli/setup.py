"""`raas db upgrade` and `raas demo`: a database ready to serve, and a demo to try it with."""

from __future__ import annotations

from register.cli.common import Failure
from register.config import Settings


def cmd_db_upgrade(args, settings: Settings) -> None:
    from register import bootstrap

    print(f"database schema at revision {bootstrap.upgrade_schema(settings)}")


def cmd_demo(args, settings: Settings) -> None:
    from register import bootstrap

    try:
        from register.services.demo import load_demo
    except ModuleNotFoundError as missing:
        raise Failure(f"raas demo needs {missing.name}, of the demo extra (pip install 'raas[demo]')") from None

    demo = load_demo(bootstrap.owner_engine(settings), args.persons)
    print(f"demo tenant {demo.bce}: {demo.persons.inserted:,} persons added ({demo.persons.read:,} in the demo set)")
    if demo.password is None:
        print(f"demo client '{demo.username}' exists already (its password was printed when it was created)")
        return
    credentials = settings.home / "demo-credentials"
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.touch(mode=0o600)
    credentials.write_text(f"{demo.username}\n{demo.password}\n")
    print(f"demo client username: {demo.username} (password also kept in {credentials})")
    print(demo.password)


def add_db_commands(groups) -> None:
    db = groups.add_parser("db", help="the database schema").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="create or migrate the schema").set_defaults(run=cmd_db_upgrade)


def add_demo_command(groups) -> None:
    demo = groups.add_parser("demo", help="a demo tenant, dossier types, a client and synthetic persons")
    demo.add_argument("--persons", type=int, default=5000, help="synthetic persons (default 5000)")
    demo.set_defaults(run=cmd_demo)
