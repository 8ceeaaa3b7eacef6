"""Where a never-read page of the filtered list spends its time, and what per-trial documents of
those reads would cost: the figures issue 14 asks for before a read projection is built.

For each size N (argv; default 1,000 and 10,000), the GraphQL schema runs in this process over
``loaded_store(N)`` opened read-only, with the listing read from the projection's facets and
reads and resolved filters kept for the generation, as ``kg serve`` reads an embedded store once
its projection builder completed the facets (its garbage-collector settings too, from
``api.server``). The facets replace the listing memory: they are built once per walk into a
temporary projection file (``graphql_scale.built_facets``), so that a page's trials are found by
indexed SQL and what the walk times is reading those trials. The first page of
``api/graphql/examples/filtered_list.graphql`` is asked once; then ``--pages`` pages, each the
page after the last, so that none of their trials was read before. Printed, as a markdown table
per size:

- the facets' build (every study's, read from the store and written) in seconds, and their
  file's size;
- the p50 and max of a page, and the walk's wall time against this process's CPU time (user
  and system) and what it read from disk (``/proc/self/io`` ``read_bytes``) and its major page
  faults: whether a page waits for the disk or computes;
- the time inside the store (every read the resolvers ask) and in garbage collection
  (``gc.callbacks``), as shares of the wall time;
- per trial of those pages: the reads by key kept, their values pickled (what a per-trial
  document would hold) and the store time, and those times N: what documents for every trial
  would weigh on disk and take to build by these reads;
- the same pages read again from such documents: each walked trial's reads pickled as one
  document, put with copies of them (under other keys) into a SQLite file of N documents, and
  each page asked with no read kept but its 50 trials' documents, fetched and unpickled first
  (timed with the page): what a per-trial read projection would make of a never-read page, and
  what its documents take to fetch.

Every answer is checked: 50 trials a page, each a dasatinib trial not seen on an earlier page;
read from documents, a page must ask the store nothing and answer as it did from the store.
A trial's document holds the reads whose key is its IRI or an IRI under it (``kg synth`` mints a
trial's arms, endpoints, results and estimates under the trial's IRI, as the importers do);
reads of anything else (drugs, concepts) are counted as shared.
Run: ``python benchmarks/never_read_pages.py [N ...] [--pages P]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import bench_dir, loaded_store  # noqa: E402
from graphql_scale import FILTERED_LIST, built_facets, page_after  # noqa: E402

from api.graphql.context import EvidenceContext  # noqa: E402
from api.graphql.documents import Entry, RecordingReads, decode, documented, encode  # noqa: E402
from api.graphql.listing_reads import FILTERS_REMEMBERED  # noqa: E402
from api.graphql.loaders import KeptReads  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from api.server import collect_for_serving  # noqa: E402
from kg.facet_index import Facets  # noqa: E402
from kg.lru import Lru  # noqa: E402
from kg.stores.oxigraph import OxigraphStore  # noqa: E402

TIMED = ("select_lexical", "select_values", "query")
"""The store methods the read model calls: the time spent in them is the store's part."""


