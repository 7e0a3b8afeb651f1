"""An etcd and a three-node Patroni cluster on loopback, from Debian's packages.

Everything runs from one temporary folder owned by the ``postgres`` user
(PostgreSQL refuses to run as root; Patroni runs as the user of its data). Every
process started here is recorded by pid, and :meth:`Cluster.stop` ends each of
them (and each postmaster found in a data folder, since Patroni may have left one
running) whatever state the cluster is in, then checks that none of its ports is
still listening.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "ha-test-password"
SCOPE = "raas-ha"
# Short leader TTL so a test sees a failover in seconds; Patroni requires loop_wait + 2 * retry_timeout <= ttl.
DCS = {
    "ttl": 10,
    "loop_wait": 1,
    "retry_timeout": 3,
    "maximum_lag_on_failover": 1048576,
    "master_start_timeout": 0,  # a crashed primary fails over at once: nothing is lost in synchronous mode
    "synchronous_mode": True,
    "synchronous_mode_strict": True,  # no standby, no commit: never acknowledge what a standby lacks
    "synchronous_node_count": 1,
    "postgresql": {
        "use_pg_rewind": True,
        "use_slots": True,
        "parameters": {
            "synchronous_commit": "remote_apply",  # the standby has applied a commit before it is acknowledged
            "wal_log_hints": "on",  # pg_rewind
            "max_connections": 200,
            "max_wal_senders": 10,
            "max_replication_slots": 10,
            "hot_standby": "on",
            "wal_keep_size": "256MB",
            "shared_buffers": "64MB",
            "fsync": "on",
        },
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def ensure_packages() -> None:
    """`make test-ha` installs them (as root); a clear message rather than a missing binary later."""
    missing = [
        p
        for p in ("/usr/bin/patroni", "/usr/bin/patronictl", "/usr/bin/etcd", str(BIN / "postgres"))
        if not Path(p).exists()
    ]
    if missing:
        raise RuntimeError(f"missing {', '.join(missing)}: apt-get install -y patroni etcd-server postgresql")


@dataclass
class Node:
    name: str
    pg_port: int
    api_port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def postmaster_pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid


@dataclass
class Cluster:
    folder: Path
    etcd_port: int
    peer_port: int
    nodes: list[Node]
    etcd: subprocess.Popen | None = None
    user: str = "postgres"
    started: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def create(cls, size: int = 3) -> Cluster:
        ensure_packages()
        folder = Path(tempfile.mkdtemp(prefix="raas-ha-"))
        account = pwd.getpwnam("postgres")
        nodes = []
        for i in range(size):
            node = Node(f"n{i}", free_port(), free_port(), folder / f"n{i}")
            node.folder.mkdir()
            nodes.append(node)
        cluster = cls(folder, free_port(), free_port(), nodes)
        for path in [folder, *(n.folder for n in nodes)]:
            os.chown(path, account.pw_uid, account.pw_gid)
            path.chmod(0o700)
        return cluster

    # -- the processes ---------------------------------------------------------------------------

    def _spawn(self, command: list[str], log: Path) -> subprocess.Popen:
        account = pwd.getpwnam(self.user)
        with log.open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=account.pw_uid,
                group=account.pw_gid,
                env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(self.folder), "LANG": "C.UTF-8"},
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def start(self, timeout: float = 120) -> None:
        peer = f"http://127.0.0.1:{self.peer_port}"
        self.etcd = self._spawn(
            [
                "etcd", "--name", "ha", "--data-dir", str(self.folder / "etcd"),
                "--listen-client-urls", self.etcd_url, "--advertise-client-urls", self.etcd_url,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", f"ha={peer}", "--initial-cluster-state", "new",
            ],
            self.folder / "etcd.log",
        )  # fmt: skip
        self._wait(lambda: self._get(f"{self.etcd_url}/health") is not None, timeout, "etcd to answer")
        for node in self.nodes:
            self.config(node).write_text(json.dumps(self._config(node), indent=1))
            self.start_patroni(node)
            # the first node bootstraps; the others clone it once it leads
            if node is self.nodes[0]:
                self._wait(lambda: self.leader() == "n0", timeout, "n0 to bootstrap and lead")
        self.wait_healthy(timeout)

    @property
    def etcd_url(self) -> str:
        return f"http://127.0.0.1:{self.etcd_port}"

    def config(self, node: Node) -> Path:
        return node.folder / "patroni.yml"

    def _config(self, node: Node) -> dict:
        address = f"127.0.0.1:{node.pg_port}"
        return {
            "scope": SCOPE,
            "name": node.name,
            "log": {"level": "INFO"},
            "restapi": {"listen": f"127.0.0.1:{node.api_port}", "connect_address": f"127.0.0.1:{node.api_port}"},
            "etcd3": {"hosts": [f"127.0.0.1:{self.etcd_port}"]},
            "bootstrap": {
                "dcs": DCS,
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            },
            "postgresql": {
                "listen": address,
                "connect_address": address,
                "data_dir": str(node.data),
                "bin_dir": str(BIN),
                "pgpass": str(node.folder / "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": PASSWORD},
                    "replication": {"username": "replicator", "password": PASSWORD},
                    "rewind": {"username": "rewinder", "password": PASSWORD},
                },
                "parameters": {"unix_socket_directories": str(node.folder)},
                "pg_hba": [
                    "local all all trust",
                    "host replication replicator 127.0.0.1/32 scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                ],
            },
            "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False, "nosync": False},
        }

    def start_patroni(self, node: Node) -> None:
        node.process = self._spawn(["patroni", str(self.config(node))], node.folder / "patroni.log")

    def kill_patroni(self, node: Node) -> None:
        """SIGKILL its Patroni; its PostgreSQL goes on running."""
        assert node.process is not None
        node.process.send_signal(signal.SIGKILL)
        node.process.wait()

    def kill_postmaster(self, node: Node) -> int:
        pid = node.postmaster_pid()
        assert pid is not None, f"{node.name} has no running postmaster"
        os.kill(pid, signal.SIGKILL)
        return pid

    def switchover(self, leader: str, candidate: str) -> str:
        done = subprocess.run(
            ["patronictl", "-c", str(self.config(self.node(leader))), "switchover", SCOPE,
             "--leader", leader, "--candidate", candidate, "--force"],
            capture_output=True, text=True, timeout=120, user=self.user, cwd=self.folder,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"patronictl switchover failed: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self) -> list[str]:
        """Ends everything this cluster started, by pid; returns the ports still listening after (none, normally)."""
        for node in self.nodes:
            if node.process and node.process.poll() is None:
                node.process.send_signal(signal.SIGTERM)  # Patroni stops its PostgreSQL first
        for node in self.nodes:
            if node.process:
                try:
                    node.process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()
        for node in self.nodes:  # a postmaster whose Patroni was killed, or that outlived it
            pid = node.postmaster_pid()
            if pid:
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown: the postmaster ends its backends
                deadline = time.monotonic() + 20
                while node.postmaster_pid() and time.monotonic() < deadline:
                    time.sleep(0.1)
                if node.postmaster_pid():
                    os.kill(pid, signal.SIGKILL)
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        ports = [self.etcd_port, self.peer_port, *(p for n in self.nodes for p in (n.pg_port, n.api_port))]
        deadline = time.monotonic() + 10
        while (left := [p for p in ports if listening(p)]) and time.monotonic() < deadline:
            time.sleep(0.2)
        return [str(p) for p in left]

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- what the cluster says ---------------------------------------------------------------------

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def _get(self, url: str, timeout: float = 2) -> dict | None:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:
                return json.loads(answer.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def members(self) -> list[dict]:
        """Patroni's view (GET /cluster) from the first member whose REST API answers."""
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                view = self._get(f"http://127.0.0.1:{node.api_port}/cluster")
                if view is not None:
                    return view.get("members", [])
        return []

    def leader(self) -> str | None:
        return next((m["name"] for m in self.members() if m["role"] == "leader" and m["state"] == "running"), None)

    def state(self) -> dict[str, str]:
        return {m["name"]: f"{m['role']}/{m['state']}" for m in self.members()}

    def healthy(self) -> bool:
        """A running leader, every other node a streaming replica, one of them the synchronous standby."""
        members = self.members()
        if len(members) != len(self.nodes) or self.leader() is None:
            return False
        [leader] = [m for m in members if m["role"] == "leader"]
        replicas = [m for m in members if m["role"] != "leader"]
        # on the leader's timeline with a known lag: streaming from it, not merely started (nor rewinding)
        return all(
            m["state"] in ("streaming", "running")
            and m.get("timeline") == leader.get("timeline")
            and isinstance(m.get("lag"), int)
            for m in replicas
        ) and any(m["role"] == "sync_standby" for m in replicas)

    def wait_healthy(self, timeout: float = 120) -> float:
        return self._wait(self.healthy, timeout, f"a healthy cluster (now {self.state()})")

    def wait_failover(self, old: str, timeout: float = 120) -> str:
        """Waits for another node than ``old`` to lead and run as a primary; returns its name."""
        found: list[str] = []

        def promoted() -> bool:
            leader = self.leader()
            if leader in (None, old) or not self.promoted(leader):
                return False
            found.append(leader)
            return True

        self._wait(promoted, timeout, f"a new primary after {old} (now {self.state()})")
        return found[-1]

    def sync_standby(self) -> str | None:
        return next((m["name"] for m in self.members() if m["role"] == "sync_standby"), None)

    def timeline(self, name: str) -> int | None:
        member = next((m for m in self.members() if m["name"] == name), None)
        return member.get("timeline") if member else None

    def promoted(self, name: str) -> bool:
        """Its PostgreSQL runs as a primary (holding the leader key comes a moment before the promotion)."""
        import psycopg

        try:
            with psycopg.connect(self.conninfo(name), connect_timeout=2, autocommit=True) as conn:
                return conn.execute("SELECT NOT pg_is_in_recovery()").fetchone()[0]
        except psycopg.Error:
            return False

    def conninfo(self, name: str, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.node(name).pg_port} dbname={database} user=postgres password={PASSWORD}"

    def url(self, database: str = "raas", order: list[str] | None = None, **query: str) -> str:
        """The multi-host URL of every node (libpq picks the first that answers as ``target_session_attrs``)."""
        nodes = [self.node(name) for name in order] if order else self.nodes
        hosts = ",".join(f"127.0.0.1:{n.pg_port}" for n in nodes)
        params = "&".join(f"{k}={v}" for k, v in {"target_session_attrs": "read-write", **query}.items())
        return f"postgresql://postgres:{PASSWORD}@{hosts}/{database}?{params}"

    def node_url(self, name: str, database: str = "raas") -> str:
        return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.node(name).pg_port}/{database}"

    def logs(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.folder.glob("**/*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"== {path.relative_to(self.folder)}\n" + "\n".join(text))
        return "\n".join(out)

    @staticmethod
    def _wait(condition, timeout: float, what: str) -> float:
        started = time.monotonic()
        while not condition():
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"waited {timeout:.0f} s for {what}")
            time.sleep(0.2)
        return time.monotonic() - started
