"""Benchmark: RegisterService.registerPerson and listRegistrations against two ceilings.

    make bench            (= .venv/bin/python -m bench.register)
    .venv/bin/python -m bench.register --duration 10 --warmup 3 --clients 16

Builds its own world: a temporary RAAS_HOME with an embedded PostgreSQL (or a fresh
database on RAAS_BENCH_DATABASE_URL / DATABASE_URL, dropped afterwards), the migrations, one
tenant with four dossier types, one client and --persons synthetic persons. Then serves,
one at a time and all with the gunicorn settings of `raas serve` (register.server.options):

  plain   a WSGI app answering the exact bytes of the echo response  (bench/servers.py)
  echo    a spyne app with one trivial operation on RaasSoap11       (bench/servers.py)
  raas    `raas serve` itself: registerPerson, then listRegistrations by ssin

and drives each with C concurrent keep-alive HTTP/1.1 clients on loopback (wrk with
bench/soap.lua when installed, else bench/pyload.py): a warm-up, then --duration seconds.
registerPerson requests walk a pre-built plan over (ssin, dossier type, period): mostly new
keys, the rest lines that touch, overlap, bridge, leave a gap to or fall inside a line
registered earlier, so merges really happen; a quarter carry an identity to compare.
Faults are counted apart (and a sample of answers is parsed before each phase).

Prints the figures and their ratio to the ceilings, writes them to bench/results/register.json.
A benchmark, not a test: it never fails on a timing (only when it cannot measure).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

from bench import RESULTS, ROOT
from bench.answers import BadAnswer
from bench.envelopes import ECHO_REQUEST, post, security_header
from bench.load import Load
from bench.plans import make_echo_plan, make_list_plan, make_register_plan
from bench.postgres import temporary_home
from bench.processes import ceiling_server, raas_server
from bench.reports import disturbed, host_facts, notes, svg, table, write_json
from bench.world import USERNAME, World, build_world, same_database, tear_down

TARGET_RATIO, TARGET_P99_MS = 0.50, 25.0
PHASES = ("plain", "echo", "register", "list")
OUTPUT = RESULTS / "register.json"


def parse_args(argv=None):
    workers = max(2, os.cpu_count() or 1)  # the default of `raas serve --workers`
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per phase (default 10)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds per phase (default 3)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument(
        "--workers", type=int, default=workers, help=f"gunicorn workers, as `raas serve` (default {workers})"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker, as `raas serve` (default 4)")
    parser.add_argument("--persons", type=int, default=20_000, help="synthetic persons (default 20000)")
    parser.add_argument(
        "--phases", default="plain,echo,register,list", help="which phases, in order (default plain,echo,register,list)"
    )
    parser.add_argument(
        "--loadgen", choices=("auto", "wrk", "python"), default="auto", help="default: wrk if installed"
    )
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="wrk threads (default 1: leave the CPU to the server)"
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help=f"JSON results (default {OUTPUT.relative_to(ROOT)})"
    )
    parser.add_argument(
        "--gunicorn",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="experiment: override one gunicorn setting of register.server.options() in all three servers",
    )
    parser.add_argument(
        "--no-spyne-gc",
        action="store_true",
        help="experiment: stop spyne's forced gc.collect() once a second per worker, in both spyne servers",
    )
    parser.add_argument("--hold", action="store_true", help="after the phases, keep the RaaS server up until Enter")
    args = parser.parse_args(argv)
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if "list" in args.phases and "register" not in args.phases:
        parser.error("the list phase lists what the register phase registered: add register")
    args.wrk = shutil.which("wrk")
    if args.loadgen == "auto":
        args.loadgen = "wrk" if args.wrk else "python"
    if args.loadgen == "wrk" and not args.wrk:
        parser.error("wrk is not installed (apt-get install wrk), use --loadgen python")
    return args


def experiments(args) -> list[str]:
    """Changes applied to all three servers alike (none by default), as options of bench.servers."""
    extra = [f"--option={item}" for item in args.gunicorn]
    return [*extra, "--no-spyne-gc"] if args.no_spyne_gc else extra


def main(argv=None) -> int:
    args = parse_args(argv)
    command = shlex.join([os.path.relpath(sys.executable), "-m", "bench.register", *sys.argv[1:]])
    print(f"command: {command}", flush=True)
    world = None
    home = temporary_home()
    results: dict[str, dict] = {}
    try:
        started = time.monotonic()
        world = build_world(home, args.persons)
        print(
            f"world: PostgreSQL {world.postgres_version}, {len(world.persons):,} persons, "
            f"{len(world.dossier_types)} dossier types, one client ({time.monotonic() - started:.1f} s)",
            flush=True,
        )
        load = Load(
            args.loadgen, args.wrk, args.wrk_threads, args.clients, args.warmup, args.duration, world.postmaster_pid()
        )
        work = home / "bench"
        work.mkdir()
        header = security_header(USERNAME, world.password)
        echo = make_echo_plan()
        echo.write(work)
        size = int(max(20_000, 6_000 * (args.warmup + args.duration)))
        register = make_register_plan(world.persons, world.dossier_types, size, header)
        register.write(work)
        print(
            f"load: {args.clients} keep-alive clients, "
            f"{'wrk x' + str(args.wrk_threads) + ' thread(s) + bench/soap.lua' if args.loadgen == 'wrk' else 'bench/pyload.py'}; "
            f"gunicorn {args.workers} workers x {args.threads} threads (register.server.options); "
            f"warm-up {args.warmup:g} s, then {args.duration:g} s per phase",
            flush=True,
        )
        for kind in ("plain", "echo"):
            if kind in args.phases:
                server, url = ceiling_server(kind, work, args.workers, args.threads, experiments(args))
                with server:
                    _check_same_bytes(url, args)
                    name = "plain WSGI (echo's bytes)" if kind == "plain" else "spyne echo (RaasSoap11)"
                    results[kind] = load.phase(name, url, echo, "echo", server.proc.pid)
        if "register" in args.phases:
            env = dict(os.environ, RAAS_HOME=str(world.home), DATABASE_URL=world.url)
            env.pop("RAAS_PUBLIC_URL", None)
            if env.get("DATABASE_READ_URL"):  # a standby of the same cluster: the run's database on it
                env["DATABASE_READ_URL"] = same_database(env["DATABASE_READ_URL"], world.url)
            server, base = raas_server(env, work / "raas.log", args.workers, args.threads, experiments(args))
            url = f"{base}/ws/RegisterService"
            with server:
                lines_before = world.registration_lines()
                results["register"] = r = load.phase(
                    "registerPerson", url, register, "register", server.proc.pid, _audited(world, "registerPerson")
                )
                r["registration_lines"] = world.registration_lines() - lines_before
                r["plan_size"] = len(register.ops)
                if "list" in args.phases:
                    listing = make_list_plan(register, r["offset_end"], header)
                    listing.write(work)
                    results["list"] = load.phase(
                        "listRegistrations (by ssin)",
                        url,
                        listing,
                        "list",
                        server.proc.pid,
                        _audited(world, "listRegistrations"),
                    )
                    results["list"]["distinct_ssins"] = len(listing.ops)
                if args.hold:
                    input(f"RaaS is serving on {url} (tmp home {home}); Enter to stop: ")
        report(args, command, world, results)
        return 0
    except KeyboardInterrupt:
        return 130
    except (BadAnswer, RuntimeError) as error:  # nothing worth measuring: say why
        print(f"bench.register: cannot measure: {error}", file=sys.stderr)
        return 1
    finally:
        tear_down(world, home)


def _audited(world: World, operation: str):
    return lambda: world.audited_ok(operation)


def _check_same_bytes(url: str, args) -> None:
    """The plain app must answer what the echo server answers, byte for byte (body and content type)."""
    _, body, headers = post(url, ECHO_REQUEST)
    answer = (body, headers.get("Content-Type"))
    seen = getattr(args, "ceiling_answer", None)
    if seen is not None and seen != answer:
        raise RuntimeError(f"the plain app's answer differs from the echo's:\n{seen!r}\n{answer!r}")
    args.ceiling_answer = answer
    args.echo_bytes = len(body)


def report(args, command: str, world: World, results: dict[str, dict]) -> None:
    facts = host_facts(args.loadgen, args.wrk, world.postgres_version, world.drop is not None)
    echo_rps = results["echo"]["rps"] if "echo" in results else None
    print()
    print(table(results, echo_rps))
    print()
    ratios = {}
    if echo_rps:
        for key, label in (("register", "registerPerson/echo"), ("list", "listRegistrations/echo")):
            if key in results:
                ratios[label] = round(results[key]["rps"] / echo_rps, 3)
        if "plain" in results:
            ratios["echo/plain"] = round(echo_rps / results["plain"]["rps"], 3)
    for label, value in ratios.items():
        print(f"{label:<24} {value:.2f}")
    for note in notes(results):
        print(f"note: {note}")
    target = None
    if "register" in results:
        r = results["register"]
        c = r["counts"]
        print(
            f"registerPerson: {r['ok']:,} answered OK, {r['faults']} faults; "
            f"{c['changed']:,} changed a line, {c['merged']:,} absorbed stored lines (mergedCount > 0); "
            f"audited OK by the server: {r.get('audited_ok', 0):,}; new lines: {r['registration_lines']:,}"
            + (f"; plan wrapped {c['wrapped']:,} times (calls repeated)" if c["wrapped"] else "")
        )
        if echo_rps:
            ratio = r["rps"] / echo_rps
            met = ratio >= TARGET_RATIO and r["p99_ms"] <= TARGET_P99_MS and r["errors"] == 0
            doubts = [p for p in ("echo", "register") if disturbed(results[p])]
            target = {
                "ratio_to_echo": round(ratio, 3),
                "p99_ms": r["p99_ms"],
                "wanted": f">= {TARGET_RATIO:.0%} of echo, p99 <= {TARGET_P99_MS:g} ms",
                "met": met,
                "reliable": not doubts,
            }
            print(
                f"target (registerPerson >= {TARGET_RATIO:.0%} of echo, p99 <= {TARGET_P99_MS:g} ms): "
                f"{ratio:.0%} of echo, p99 {r['p99_ms']:.1f} ms -> {'met' if met else 'NOT met'}"
                + (f" (unreliable: {' and '.join(doubts)} disturbed, see the notes)" if doubts else "")
            )
    if "list" in results:
        r = results["list"]
        print(
            f"listRegistrations: {r['ok']:,} answered OK, {r['faults']} faults, "
            f"{r['counts']['items'] / max(r['ok'], 1):.2f} lines per answer over {r['distinct_ssins']:,} ssins"
        )
    print("host: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    print(f"command: {command}")
    document = {
        "benchmark": "bench/register.py",
        "command": command,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": facts,
        "settings": {
            "clients": args.clients,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "workers": args.workers,
            "threads": args.threads,
            "persons": len(world.persons),
            "load_generator": args.loadgen,
            "wrk_threads": args.wrk_threads if args.loadgen == "wrk" else None,
            "echo_response_bytes": getattr(args, "echo_bytes", None),
            "experiments": experiments(args),
        },
        "setup_s": {k: round(v, 2) for k, v in world.timings.items()},
        "phases": results,
        "ratios": ratios,
        "notes": notes(results),
        "target": target,
    }
    write_json(args.output, document, indent=2)
    plot = args.output.with_suffix(".svg")
    plot.write_text(svg(results, facts, command))
    print(f"results: {os.path.relpath(args.output)}, {os.path.relpath(plot)}")


if __name__ == "__main__":
    sys.exit(main())
