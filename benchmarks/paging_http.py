"""Frontends paging through listings at once, over HTTP: `kg serve` with and without its memories.

Usage: python benchmarks/paging_http.py [N ...] [--walkers 3] [--pages 5]
(synthetic trials; default 10000)

For each N, `kg serve` runs on a copy of ``corpus.loaded_store(N)`` twice: as shipped on an
embedded store (answer cache on; the listings read the read projection's facets once the
server's builder has put them, the store's SPARQL before) and with ``KG_GRAPHQL_CACHE=0`` (no
answer kept). ``--walkers`` clients per listing (eight listings:
unfiltered, by drug, phase, condition, three texts, text and drug) each walk up to ``--pages``
pages of 20 trials with their arms and totalCount, all at once (httpx, one connection each),
first with the server's memories empty, then the same walks again. A walk fails if a page
errs, if its totalCount changes between pages, if a trial comes twice; the two servers' walks
must give the same trials. The request limit is raised to 60 s so that the cold run's queue
shows as time, not as errors. Prints seconds per run and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from corpus import loaded_store  # noqa: E402
from server_restart import clone_store, running_server  # noqa: E402

PAGE = """query ($filter: TrialFilter, $after: String) {
  trials(filter: $filter, first: 20, after: $after) {
    totalCount
    edges { node { id acronym arms { label } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
LISTINGS: list[dict[str, str]] = [
    {},
    {"drug": "dasatinib"},
    {"phase": "3"},
    {"condition": "leukemia"},
    {"text": "syn-0001"},
    {"text": "SYN-00002"},
    {"text": "no such trial"},
    {"text": "trial syn-000", "drug": "imatinib"},
]
SERVERS = {"kg serve (memories on)": {}, "KG_GRAPHQL_CACHE=0": {"KG_GRAPHQL_CACHE": "0"}}

Walk = tuple[int, tuple[str, ...]]
"""A walk's totalCount and the trials it saw, in order."""


async def walk(client: httpx.AsyncClient, where: dict[str, str], pages: int) -> Walk:
    after: str | None = None
    seen: list[str] = []
    totals: set[int] = set()
    for _ in range(pages):
        response = await client.post(
            "/graphql", json={"query": PAGE, "variables": {"filter": where, "after": after}}
        )
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or "errors" in body:
            raise SystemExit(f"{where}: {response.status_code} {body}")
        page = body["data"]["trials"]
        totals.add(page["totalCount"])
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    if len(totals) != 1 or len(seen) != len(set(seen)):
        raise SystemExit(f"{where}: totalCount {totals}, {len(seen)} trials seen")
    return totals.pop(), tuple(seen)


async def run(url: str, walkers: int, pages: int) -> tuple[float, list[Walk]]:
    """Seconds for every walker's walk, all at once, and the walks."""
    limits = httpx.Limits(max_connections=walkers * len(LISTINGS))
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        started = time.perf_counter()
        walks = await asyncio.gather(
            *(walk(client, where, pages) for where in LISTINGS for _ in range(walkers))
        )
        return time.perf_counter() - started, list(walks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10000])
    parser.add_argument("--walkers", type=int, default=3, help="clients per listing")
    parser.add_argument("--pages", type=int, default=5, help="pages each client walks at most")
    args = parser.parse_args()
    print("| trials | server | requests | cold: s | again: s |")
    print("|---|---|---|---|---|")
    for trials in args.sizes:
        answers: dict[str, list[Walk]] = {}
        timings: dict[str, tuple[float, float]] = {}
        store = clone_store(loaded_store(trials))
        try:
            for name, extra in SERVERS.items():
                with running_server(store, {**extra, "KG_QUERY_TIMEOUT": "60"}) as server:
                    cold, walks = asyncio.run(run(server.url, args.walkers, args.pages))
                    again, repeated = asyncio.run(run(server.url, args.walkers, args.pages))
                if repeated != walks:
                    raise SystemExit(f"{name}: the second run gave other trials")
                answers[name], timings[name] = walks, (cold, again)
        finally:
            shutil.rmtree(store.parent, ignore_errors=True)
        first, second = answers.values()
        if first != second:
            raise SystemExit(f"{trials:,} trials: the two servers' walks differ")
        requests = sum(-(-max(len(seen), 1) // 20) for _, seen in first)
        for name, (cold, again) in timings.items():
            print(f"| {trials:,} | {name} | {requests:,} | {cold:.1f} | {again:.2f} |", flush=True)
        (memory_cold, memory_again), (plain_cold, plain_again) = timings.values()
        print(
            f"\n{trials:,} trials: the memories answer {plain_cold / memory_cold:.1f}x faster "
            f"cold and {plain_again / memory_again:.0f}x faster the second time.\n",
            flush=True,
        )


if __name__ == "__main__":
    main()
