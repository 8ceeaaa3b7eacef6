"""Whether a hostile request stalls the others: an unknown ``trial(id:)`` beside the README query.

An identifier that names no trial exactly makes ``trial(id:)`` compare every trial's names
case-insensitively, a read whose cost grows with the data (1.4 s at 10,000 trials). If that read
ran on the server's event loop, every other client would wait for it, however cheap its own
request. For each size N (argv; default 1,000 and 10,000), `kg serve` runs as shipped (its
defaults: one process, answer cache on) on a copy of ``loaded_store(N)`` (see server_restart.py),
and each round, on separate keep-alive connections:

- alone: the README query (made unique by an alias, so the answer cache cannot answer it) and
  ``{ __typename }``, with nothing else in flight;
- beside: a hostile ``trial(id: "no-such-trial-…")`` is sent, and once it has been in flight for
  ``--head-start`` ms the same two requests are timed while it runs; then the hostile one is
  awaited and its own latency kept. A round whose hostile request was still running when the two
  others were answered is counted (``overlapped``): then they did not wait for it. A hostile
  request may end at the server's time limit (5 s; ``timed out``), as it does at 100,000 trials.

Each size is measured twice: right after start, while the server's builder builds the read
projection beside the fresh copy (an unknown ``trial(id:)`` is then the store's search, in a
thread), and again once it has (the facets answer it by index; the seconds waited are printed).
A hostile request that ends before the others are answered does not overlap them.

Prints a markdown table: p50 and max of each, and the ratio of the README query's p50 beside the
hostile request to its p50 alone, all measured in one run (a ratio near 1 means no stall). Every
answer is checked (200, no GraphQL errors, the README answer equal to the one computed in this
process, the hostile one ``null`` or the time-limit error). The warm-up sends each request three
times first: the first scans of a fresh copy read it from disk.
Run: ``python benchmarks/event_loop_stall.py [N ...] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import loaded_store  # noqa: E402
from server_restart import (  # noqa: E402
    README_QUERY,
    clone_store,
    expected_readme_answer,
    running_server,
)

from kg.projection import Projection, projection_path  # noqa: E402

TYPENAME = "{ __typename }"


def unique_readme(round_: int, kind: str) -> str:
    """The README query with its root field aliased per request: a new key for the answer cache,
    the same work for the server."""
    return README_QUERY.replace("trial(id:", f"r{kind}{round_}: trial(id:", 1)


def hostile(round_: int) -> str:
    return f'{{ trial(id: "no-such-trial-{round_}") {{ acronym }} }}'


@dataclass
class Samples:
    """Latencies in seconds, by what was asked and when."""

    readme_alone: list[float] = field(default_factory=list)
    typename_alone: list[float] = field(default_factory=list)
    readme_beside: list[float] = field(default_factory=list)
    typename_beside: list[float] = field(default_factory=list)
    hostile: list[float] = field(default_factory=list)
    overlapped: int = 0
    timed_out: int = 0


async def timed_post(
    client: httpx.AsyncClient, query: str, *, may_time_out: bool = False
) -> tuple[float, dict[str, object] | None]:
    """Latency and ``data`` of one request; ``None`` for a hostile request that reached the
    server's time limit (its answer then), any other error fails the run."""
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": query})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    if may_time_out and "time limit" in json.dumps(body.get("errors", "")):
        return elapsed, None
    assert "errors" not in body, body["errors"]
    data: dict[str, object] = body["data"]
    return elapsed, data


def check_readme(data: dict[str, object] | None, expected: object) -> None:
    assert data is not None
    (answer,) = data.values()
    assert answer == expected["trial"], "the README answer differs"  # type: ignore[index]


async def measure(url: str, rounds: int, head_start: float, expected: object) -> Samples:
    samples = Samples()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=url, timeout=600, limits=limits) for _ in range(3)
    ]
    hostile_client, readme_client, typename_client = clients
    try:
        for warm in range(3):  # connections open, code paths warm, first reads of the store done
            check_readme((await timed_post(readme_client, unique_readme(warm, "w")))[1], expected)
            await timed_post(typename_client, TYPENAME)
            await timed_post(hostile_client, hostile(-1 - warm), may_time_out=True)
        for round_ in range(rounds):
            elapsed, data = await timed_post(readme_client, unique_readme(round_, "a"))
            check_readme(data, expected)
            samples.readme_alone.append(elapsed)
            samples.typename_alone.append((await timed_post(typename_client, TYPENAME))[0])

            in_flight = asyncio.ensure_future(
                timed_post(hostile_client, hostile(round_), may_time_out=True)
            )
            await asyncio.sleep(head_start)
            readme, typename = await asyncio.gather(
                timed_post(readme_client, unique_readme(round_, "b")),
                timed_post(typename_client, TYPENAME),
            )
            overlapped = not in_flight.done()
            slow, answer = await in_flight
            assert answer in ({"trial": None}, None), answer
            samples.timed_out += answer is None
            check_readme(readme[1], expected)
            samples.readme_beside.append(readme[0])
            samples.typename_beside.append(typename[0])
            samples.hostile.append(slow)
            samples.overlapped += overlapped
    finally:
        for client in clients:
            await client.aclose()
    return samples


def wait_for_projection(store: Path, seconds: float = 3600) -> float:
    """Seconds until the server's builder has completed the read projection beside ``store``
    (its facets answer the unknown ``trial(id:)``; until then the store's search does)."""
    started = time.monotonic()
    projection = Projection(projection_path(f"oxigraph:{store}") or store, format=None)
    try:
        while projection.complete() is None:
            if time.monotonic() - started > seconds:
                raise RuntimeError(f"the projection of {store} was not built in {seconds} s")
            time.sleep(1)
    finally:
        projection.close()
    return time.monotonic() - started


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.1f} / {max(values) * 1000:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--head-start", type=float, default=50.0, help="ms the hostile request runs first"
    )
    args = parser.parse_args()
    expected = expected_readme_answer()
    rows = []
    for size in args.sizes:
        copy = clone_store(loaded_store(size))
        try:
            with running_server(copy) as server:
                building = asyncio.run(
                    measure(server.url, args.rounds, args.head_start / 1000, expected)
                )
                waited = wait_for_projection(copy)
                built = asyncio.run(
                    measure(server.url, args.rounds, args.head_start / 1000, expected)
                )
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
        for state, samples in (("being built", building), (f"built ({waited:.0f} s)", built)):
            ratio = statistics.median(samples.readme_beside) / statistics.median(
                samples.readme_alone
            )
            rows.append(
                f"| {size:,} | {state} | {ms(samples.hostile)} | {ms(samples.readme_alone)} | "
                f"{ms(samples.readme_beside)} | {ratio:.1f}x | {ms(samples.typename_alone)} | "
                f"{ms(samples.typename_beside)} | {samples.overlapped}/{args.rounds} | "
                f"{samples.timed_out}/{args.rounds} |"
            )
            print(json.dumps({"trials": size, "projection": state, **vars(samples)}),
                  file=sys.stderr)
    print(
        f"`kg serve` (defaults), {args.rounds} rounds, hostile request {args.head_start:.0f} ms "
        "ahead; p50 / max in ms"
    )
    print()
    print(
        "| trials | read projection | hostile trial(id:) | README alone | README beside hostile "
        "| ratio | __typename alone | __typename beside hostile | rounds overlapped "
        "| hostile timed out |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
