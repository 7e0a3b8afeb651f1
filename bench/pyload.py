"""The load generator bench.register falls back to when wrk is not installed (bench/load.py).

    python -m bench.pyload URL PLAN OFFSET MODE --connections 16 --duration 10

The same contract as bench/soap.lua (which see for PLAN, OFFSET and MODE): C keep-alive
HTTP/1.1 connections on asyncio protocols, one request outstanding on each, and one line
"BENCH_JSON {...}" at the end. Costlier than wrk (a Python process competes with the server
for the CPU), so the figures it gives are a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit


class Load:
    def __init__(self, prefix: bytes, suffix: bytes, ops: list[bytes], offset: int, mode: str, host: str, path: str):
        self.head = (
            f'POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: ""\r\n'
        )
        self.prefix, self.suffix, self.ops = prefix, suffix, ops
        self.next = offset
        self.mode = mode
        self.stop_at = 0.0
        self.latencies: list[float] = []
        self.counts = dict.fromkeys(("ok", "faults", "other", "changed", "merged", "items", "wrapped"), 0)
        self.errors = dict.fromkeys(("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"), 0)
        self.bytes = 0

    def request(self) -> bytes:
        if self.next >= len(self.ops):
            self.counts["wrapped"] += 1
        body = self.prefix + self.ops[self.next % len(self.ops)] + self.suffix
        self.next += 1
        return (self.head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    def answered(self, status: int, body: bytes, latency: float) -> None:
        self.latencies.append(latency)
        counts = self.counts
        if status >= 400:
            self.errors["status_errors"] += 1
        if status == 200 and b"Fault>" not in body:
            counts["ok"] += 1
            if self.mode == "register":
                counts["changed"] += b"changed>true<" in body
                counts["merged"] += b"mergedCount>" in body and b"mergedCount>0<" not in body
            elif self.mode == "list":
                counts["items"] += body.count(b"startDate>") // 2
        elif b"Fault>" in body:
            counts["faults"] += 1
        else:
            counts["other"] += 1


class Connection(asyncio.Protocol):
    def __init__(self, load: Load, finished: asyncio.Future) -> None:
        self.load = load
        self.finished = finished
        self.buffer = bytearray()
        self.sent = 0.0

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        if time.perf_counter() >= self.load.stop_at:
            self.transport.close()
            return
        self.buffer.clear()
        self.sent = time.perf_counter()
        self.transport.write(self.load.request())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").lower()
        status = int(head.split(" ", 2)[1])
        rest = self.buffer[end + 4 :]
        if "transfer-encoding: chunked" in head:
            if not rest.endswith(b"0\r\n\r\n"):
                return
            body = _dechunk(bytes(rest))
        else:
            length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0]) if "content-length:" in head else 0
            if len(rest) < length:
                return
            body = bytes(rest[:length])
        self.load.bytes += len(self.buffer)
        self.load.answered(status, body, time.perf_counter() - self.sent)
        self.send()

    def connection_lost(self, exc) -> None:
        if exc is not None:
            self.load.errors["read_errors"] += 1
        if not self.finished.done():
            self.finished.set_result(None)


def _dechunk(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while True:
        line_end = data.index(b"\r\n", i)
        size = int(data[i:line_end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[line_end + 2 : line_end + 2 + size]
        i = line_end + 2 + size + 2


async def run(load: Load, host: str, port: int, connections: int, duration: float) -> float:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    load.stop_at = started + duration
    done = []
    for _ in range(connections):
        finished = loop.create_future()
        try:
            await loop.create_connection(lambda f=finished: Connection(load, f), host, port)
        except OSError:
            load.errors["connect_errors"] += 1
            continue
        done.append(finished)
    await asyncio.gather(*done)
    return time.perf_counter() - started


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q / 100 * len(sorted_values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("plan")
    parser.add_argument("offset", type=int)
    parser.add_argument("mode", choices=("echo", "register", "list"))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args()
    with open(args.plan, "rb") as f:
        lines = f.read().split(b"\n")
    prefix, suffix, ops = lines[0], lines[1], [line for line in lines[2:] if line]
    url = urlsplit(args.url)
    load = Load(prefix, suffix, ops, args.offset, args.mode, url.netloc, url.path or "/")
    elapsed = asyncio.run(run(load, url.hostname, url.port or 80, args.connections, args.duration))
    values = sorted(load.latencies)
    figures = {
        "requests": len(values),
        "duration_us": int(elapsed * 1e6),
        "bytes": load.bytes,
        **{f"p{q}_us": int(percentile(values, q) * 1e6) for q in (50, 90, 99)},
        "max_us": int(values[-1] * 1e6) if values else 0,
        "mean_us": sum(values) / len(values) * 1e6 if values else 0.0,
        **load.counts,
        **load.errors,
    }
    print("BENCH_JSON " + json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