class TimedStore:
    """``store`` with the time spent in its read methods, and their number, added up
    (everything else passes)."""

    def __init__(self, store: OxigraphStore) -> None:
        self._store = store
        self.seconds = 0.0
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if name not in TIMED:
            return found

        def timed(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            started = time.perf_counter()
            try:
                return found(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


def documents_of(found: Sequence[Entry], trials: Sequence[str]) -> tuple[dict[str, bytes], int]:
    """Each of ``trials``' recorded reads encoded as its document
    (:func:`api.graphql.documents.documented`, :func:`~api.graphql.documents.encode`), and
    how many reads belong to none of them (shared: drugs, concepts)."""
    owned = documented(found, trials)
    shared = len(found) - sum(len(entries) for entries in owned.values())
    return {trial: encode(owned.get(trial, [])) for trial in trials}, shared


def document_file(folder: Path, documents: Mapping[str, bytes], size: int) -> Path:
    """A SQLite file of ``size`` documents: ``documents`` and copies of them under other keys."""
    path = folder / "documents.sqlite"
    real = list(documents.items())
    chosen = random.Random(1)
    rows = real + [
        (f"urn:filler:{n}", chosen.choice(real)[1]) for n in range(max(size - len(real), 0))
    ]
    chosen.shuffle(rows)
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE document (trial TEXT PRIMARY KEY, body BLOB) WITHOUT ROWID")
        database.executemany("INSERT INTO document VALUES (?, ?)", rows)
    path.read_bytes()  # into the page cache, as a serving store's pages are
    return path


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


async def walk(
    path: Path, trials: int, pages: int, skip: int = 0, documents: bool = True
) -> dict[str, float] | None:
    """The figures of a walk of ``pages`` new pages of the store at ``path`` (``trials``
    trials), after ``skip`` pages not timed, then, with ``documents``, of the same pages read
    from documents (None if the listing has no page left to walk); the listing read from
    facets built first."""
    opened = OxigraphStore.read_only(str(path))
    with built_facets(opened) as built:
        figures = await walk_pages(TimedStore(opened), built.facets, trials, pages, skip, documents)
    if figures is None:
        return None
    return {"facets_s": built.seconds, "facets_mb": built.megabytes, **figures}


async def walk_pages(
    store: TimedStore, facets: Facets, trials: int, pages: int, skip: int, documents: bool
) -> dict[str, float] | None:
    """The figures of :func:`walk`, reading the listing from ``facets``; the drug filter resolved
    once, as ``kg serve`` keeps resolved filters with the reads (``served_context``), so that a
    page read from documents asks the store nothing."""
    schema, kept = build_schema(), RecordingReads()
    filters: Lru[str, tuple[object]] = Lru(FILTERS_REMEMBERED)

    async def ask(document: str, reads: KeptReads) -> dict[str, Any]:
        context = EvidenceContext(store, 60, facets=facets, resolved_filters=filters, reads=reads)
        result = await schema.execute(document, context_value=context)
        assert not result.errors, result.errors
        assert result.data is not None
        trials: dict[str, Any] = result.data["trials"]
        return trials

    first = await ask(FILTERED_LIST, kept)
    for _ in range(skip):
        if not first["pageInfo"]["hasNextPage"]:
            break
        first = await ask(page_after(FILTERED_LIST, first["pageInfo"]["endCursor"]), kept)
    if not first["pageInfo"]["hasNextPage"]:
        return None
    seen = {edge["node"]["id"] for edge in first["edges"]}
    cursor: str = first["pageInfo"]["endCursor"]
    kept.entries.clear()
    kept_before, store_before = len(kept), store.seconds
    collect_for_serving()
    clock = GcClock()
    gc.callbacks.append(clock)
    times: list[float] = []
    walked: list[tuple[str, dict[str, Any]]] = []
    usage, read_before = resource.getrusage(resource.RUSAGE_SELF), disk_read_bytes()
    walk_started = time.perf_counter()
    for _ in range(pages):
        document = page_after(FILTERED_LIST, cursor)
        started = time.perf_counter()
        page = await ask(document, kept)
        times.append(time.perf_counter() - started)
        ids = {edge["node"]["id"] for edge in page["edges"]}
        assert ids and not ids & seen, "each page: trials not seen on an earlier page"
        seen |= ids
        walked.append((document, page))
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    wall = time.perf_counter() - walk_started
    gc.callbacks.remove(clock)
    after = resource.getrusage(resource.RUSAGE_SELF)
    read_mb = (disk_read_bytes() - read_before) / 1e6
    store_seconds = store.seconds - store_before
    ids_walked = [edge["node"]["id"] for _, page in walked for edge in page["edges"]]
    pickled, shared = documents_of(kept.entries, ids_walked)
    document_bytes = statistics.mean(len(body) for body in pickled.values())
    from_documents: dict[str, float] = {}
    if documents:
        with tempfile.TemporaryDirectory(dir=bench_dir()) as folder:
            stored = document_file(Path(folder), pickled, trials)
            from_documents = await read_from_documents(stored, walked, ask, store)
            from_documents["documents_gb"] = stored.stat().st_size / 1e9
    return {
        "pages": len(times),
        "p50": statistics.median(times) * 1000,
        "max": max(times) * 1000,
        "wall": wall,
        "user": after.ru_utime - usage.ru_utime,
        "system": after.ru_stime - usage.ru_stime,
        "disk_mb": read_mb,
        "major_faults": after.ru_majflt - usage.ru_majflt,
        "store_share": store_seconds / wall,
        "gc_share": clock.seconds / wall,
        "reads_per_trial": (len(kept) - kept_before) / len(ids_walked),
        "shared_per_page": shared / len(walked),
        "document_kib": document_bytes / 1024,
        "store_ms_per_trial": store_seconds * 1000 / len(ids_walked),
        "build_s": store_seconds * trials / len(ids_walked),
        **from_documents,
    }


async def read_from_documents(
    stored: Path,
    walked: Sequence[tuple[str, dict[str, Any]]],
    ask: Callable[[str, KeptReads], Any],
    store: TimedStore,
) -> dict[str, float]:
    """p50 of the ``walked`` pages each asked with nothing kept but its trials' documents,
    fetched from ``stored`` and unpickled first, and of that fetch alone; each answer checked
    against the store's and no store query asked."""
    times: list[float] = []
    fetches: list[float] = []
    calls_before = store.calls
    with sqlite3.connect(f"file:{stored}?mode=ro", uri=True) as database:
        for document, expected in walked:
            ids = [edge["node"]["id"] for edge in expected["edges"]]
            reads = KeptReads()
            started = time.perf_counter()
            marks = ",".join("?" * len(ids))
            query = f"SELECT body FROM document WHERE trial IN ({marks})"
            for (body,) in database.execute(query, ids):
                reads.keep(decode(body))
            fetched = time.perf_counter()
            page = await ask(document, reads)
            times.append(time.perf_counter() - started)
            fetches.append(fetched - started)
            assert page == expected, "a page read from documents answers as from the store"
    assert store.calls == calls_before, "a page read from documents asks the store nothing"
    return {
        "documents_p50": statistics.median(times) * 1000,
        "fetch_p50": statistics.median(fetches) * 1000,
    }


ROWS: list[tuple[str, Callable[[dict[str, float]], str]]] = [
    (
        "the listing's facets: build s, SQLite MB",
        lambda f: f"{f['facets_s']:.1f}, {f['facets_mb']:.1f}",
    ),
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
    (
        "reads kept a trial; shared reads a page",
        lambda f: f"{f['reads_per_trial']:.1f}; {f['shared_per_page']:.1f}",
    ),
    ("a trial's document (its reads pickled) KiB", lambda f: f"{f['document_kib']:.1f}"),
    ("store ms a trial", lambda f: f"{f['store_ms_per_trial']:.2f}"),
    (
        "documents of every trial: SQLite GB, build by these reads s",
        lambda f: f"{f['documents_gb']:.2f}, {f['build_s']:.0f}",
    ),
    (
        "the same pages from documents: p50 ms (of it fetch and unpickle)",
        lambda f: f"{f['documents_p50']:.1f} ({f['fetch_p50']:.1f})",
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
