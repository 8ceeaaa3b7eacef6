"""Latency of the README GraphQL query, in-process and over HTTP, against hand-written SPARQL.

Prints the median and 95th percentile of: the equivalent single SPARQL query on the store,
``schema.execute`` in-process, and POST /graphql to uvicorn on loopback (httpx, keep-alive);
then the GraphQL layer's overhead as ratios to the SPARQL figure. Run: ``python
benchmarks/graphql_latency.py [--runs N]`` (``make bench`` runs it with the defaults). This is
the DASCERN-only figure; benchmarks/graphql_scale.py measures the same query, and a filtered
list, over 1,000 to 100,000 synthetic trials on disk.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serving import uvicorn_app  # noqa: E402

from api.graphql.context import make_context  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from kg import queries  # noqa: E402
from kg.build import build_store  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.store import select  # noqa: E402

README_QUERY = (ROOT / "api" / "graphql" / "examples" / "readme_query.graphql").read_text(
    encoding="utf-8"
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


Mode = Callable[[], Awaitable[None]]


async def measure(modes: dict[str, Mode], runs: int, warmup: int = 20) -> dict[str, list[float]]:
    """Run the modes round-robin, so a burst of load on the machine hits them all alike."""
    samples: dict[str, list[float]] = {name: [] for name in modes}
    for index in range(warmup + runs):
        for name, mode in modes.items():
            started = time.perf_counter()
            await mode()
            if index >= warmup:
                samples[name].append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300, help="measured runs per mode")
    args = parser.parse_args()
    settings = Settings.from_env({})
    store = build_store(settings)
    schema = build_schema()
    sparql = queries.load("readmodel/benchmark_readme")
    assert select(store, sparql).rows, "the equivalent SPARQL query found nothing"

    async def run_sparql() -> None:
        select(store, sparql)

    def in_process(inline_reads: bool) -> Mode:
        async def run() -> None:
            context = await make_context(store, 5.0, inline_reads=inline_reads)
            result = await schema.execute(README_QUERY, context_value=context)
            assert result.errors is None, result.errors

        return run

    served = uvicorn_app("api.app:create_app", {}, health="/healthz", start_seconds=30)
    with served as url, httpx.Client(base_url=url, timeout=10) as client:

        async def over_http() -> None:
            response = client.post("/graphql", json={"query": README_QUERY})
            assert response.status_code == 200 and "errors" not in response.json()

        modes: dict[str, Mode] = {
            "SPARQL, one hand-written query": run_sparql,
            "GraphQL in-process (schema.execute)": in_process(inline_reads=True),
            "  same, store calls in worker threads": in_process(inline_reads=False),
            "GraphQL over HTTP (uvicorn, httpx)": over_http,
        }
        samples = asyncio.run(measure(modes, args.runs))
    figures = {name: percentiles(values) for name, values in samples.items()}
    print(f"README query, {args.runs} runs per mode (round-robin), oxigraph in memory")
    for name, (median, p95) in figures.items():
        print(f"  {name:40s} median {median:7.2f} ms   p95 {p95:7.2f} ms")
    base = figures["SPARQL, one hand-written query"][0]
    process = figures["GraphQL in-process (schema.execute)"][0]
    http = figures["GraphQL over HTTP (uvicorn, httpx)"][0]
    print(f"  GraphQL overhead vs SPARQL, in-process: {process / base:4.1f}x (medians)")
    print(f"  GraphQL overhead vs SPARQL, over HTTP:  {http / base:4.1f}x (medians)")


if __name__ == "__main__":
    main()
