"""The store dump (``/dump/store.nq``, :mod:`kg.dump`) at scale, against pyoxigraph's own writer.

Usage: python benchmarks/store_dump.py [N ...]   (synthetic trials; default 1000 10000)

For each N the cached store of benchmarks/corpus.py is opened read-only and dumped twice, the
bytes counted and thrown away: by kg (every served graph, each quad formatted in Python, as the
endpoint streams it) and by pyoxigraph's ``Store.dump`` to N-Quads (the raw baseline: every
quad, the catalog graph included, written in Rust). Prints seconds, MB/s and the ratio.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyoxigraph as ox

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from corpus import BASE, loaded_store  # noqa: E402

from kg.dump import store_nquads  # noqa: E402
from kg.stores.oxigraph import OxigraphStore  # noqa: E402


class Counter:
    """A writable file that only counts bytes."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    print("| trials | kg s | kg MB | kg MB/s | raw s | raw MB | ratio |")
    print("|---|---|---|---|---|---|---|")
    for trials in sizes:
        store = OxigraphStore.read_only(str(loaded_store(trials)))
        try:
            started = time.perf_counter()
            size = sum(len(chunk) for chunk in store_nquads(store, BASE))
            kg = time.perf_counter() - started
            counter = Counter()
            started = time.perf_counter()
            store.native.dump(counter, ox.RdfFormat.N_QUADS)
            raw = time.perf_counter() - started
        finally:
            store.close()
        print(
            f"| {trials:,} | {kg:.1f} | {size / 1e6:,.0f} | {size / 1e6 / kg:,.0f} | {raw:.1f} | "
            f"{counter.size / 1e6:,.0f} | {kg / raw:.1f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
