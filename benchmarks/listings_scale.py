"""Every kind of GraphQL listing at scale: the first page and a later one, with totalCount.

Usage: python benchmarks/listings_scale.py [N ...]   (synthetic trials; default 1000 10000)

The filtered list of graphql_scale.py is one listing among several a frontend uses: unfiltered
trials, trials by text, condition and phase, and comparisons unfiltered or by drug or p-value.
For each N the cached store of benchmarks/corpus.py is opened read-only and each listing asked
in-process (``schema.execute``, store calls where ``kg serve`` runs them, no answer cache), ``first: 20`` with
totalCount and the items' ids: the first page, then the page after a cursor half-way through
the listing's IRIs. Prints the median wall and CPU ms of ``--runs`` runs (default 3: the slow
ones take seconds) and the count, against the request limit of 5 s that ``kg serve`` applies.

Each listing is then asked as ``kg serve`` answers it on an embedded store: from the facets of
the store's read projection (``kg.facet_index.Facets``), which replace the listing memory that
read a listing whole on its first request and kept it per data generation. A page and its
totalCount are then indexed SQL over one row per study and comparison, whatever the filter, so
what a listing costs moved from its first request to the projection's build, beside serving.
For each N the facets of every study are built once into a temporary projection file
(``graphql_scale.built_facets``: the builder's full pass), its seconds and size printed; then
each listing's first page, half-way page and first page again are asked with them (the answer
cache stays off, so every request runs; wall ms of one run each), each answer's totalCount
checked against the store's (the first table's): the two must answer alike.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from corpus import BASE, loaded_store  # noqa: E402
from graphql_scale import built_facets  # noqa: E402

from api.graphql.context import make_context  # noqa: E402
from api.graphql.limits import Limits  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from kg.facet_index import Facets  # noqa: E402
from kg.readmodel.listing import encode_cursor  # noqa: E402
from kg.stores.oxigraph import OxigraphStore  # noqa: E402

LISTINGS: dict[str, tuple[str, str]] = {
    "trials": ("trials", ""),
    "trials by drug": ("trials", 'drug: "dasatinib"'),
    "trials by phase": ("trials", 'phase: "3"'),
    "trials by condition": ("trials", 'condition: "leukemia"'),
    "trials by text": ("trials", 'text: "syn-0001"'),
    "comparisons": ("comparisons", ""),
    "comparisons by drug": ("comparisons", 'drug: "dasatinib"'),
    "comparisons by p-value": ("comparisons", "maxPValue: 0.001"),
}
"""Name -> (root field, filter arguments)."""

LIMIT_SECONDS = 600
"""The benchmark's own limit, so that a listing over the server's 5 s still gives its time."""


def document(field: str, where: str, after: str | None) -> str:
    arguments = [f"filter: {{{where}}}"] if where else []
    arguments.append("first: 20")
    if after is not None:
        arguments.append(f'after: "{after}"')
    return f"{{ {field}({', '.join(arguments)}) {{ totalCount edges {{ node {{ id }} }} }} }}"


def halfway_cursor(field: str, trials: int) -> str:
    """A cursor half-way through the synthetic trials: key and IRI of trial N/2 (trials sort
    by lower-case acronym, ``syn-NNNNNN``) or of its first comparison (comparisons by IRI)."""
    trial = f"{BASE}trial/synth-{trials // 2:06d}"
    if field == "comparisons":
        comparison = f"{trial}/comparison-1-2"
        return encode_cursor(comparison, comparison)
    return encode_cursor(f"syn-{trials // 2:06d}", trial)


async def timed(
    schema: Any, store: OxigraphStore, query: str, facets: Facets | None = None
) -> tuple[float, float, int]:
    """Wall and CPU seconds of one request, and its totalCount."""
    context = await make_context(store, LIMIT_SECONDS, facets=facets)
    wall, cpu = time.perf_counter(), time.process_time()
    result = await schema.execute(query, context_value=context)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if result.errors or result.data is None:
        raise SystemExit(f"{query}: {result.errors}")
    return wall, cpu, int(next(iter(result.data.values()))["totalCount"])


async def from_facets(
    schema: Any,
    store: OxigraphStore,
    facets: Facets,
    field: str,
    where: str,
    halfway: str,
    counts: dict[str, int],
) -> tuple[float, float, float]:
    """Wall seconds of the first page read from ``facets``, of the half-way page and of the
    first page again; each answer's totalCount must be the store's for that page (``counts``,
    by page: "first", "half-way")."""
    asked = [
        ("first", document(field, where, None)),
        ("half-way", document(field, where, halfway)),
        ("first", document(field, where, None)),
    ]
    walls = []
    for page, query in asked:
        wall, _, count = await timed(schema, store, query, facets)
        if count != counts[page]:
            raise SystemExit(
                f"{query}: totalCount {count:,} from the facets, {counts[page]:,} from the store"
            )
        walls.append(wall)
    return walls[0], walls[1], walls[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("trials", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    schema = build_schema(Limits(timeout_seconds=LIMIT_SECONDS))
    print("| trials | listing | page | wall ms | CPU ms | totalCount | under 5 s |")
    print("|---|---|---|---|---|---|---|")
    builds: list[str] = []
    kept: list[str] = []
    for trials in args.trials:
        store = OxigraphStore.read_only(str(loaded_store(trials)))
        with closing(store), built_facets(store) as built:
            builds.append(
                f"| {trials:,} | {built.seconds:,.1f} | {built.read_seconds:,.1f} | "
                f"{built.megabytes:,.1f} |"
            )
            for name, (field, where) in LISTINGS.items():
                pages = {"first": None, "half-way": halfway_cursor(field, trials)}
                counts: dict[str, int] = {}
                for page, after in pages.items():
                    query = document(field, where, after)
                    runs = [asyncio.run(timed(schema, store, query)) for _ in range(args.runs)]
                    counts[page] = runs[0][2]
                    wall = statistics.median(run[0] for run in runs) * 1000
                    cpu = statistics.median(run[1] for run in runs) * 1000
                    print(
                        f"| {trials:,} | {name} | {page} | {wall:,.0f} | {cpu:,.0f} | "
                        f"{runs[0][2]:,} | {'yes' if wall < 5000 else '**no**'} |",
                        flush=True,
                    )
                halfway = str(pages["half-way"])
                first, half, again = asyncio.run(
                    from_facets(schema, store, built.facets, field, where, halfway, counts)
                )
                kept.append(
                    f"| {trials:,} | {name} | {first * 1000:,.1f} | {half * 1000:,.1f} | "
                    f"{again * 1000:,.1f} | {'yes' if first < 5 else '**no**'} |"
                )
    print("\nListings from the projection's facets (kg serve on an embedded store):\n")
    print("| trials | facets build s | of it reading the store s | file MB |")
    print("|---|---|---|---|")
    print("\n".join(builds))
    print("\nwall ms:\n")
    print("| trials | listing | first page | half-way page | first page again | under 5 s |")
    print("|---|---|---|---|---|---|")
    print("\n".join(kept))


if __name__ == "__main__":
    main()
