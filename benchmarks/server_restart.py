"""How long `kg serve` takes to (re)start on an on-disk store, against opening the store raw.

For each size N (argv; default 1,000 and 10,000), on a copy of ``loaded_store(N)`` (the server may
write; the copy hard-links the store's immutable ``.sst`` files, so it costs no disk and no time):

- first start: the copy has no build fingerprint yet, so the server rebuilds the curated graphs;
- restart: the fingerprint matches, nothing is rebuilt (median of ``--restarts`` runs);
- raw: a fresh Python process that opens the same store with pyoxigraph and runs one query (the
  README trial's lookup by registry id), the floor any server on this store must pay. Not the
  whole README query as one SPARQL query (kg/queries/readmodel/benchmark_readme.rq): that one
  takes about a second already at 1,000 trials and would measure the query, not the opening.

Each start is timed from process spawn to the first 200 from ``/health`` and to the first correct
answer to the README GraphQL query (compared with the answer computed in this process on an
in-memory build of the curated data, which the synthetic trials do not touch). Prints a markdown
table. Run: ``python benchmarks/server_restart.py 1000 10000 100000``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import bench_dir, loaded_store  # noqa: E402

README_QUERY = (ROOT / "api" / "graphql" / "examples" / "readme_query.graphql").read_text(
    encoding="utf-8"
)
KG = str(Path(sys.executable).parent / "kg")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clone_store(source: Path) -> Path:
    """A writable copy of an on-disk store, in a fresh folder beside the benchmark cache.

    RocksDB never rewrites an ``.sst`` file (compaction writes new ones and unlinks the old), so
    those are hard-linked; the logs, manifest and options, which it appends to, are copied.
    """
    parent = bench_dir() / "tmp"
    parent.mkdir(exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=f"{source.name}-", dir=parent)) / "store"
    target.mkdir()
    for entry in source.iterdir():
        if entry.name in ("LOCK", "READY"):
            continue
        if entry.suffix == ".sst":
            os.link(entry, target / entry.name)
        else:
            shutil.copy2(entry, target / entry.name)
    return target


def expected_readme_answer() -> object:
    """The README query's ``data``, computed in this process on an in-memory build."""
    from api.graphql.context import make_context
    from api.graphql.schema import build_schema
    from kg.build import build_store
    from kg.settings import Settings

    store = build_store(Settings.from_env({}))

    async def execute() -> object:
        context = await make_context(store, 10.0)
        result = await build_schema().execute(README_QUERY, context_value=context)
        assert result.errors is None, result.errors
        return result.data

    return asyncio.run(execute())


@dataclass(frozen=True)
class Server:
    """A running `kg serve` and its URL."""

    process: subprocess.Popen[bytes]
    url: str


def serve_environment(store: Path, port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_STORE": f"oxigraph:{store}", "KG_PORT": str(port), "KG_ACCESS_LOG": "0"})
    env.update(extra or {})
    return env


def spawn_server(store: Path, extra: Mapping[str, str] | None = None) -> Server:
    """Start `kg serve` on ``store`` (by its own pid; stop it with :func:`stop_server`)."""
    port = free_port()
    process = subprocess.Popen(
        [KG, "serve"],
        cwd=ROOT,
        env=serve_environment(store, port, extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server(process, f"http://127.0.0.1:{port}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@contextmanager
def running_server(store: Path, extra: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`kg serve` on ``store``, answering ``/health``, stopped afterwards."""
    server = spawn_server(store, extra)
    try:
        wait_for(server, "/health", lambda response: response.status_code == 200, 600)
        yield server
    finally:
        stop_server(server)


def wait_for(
    server: Server,
    path: str,
    ok: Callable[[httpx.Response], bool],
    seconds: float,
    body: object = None,
    started: float | None = None,
) -> float:
    """Poll until ``ok(response)``; return the seconds since ``started`` (default: now)."""
    started = time.monotonic() if started is None else started
    with httpx.Client(timeout=30) as client:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"kg serve exited with {server.process.returncode}")
            try:
                if body is None:
                    response = client.get(server.url + path)
                else:
                    response = client.post(server.url + path, json=body)
                if ok(response):
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            if time.monotonic() - started > seconds:
                raise RuntimeError(f"{path} not ready within {seconds} s")
            time.sleep(0.005)


def time_start(store: Path, expected: object) -> tuple[float, float]:
    """Seconds from spawn to the first 200 from /health and to the first correct README answer."""

    def correct(response: httpx.Response) -> bool:
        if response.status_code != 200:
            return False
        document = response.json()
        if document.get("data") != expected or "errors" in document:
            raise RuntimeError(f"wrong README answer: {json.dumps(document)[:300]}")
        return True

    started = time.monotonic()
    server = spawn_server(store)
    try:
        health = wait_for(server, "/health", lambda r: r.status_code == 200, 600, None, started)
        answer = wait_for(server, "/graphql", correct, 60, {"query": README_QUERY}, started)
        return health, answer
    finally:
        stop_server(server)


RAW = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
rows = list(store.query(sys.argv[2], use_default_graph_as_union=True))
assert rows, "no rows"
"""
RAW_QUERY = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT ?trial ?label WHERE {
  ?trial ekg:registration/ekg:registryId "NCT01593254" .
  OPTIONAL { ?trial <http://www.w3.org/2000/01/rdf-schema#label> ?label }
}
"""


def time_raw(store: Path) -> float:
    """Seconds for a fresh interpreter to open the store with pyoxigraph and run the query."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", RAW, str(store), RAW_QUERY], check=True)
    return time.monotonic() - started


def measure(trials: int, restarts: int, expected: object) -> dict[str, float]:
    source = loaded_store(trials)
    store = clone_store(source)
    try:
        first_health, first_answer = time_start(store, expected)
        health, answer, raw = [], [], []
        for _ in range(restarts):
            h, a = time_start(store, expected)
            health.append(h)
            answer.append(a)
            raw.append(time_raw(store))
        return {
            "first_health": first_health,
            "first_answer": first_answer,
            "health": statistics.median(health),
            "answer": statistics.median(answer),
            "raw": statistics.median(raw),
        }
    finally:
        shutil.rmtree(store.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--restarts", type=int, default=3, help="measured restarts per size")
    args = parser.parse_args()
    expected = expected_readme_answer()
    rows = []
    for trials in args.sizes:
        figures = measure(trials, args.restarts, expected)
        rows.append((trials, figures))
        print(f"# {trials:,} trials: {figures}", file=sys.stderr)
    print("| trials | first start: /health s | first start: README answer s "
          "| restart: /health s | restart: README answer s | raw open + query s "
          "| restart ratio (answer / raw) |")
    print("|---|---|---|---|---|---|---|")
    for trials, f in rows:
        print(
            f"| {trials:,} | {f['first_health']:.2f} | {f['first_answer']:.2f} "
            f"| {f['health']:.2f} | {f['answer']:.2f} | {f['raw']:.2f} "
            f"| {f['answer'] / f['raw']:.1f}x |"
        )
    print(f"\nMedians of {args.restarts} restarts; first start rebuilds the curated graphs "
          "(the cached store has no build fingerprint). Target: restart under 2 s at 100,000.")


if __name__ == "__main__":
    main()
