"""The read projection at N synthetic trials (issue 14): what building it costs, what it weighs,
and never-read pages of the filtered list with it and without it, over HTTP, in one run.

For each N (argv; default 1,000 and 10,000): the cached store of ``corpus.loaded_store(N)`` is
copied to ``projection-N/store`` under the bench folder (a RocksDB checkpoint: hard links, no
copy of the data) and given the catalog ``kg serve`` writes (so that it has a data generation).
The projection beside it (:mod:`kg.projection`) is then completed by the builder a server runs
(:class:`api.graphql.documents.ProjectionBuilder`), timed: documents, seconds, ms a trial, the
seconds of it spent on the facets (what the listings read), the file's size and the building
process's peak memory (a rerun finds it complete and says so).

Then up to ``--pages`` pages of ``api/graphql/examples/filtered_list.graphql`` no request asked
before, each the page after the last, are walked over HTTP from ``kg serve`` on the copy (as
the issue measures it: one process, uvloop and httptools, the garbage collector tuned for
serving): first with the projection (``KG_PROJECTION=1``; the server's builder has found
nothing to build), then, from where that walk stopped, as many with it off
(``KG_PROJECTION=0``: the listing and its count are then the store's SPARQL, as on a remote
store), then as many more with it on again, the cursor given as a variable
(``$after``) as a frontend writes it, so that every page is one text, validated once (with the
cursor in the text, validation is 3.3 ms of each page). Answer cache off: every page is new
anyway. Every page is checked: 50 trials, none seen before. Last, the same query in the
store's own SPARQL (graphql_scale.py's mode a), five times, for the ratio the issue asks for.
Printed: a markdown table per size.

Run: ``python benchmarks/projection.py [N ...] [--pages P]``.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pyoxigraph as ox  # noqa: E402
from corpus import bench_dir, loaded_store  # noqa: E402
from graphql_scale import (  # noqa: E402
    FILTERED_LIST,
    PAGE,
    ask_filtered_list,
    direct_rows,
    page_after,
)
from server_restart import running_server  # noqa: E402

from api.graphql.documents import ProjectionBuilder  # noqa: E402
from kg.build import ensure_built  # noqa: E402
from kg.projection import Projection, projection_path  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.store import open_store  # noqa: E402


def projected_store(trials: int) -> Path:
    """A copy of the cached store of ``trials`` trials with a catalog (made once)."""
    target = bench_dir() / f"projection-{trials}" / "store"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        source = ox.Store.read_only(str(loaded_store(trials)))
        source.backup(str(target))
        del source
    return target


def build(path: Path) -> dict[str, float]:
    """Complete the projection of the store at ``path``; what that took."""
    settings = Settings.from_env({}).with_overrides(store=f"oxigraph:{path}")
    store = open_store(settings.store)
    try:
        ensure_built(store, settings)
        located = projection_path(settings.store)
        assert located is not None
        projection = Projection(located)
        builder = ProjectionBuilder(store, settings.base_iri, projection)
        started = time.perf_counter()
        built = builder.build_once()
        seconds = time.perf_counter() - started
        projection.close()
    finally:
        store.close()
    return {
        "built": built,
        "facets_s": builder.facets_seconds,
        "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "build_s": seconds,
        "ms_per_trial": seconds * 1000 / built if built else 0.0,
        "file_gb": located.stat().st_size / 1e9,
    }


def direct_sparql(path: Path, runs: int = 5) -> list[float]:
    """Seconds of the filtered list asked of the store in its own SPARQL (the page with its
    count, then its details: graphql_scale.py's mode a), ``runs`` times, the first cold."""
    store = ox.Store.read_only(str(path))

    async def run(sparql: str) -> list[dict[str, str]]:
        return direct_rows(store, sparql)

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = asyncio.run(ask_filtered_list(run))
        times.append(time.perf_counter() - started)
        assert rows, "the filtered list finds trials"
    return times


def with_cursor_variable(document: str) -> str:
    """``document`` (the filtered list) taking the cursor of its page as ``$after``, as a
    frontend paging through it writes it: one text for every page, parsed and validated once."""
    paged = document.replace(PAGE, f"{PAGE[:-1]}, after: $after)", 1)
    return paged.replace("query DasatinibTrials {", "query DasatinibTrials($after: String) {", 1)


def walk(
    path: Path, projection: bool, pages: int, after: str | None, variable: bool = False
) -> tuple[list[float], str | None]:
    """Seconds of each of ``pages`` never-read pages over HTTP, starting after ``after`` (after
    the first page when ``None``), the cursor in the document's text or, with ``variable``, as a
    variable; and where the walk stopped (``None`` at the listing's end: nothing left to walk)."""
    settings = {
        "KG_STORE": f"oxigraph:{path}",
        "KG_PROJECTION": "1" if projection else "0",
        "KG_GRAPHQL_CACHE": "0",
        "KG_SPARQL_WORKERS": "1",
        "KG_QUERY_TIMEOUT": "60",
        "KG_ACCESS_LOG": "0",
    }
    times: list[float] = []
    seen: set[str] = set()
    with running_server(path, settings) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        time.sleep(10)  # the server's builder checks the projection once at start

        def ask(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            response = client.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
            assert response.status_code == 200 and "errors" not in body, str(body)[:500]
            trials: dict[str, Any] = body["data"]["trials"]
            return trials

        cursor = after
        if cursor is None:
            first = ask(FILTERED_LIST)["pageInfo"]
            if not first["hasNextPage"]:
                return times, None
            cursor = first["endCursor"]
        for _ in range(pages):
            started = time.perf_counter()
            if variable:
                page = ask(with_cursor_variable(FILTERED_LIST), {"after": cursor})
            else:
                page = ask(page_after(FILTERED_LIST, cursor))
            times.append(time.perf_counter() - started)
            ids = {edge["node"]["id"] for edge in page["edges"]}
            assert ids and not ids & seen, "each page: trials not seen before"
            seen |= ids
            cursor = page["pageInfo"]["endCursor"]
            if not page["pageInfo"]["hasNextPage"]:
                return times, None
    return times, cursor


def summary(times: list[float]) -> str:
    """p50 / max ms of ``times``, or why there are none."""
    if not times:
        return "none: no page left to walk"
    return f"{statistics.median(times) * 1000:.1f} / {max(times) * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000])
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    for trials in args.sizes:
        path = projected_store(trials)
        figures = build(path)
        with_it, stopped = walk(path, True, args.pages, None)
        without: list[float] = []
        as_variable: list[float] = []
        if stopped is not None:
            without, stopped = walk(path, False, args.pages, stopped)
        if stopped is not None:
            as_variable, _ = walk(path, True, args.pages, stopped, variable=True)
        direct = direct_sparql(path)
        print(
            f"\n{trials:,} trials, never-read pages of the filtered list: {len(with_it)} with "
            f"the projection, {len(without)} without\n"
        )
        print("| figure | value |\n|---|---|")
        built = figures["built"]
        print(
            f"| projection built now: documents, s, ms a trial | {built:,.0f}, "
            f"{figures['build_s']:.1f}, {figures['ms_per_trial']:.2f}"
            + (" |" if built else " (complete already) |")
        )
        print(f"| of which facets (listings, counts, name lookup), s | {figures['facets_s']:.1f} |")
        print(f"| projection file GB | {figures['file_gb']:.2f} |")
        print(f"| peak memory of the building process GB | {figures['peak_gb']:.2f} |")
        print(f"| page p50 / max ms, with the projection | {summary(with_it)} |")
        print(f"| page p50 / max ms, without | {summary(without)} |")
        if with_it and without:
            ratio = statistics.median(without) / statistics.median(with_it)
            print(f"| ratio | {ratio:.1f}x |")
        sparql = statistics.median(direct) * 1000
        print(
            f"| the same query in the store's own SPARQL, p50 / first (cold) ms | {sparql:.1f} / "
            f"{direct[0] * 1000:.1f} |"
        )
        print(f"| page p50 / max ms, with the projection, the cursor a variable | {summary(as_variable)} |")


if __name__ == "__main__":
    main()
