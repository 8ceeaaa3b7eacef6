"""Requests per second of the README GraphQL query over HTTP, from a load generator on loopback.

The load generator is this process; the server is `kg serve` in another (on a copy of
``loaded_store(N)``, see server_restart.py). The client is a small raw-socket HTTP/1.1 client on
asyncio (uvloop when installed): ``--concurrency`` keep-alive connections, each sending the next
request as soon as the previous answer arrived, for ``--seconds``. Why not httpx: its async
client spends about as much CPU per request as the server does, on the same two cores, and would
measure itself. Every answer is checked: a non-200, a GraphQL error or an answer other than the
one computed in this process (an in-memory build of the curated data) counts as an error.

Each configuration is a separate server start: ``baseline`` (plain asyncio and h11, access log
on: uvicorn without its ``[standard]`` extras), ``default`` (`kg serve` as shipped: uvloop,
httptools, access log on), ``no-access-log``, ``workers-2`` (``KG_WORKERS=2``), ``cache``
(``KG_GRAPHQL_CACHE``) and ``cache-workers-2``. Each server is driven at every connection count
of ``--concurrency`` (``1,16``: one run, so the ratio between them is fair).

``--unique`` makes every request's document new, as frontends asking for different things do:
an aliased ``__typename`` with a running number is added to the README query, so no answer
cache and no parse memo can answer it, and the server parses and validates each one. Prints a
markdown table. Run: ``python benchmarks/http_throughput.py [N ...] [--seconds 30]
[--configs default,cache] [--concurrency 1,16] [--unique]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import loaded_store  # noqa: E402
from server_restart import (  # noqa: E402
    README_QUERY,
    Server,
    clone_store,
    expected_readme_answer,
    free_port,
    running_server,
    serve_environment,
    stop_server,
    wait_for,
)

CONFIGS: dict[str, dict[str, str]] = {
    "baseline": {"KG_ACCESS_LOG": "1"},
    "default": {"KG_ACCESS_LOG": "1"},
    "no-access-log": {"KG_ACCESS_LOG": "0"},
    "workers-2": {"KG_ACCESS_LOG": "0", "KG_WORKERS": "2"},
    "cache": {"KG_ACCESS_LOG": "0", "KG_GRAPHQL_CACHE": "256"},
    "cache-workers-2": {"KG_ACCESS_LOG": "0", "KG_GRAPHQL_CACHE": "256", "KG_WORKERS": "2"},
}
"""Environment of each configuration's server (on top of KG_STORE and KG_PORT)."""


@dataclass
class Tally:
    """What the connections saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    good_body: bytes | None = None


class Checker:
    """Decides whether an answer is the expected one; byte-compares after the first good one."""

    def __init__(self, expected: object, tally: Tally) -> None:
        self.expected = expected
        self.tally = tally

    def ok(self, status: int, body: bytes) -> bool:
        if status != 200:
            return self._error(f"HTTP {status}: {body[:200]!r}")
        if body == self.tally.good_body:
            return True
        try:
            document = json.loads(body)
        except ValueError:
            return self._error(f"not JSON: {body[:200]!r}")
        data = document.get("data")
        if isinstance(data, dict):  # --unique's marker is not part of the README answer
            data = {k: v for k, v in data.items() if not k.startswith(UNIQUE_ALIAS)}
        if "errors" in document or data != self.expected:
            return self._error(f"wrong answer: {body[:300]!r}")
        self.tally.good_body = body
        return True

    def _error(self, message: str) -> bool:
        self.tally.errors += 1
        self.tally.first_error = self.tally.first_error or message
        return False


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response: status and body (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(chunks)
            chunks.append(chunk[:-2])
    raise RuntimeError("response without Content-Length or chunked body")


UNIQUE_ALIAS = "unique_"
"""How --unique's added field's alias starts; its answer is dropped before the answer is checked."""


NUMBERS = itertools.count()
"""--unique's running number, across every run of this process (a server asked twice would
otherwise answer the second run's documents from its answer cache)."""


