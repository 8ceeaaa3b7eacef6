"""Latency of the README GraphQL query, in-process and over HTTP, against hand-written SPARQL.

Prints the median and 95th percentile of: the equivalent single SPARQL query on the store,
``schema.execute`` in-process, and POST /graphql to uvicorn on loopback (httpx, keep-alive);
then the GraphQL layer's overhead as ratios to the SPARQL figure. Run: ``python
benchmarks/graphql_latency.py [--runs N]`` (``make bench`` runs it with the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.graphql.context import make_context, runs_inline  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from kg import queries  # noqa: E402
from kg.build import build_store  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.store import Store, select  # noqa: E402

README_QUERY = (ROOT / "api" / "graphql" / "examples" / "readme_query.graphql").read_text(
    encoding="utf-8"
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(run: Callable[[], object], runs: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def sparql_samples(store: Store, runs: int) -> list[float]:
    query = queries.load("readmodel/benchmark_readme")
    rows = select(store, query).rows
    assert rows, "the equivalent SPARQL query found nothing"
    return timed(lambda: select(store, query), runs)


def in_process_samples(store: Store, runs: int, threaded: bool) -> list[float]:
    schema = build_schema()

    async def measure() -> list[float]:
        async def once() -> None:
            context = await make_context(store, 5.0, threaded=threaded)
            result = await schema.execute(README_QUERY, context_value=context)
            assert result.errors is None, result.errors

        for _ in range(20):
            await once()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await once()
            samples.append(time.perf_counter() - started)
        return samples

    return asyncio.run(measure())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_samples(runs: int) -> list[float]:
    """POST the README query to a uvicorn we start on loopback and stop by its pid."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.1)

            def post() -> None:
                response = client.post("/graphql", json={"query": README_QUERY})
                assert response.status_code == 200 and "errors" not in response.json()

            return timed(post, runs)
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300, help="measured runs per mode")
    args = parser.parse_args()
    settings = Settings.from_env({})
    store = build_store(settings)
    inline = runs_inline(settings.store)
    figures = {
        "SPARQL (one hand-written query)": percentiles(sparql_samples(store, args.runs)),
        "GraphQL in-process (schema.execute)": percentiles(
            in_process_samples(store, args.runs, threaded=not inline)
        ),
        "  same, store calls in threads": percentiles(
            in_process_samples(store, args.runs, threaded=True)
        ),
        "GraphQL over HTTP (uvicorn, httpx)": percentiles(http_samples(args.runs)),
    }
    print(f"README query, {args.runs} runs each, store: oxigraph in memory")
    for name, (median, p95) in figures.items():
        print(f"  {name:40s} median {median:7.2f} ms   p95 {p95:7.2f} ms")
    sparql = figures["SPARQL (one hand-written query)"][0]
    in_process = figures["GraphQL in-process (schema.execute)"][0]
    http = figures["GraphQL over HTTP (uvicorn, httpx)"][0]
    print(f"  overhead in-process vs SPARQL: {in_process / sparql:5.1f}x (median)")
    print(f"  overhead over HTTP vs SPARQL:  {http / sparql:5.1f}x (median)")


if __name__ == "__main__":
    main()
