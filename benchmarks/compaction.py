"""What compacting a freshly loaded store costs, and what its readers gain.

A bulk load leaves its tables as it wrote them, overlapping, and every read looks into each.
RocksDB compacts them in the background only while a writer has the store open: `kg serve` with
one process does so after a start, but the workers of a several-process server serve a checkpoint
taken at start, and a checkpoint keeps the tables it was taken with. So the supervisor compacts
the store beside serving and publishes a checkpoint of it (`api.writes.SnapshotPublisher.compact`).

For each size N (argv; default 10,000), a new store is loaded as `kg load` leaves it
(`corpus.load_store`, into a temporary folder), then, as a worker reads a checkpoint:
``--pages`` never-read pages of the filtered list are walked read-only
(`never_read_pages.walk`), the store is compacted (`kg.store.Store.compact`, timed), and as many
further pages walked. Prints a markdown table: the load and compaction seconds and their ratio,
the p50 page and the store's milliseconds a trial before and after, and their ratios, all from
one run. A size whose corpus and store would not fit in the free disk space is skipped.
Run: ``python benchmarks/compaction.py [N ...] [--pages P]``.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import bench_dir, corpus_file, load_store  # noqa: E402
from never_read_pages import walk  # noqa: E402

from kg.store import open_store  # noqa: E402

BYTES_A_TRIAL = 600_000
"""Disk a trial needs here: about 150 KB of N-Triples and 230 KB of store (23 GB at 100,000
trials), and room for the compaction to write its new tables before it drops the old."""


def measure(trials: int, pages: int) -> dict[str, float] | None:
    """The figures at ``trials`` (None when the disk is too small or the listing too short)."""
    folder = Path(tempfile.mkdtemp(prefix="compaction-", dir=bench_dir()))
    try:
        if shutil.disk_usage(folder).free < BYTES_A_TRIAL * trials:
            print(f"{trials:,} trials: not enough free disk; skipped", file=sys.stderr)
            return None
        path = folder / "store"
        load_seconds = load_store(path, corpus_file(trials))
        before = asyncio.run(walk(path, trials, pages, documents=False))
        started = time.perf_counter()
        store = open_store(f"oxigraph:{path}")
        try:
            store.compact()
        finally:
            store.close()
        compact_seconds = time.perf_counter() - started
        after = asyncio.run(walk(path, trials, pages, skip=pages, documents=False))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if before is None or after is None:
        print(f"{trials:,} trials: fewer than {2 * pages + 1} pages to walk; skipped")
        return None
    return {
        "load": load_seconds,
        "compact": compact_seconds,
        "p50_before": before["p50"],
        "p50_after": after["p50"],
        "store_before": before["store_ms_per_trial"],
        "store_after": after["store_ms_per_trial"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--pages", type=int, default=4)
    args = parser.parse_args()
    print(
        "| trials | load s | compaction s (x load) | page p50 ms as loaded | compacted (ratio) "
        "| store ms a trial as loaded | compacted (ratio) |\n|---|---|---|---|---|---|---|"
    )
    for trials in args.sizes:
        f = measure(trials, args.pages)
        if f is None:
            continue
        print(
            f"| {trials:,} | {f['load']:.1f} | {f['compact']:.1f} ({f['compact'] / f['load']:.2f}x) "
            f"| {f['p50_before']:.1f} | {f['p50_after']:.1f} ({f['p50_before'] / f['p50_after']:.1f}x) "
            f"| {f['store_before']:.2f} | {f['store_after']:.2f} "
            f"({f['store_before'] / f['store_after']:.1f}x) |"
        )


if __name__ == "__main__":
    main()