def requests(host: str, port: str, unique: bool) -> Callable[[], bytes]:
    """The next request to send: the README query, or with --unique one never sent before."""

    def encoded(query: str) -> bytes:
        body = json.dumps({"query": query}).encode()
        return (
            f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json"
            f"\r\nAccept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    same = encoded(README_QUERY)
    if not unique:
        return lambda: same
    opening = README_QUERY.index("{") + 1

    def new() -> bytes:
        # A numbered alias: every document differs, even printed back from its syntax tree
        # (as the answer cache keys it), while the answer bar the marker stays the README's.
        marker = f"\n  {UNIQUE_ALIAS}{next(NUMBERS)}: __typename"
        return encoded(README_QUERY[:opening] + marker + README_QUERY[opening:])

    return new


async def connection(
    host: str,
    port: int,
    request: Callable[[], bytes],
    stop_at: float,
    checker: Checker,
    tally: Tally,
) -> None:
    """One keep-alive connection sending requests back to back until ``stop_at``."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            writer.write(request())
            try:
                status, body = await read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                checker.ok(0, repr(error).encode())
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            tally.latencies.append(time.perf_counter() - started)
            checker.ok(status, body)
    finally:
        writer.close()


def drive(
    url: str, seconds: float, concurrency: int, expected: object, unique: bool = False
) -> dict[str, float]:
    """Load ``url`` for ``seconds`` with ``concurrency`` connections; figures of the run."""
    host, port = url.removeprefix("http://").split(":")
    request = requests(host, port, unique)
    tally = Tally()
    checker = Checker(expected, tally)

    async def run() -> float:
        stop_at = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(
            *(connection(host, int(port), request, stop_at, checker, tally)
              for _ in range(concurrency))
        )
        return time.monotonic() - started

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        import uvloop

        elapsed = uvloop.run(run())
    except ImportError:
        elapsed = asyncio.run(run())
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    ordered = sorted(tally.latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    if tally.first_error:
        print(f"#   first error: {tally.first_error}", file=sys.stderr)
    return {
        "requests": len(ordered),
        "rps": (len(ordered) - tally.errors) / elapsed,
        "p50": statistics.median(ordered) * 1000 if ordered else 0.0,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": tally.errors,
        "client_cpu": cpu / elapsed,
    }


@contextmanager
def baseline_server(store: Path, extra: Mapping[str, str]) -> Iterator[Server]:
    """The same app under plain uvicorn with asyncio and h11 (no ``[standard]`` extras)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--loop", "asyncio", "--http", "h11"]
    process = subprocess.Popen(command, cwd=ROOT, env=serve_environment(store, port, extra),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_for(server, "/health", lambda response: response.status_code == 200, 600)
        yield server
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", default="8",
                        help="comma-separated connection counts, each driven on every server")
    parser.add_argument("--unique", action="store_true",
                        help="a document never sent before in every request (see above)")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help="comma-separated, from: " + ", ".join(CONFIGS))
    args = parser.parse_args()
    names = [name.strip() for name in args.configs.split(",") if name.strip()]
    counts = [int(count) for count in args.concurrency.split(",")]
    expected = expected_readme_answer()
    rows = []
    for trials in args.sizes:
        store = clone_store(loaded_store(trials))
        try:
            for name in names:
                extra = CONFIGS[name]
                starter = baseline_server if name == "baseline" else running_server
                with starter(store, extra) as server:
                    drive(server.url, 2.0, counts[-1], expected, args.unique)  # warm-up
                    for count in counts:
                        figures = drive(server.url, args.seconds, count, expected, args.unique)
                        print(f"# {trials:,} trials, {name}, {count} connections: {figures}",
                              file=sys.stderr)
                        rows.append((trials, name, count, figures))
        finally:
            shutil.rmtree(store.parent, ignore_errors=True)
    kind = "a new document each request (--unique)" if args.unique else "the same document"
    print(f"README query over HTTP, {kind}, {args.seconds:g} s per run, keep-alive "
          f"connections, load generator in this process "
          f"(raw sockets, {os.cpu_count()} cores shared with the server)\n")
    print("| trials | configuration | connections | req/s | p50 ms | p95 ms | p99 ms | requests "
          "| errors | load generator CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for trials, name, count, f in rows:
        print(f"| {trials:,} | {name} | {count} | {f['rps']:,.0f} | {f['p50']:.2f} | {f['p95']:.2f} "
              f"| {f['p99']:.2f} | {f['requests']:,} | {f['errors']} "
              f"| {f['client_cpu'] * 100:.0f}% of a core |")
    print("\nTarget: at least 1,000 req/s with zero errors over 30 s.")


if __name__ == "__main__":
    main()
