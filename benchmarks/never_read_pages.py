"""Where a never-read page of the filtered list spends its time, and what per-trial documents of
those reads would cost: the figures issue 14 asks for before a read projection is built.

For each size N (argv; default 1,000 and 10,000), the GraphQL schema runs in this process over
``loaded_store(N)`` opened read-only, with a listing memory and reads kept for the generation, as
``kg serve`` reads an embedded store (its garbage-collector settings too, from ``api.server``).
The first page of ``api/graphql/examples/filtered_list.graphql`` is asked once (its listing is
then kept); then ``--pages`` pages, each the page after the last, so that none of their trials
was read before. Printed, as a markdown table per size:

- the p50 and max of a page, and the walk's wall time against this process's CPU time (user
  and system) and what it read from disk (``/proc/self/io`` ``read_bytes``) and its major page
  faults: whether a page waits for the disk or computes;
- the time inside the store (every read the resolvers ask) and in garbage collection
  (``gc.callbacks``), as shares of the wall time;
- per trial of those pages: the reads by key kept, their values pickled (what a per-trial
  document would hold) and the store time, and those times N: what documents for every trial
  would weigh on disk and take to build by these reads.

Every answer is checked: 50 trials a page, each a dasatinib trial not seen on an earlier page.
Run: ``python benchmarks/never_read_pages.py [N ...] [--pages P]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import pickle
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import loaded_store  # noqa: E402
from graphql_scale import FILTERED_LIST, page_after  # noqa: E402

from api.graphql.context import make_context  # noqa: E402
from api.graphql.listing_memory import ListingMemory  # noqa: E402
from api.graphql.loaders import KeptReads, Read, Runner  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from api.server import collect_for_serving  # noqa: E402
from kg.stores.oxigraph import OxigraphStore  # noqa: E402

TIMED = ("select_lexical", "select_values", "query")
"""The store methods the read model calls: the time spent in them is the store's part."""


class TimedStore:
    """``store`` with the time spent in its read methods added up (everything else passes)."""

    def __init__(self, store: OxigraphStore) -> None:
        self._store = store
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if name not in TIMED:
            return found

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return found(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


class RecordedReads(KeptReads):
    """Reads kept as ``kg serve`` keeps them, and what each store read gave recorded: the
    values a per-trial document would hold."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Mapping[Any, Any]] = []

    async def read(
        self, run: Runner, read: Read, keys: Sequence[Any], default: object
    ) -> list[Any]:
        async def recorded(read: Read, missing: Sequence[Any]) -> Mapping[Any, Any]:
            found: Mapping[Any, Any] = await run(read, missing)
            self.found.append(found)
            return found

        return await super().read(recorded, read, keys, default)


class GcClock:
    """Seconds spent in garbage collection while installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def disk_read_bytes() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("read_bytes:"):
            return int(line.split()[1])
    return 0


async def walk(path: Path, trials: int, pages: int, skip: int = 0) -> dict[str, float] | None:
    """The figures of a walk of ``pages`` new pages of the store at ``path`` (``trials``
    trials), after ``skip`` pages not timed (None if the listing has no page left to walk)."""
    store = TimedStore(OxigraphStore.read_only(str(path)))
    schema, listings, kept = build_schema(), ListingMemory(), RecordedReads()

    async def ask(document: str) -> dict[str, Any]:
        context = await make_context(store, 60, listings=listings, reads=kept)
        result = await schema.execute(document, context_value=context)
        assert not result.errors, result.errors
        assert result.data is not None
        trials: dict[str, Any] = result.data["trials"]
        return trials

    first = await ask(FILTERED_LIST)
    for _ in range(skip):
        if not first["pageInfo"]["hasNextPage"]:
            break
        first = await ask(page_after(FILTERED_LIST, first["pageInfo"]["endCursor"]))
    if not first["pageInfo"]["hasNextPage"]:
        return None
    seen = {edge["node"]["id"] for edge in first["edges"]}
    cursor: str = first["pageInfo"]["endCursor"]
    kept.found.clear()
    kept_before, store_before = len(kept), store.seconds
    collect_for_serving()
    clock = GcClock()
    gc.callbacks.append(clock)
    times: list[float] = []
    usage, read_before = resource.getrusage(resource.RUSAGE_SELF), disk_read_bytes()
    walk_started = time.perf_counter()
    walked = 0
    for _ in range(pages):
        started = time.perf_counter()
        page = await ask(page_after(FILTERED_LIST, cursor))
        times.append(time.perf_counter() - started)
        ids = {edge["node"]["id"] for edge in page["edges"]}
        assert ids and not ids & seen, "each page: trials not seen on an earlier page"
        seen |= ids
        walked += len(ids)
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    wall = time.perf_counter() - walk_started
    gc.callbacks.remove(clock)
    after = resource.getrusage(resource.RUSAGE_SELF)
    document_bytes = len(pickle.dumps(kept.found, protocol=pickle.HIGHEST_PROTOCOL)) / walked
    store_seconds = store.seconds - store_before
    return {
        "pages": len(times),
        "p50": statistics.median(times) * 1000,
        "max": max(times) * 1000,
        "wall": wall,
        "user": after.ru_utime - usage.ru_utime,
        "system": after.ru_stime - usage.ru_stime,
        "disk_mb": (disk_read_bytes() - read_before) / 1e6,
        "major_faults": after.ru_majflt - usage.ru_majflt,
        "store_share": store_seconds / wall,
        "gc_share": clock.seconds / wall,
        "reads_per_trial": (len(kept) - kept_before) / walked,
        "document_kib": document_bytes / 1024,
        "store_ms_per_trial": store_seconds * 1000 / walked,
        "documents_gb": document_bytes * trials / 1e9,
        "build_s": store_seconds * trials / walked,
    }


ROWS: list[tuple[str, Callable[[dict[str, float]], str]]] = [
    ("never-read pages walked", lambda f: f"{f['pages']:.0f}"),
    ("page p50 / max ms", lambda f: f"{f['p50']:.1f} / {f['max']:.1f}"),
    (
        "wall s : CPU user + system s",
        lambda f: f"{f['wall']:.2f} : {f['user']:.2f} + {f['system']:.2f}",
    ),
    ("read from disk MB, major faults", lambda f: f"{f['disk_mb']:.1f}, {f['major_faults']:.0f}"),
    (
        "share of wall in the store / in GC",
        lambda f: f"{f['store_share']:.0%} / {f['gc_share']:.0%}",
    ),
    ("reads kept a trial", lambda f: f"{f['reads_per_trial']:.1f}"),
    ("pickled reads a trial KiB", lambda f: f"{f['document_kib']:.1f}"),
    ("store ms a trial", lambda f: f"{f['store_ms_per_trial']:.2f}"),
    (
        "documents for every trial: GB, build s",
        lambda f: f"{f['documents_gb']:.2f}, {f['build_s']:.0f}",
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000])
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    for trials in args.sizes:
        figures = asyncio.run(walk(loaded_store(trials), trials, args.pages))
        if figures is None:
            print(f"\n{trials:,} trials: the filtered list has one page, none to walk")
            continue
        print(f"\n{trials:,} trials, {args.pages} never-read pages of the filtered list\n")
        print("| figure | value |\n|---|---|")
        for name, show in ROWS:
            print(f"| {name} | {show(figures)} |")


if __name__ == "__main__":
    main()
