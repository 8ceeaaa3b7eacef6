"""Synthetic corpora and loaded stores shared by the benchmark scripts, made once and reused.

Why a cache: the 100,000-trial corpus is about 30 M triples; writing it and loading it take minutes,
and every scale benchmark (validation, GraphQL, SPARQL, HTTP) needs the same store. Files live
under ``var/bench/`` (git-ignored; ``KG_BENCH_DIR`` moves them). A file lock makes concurrent
benchmark runs wait for one another instead of writing the same file twice. Scripts that measure
loading itself (scale_load_query.py) write their own copies and do not use this cache.

Usage from a script: ``from corpus import corpus_file, loaded_store`` (benchmarks/ is on sys.path
when a script in it runs), or ``python benchmarks/corpus.py 100000`` to prepare ahead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BASE = "https://w3id.org/evidence-kg/id/"
SEED = 1
SYNTHETIC_GRAPH = BASE + "graph/synthetic"


def bench_dir() -> Path:
    """Where corpora and stores are kept (``KG_BENCH_DIR`` or ``var/bench``)."""
    path = Path(os.environ.get("KG_BENCH_DIR", ROOT / "var" / "bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with (bench_dir() / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


GENERATOR_SOURCES = ("kg/synth.py", "kg/derive.py", "kg/stats.py", "kg/vocab.py")
"""The modules whose code decides what ``kg synth`` writes: cached corpora and stores are named
after a hash of them, so a changed generator never benchmarks a stale corpus."""


def generator_version() -> str:
    """Eight hex digits of the hash of :data:`GENERATOR_SOURCES`."""
    digest = hashlib.sha256()
    for name in GENERATOR_SOURCES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:8]


def _drop_stale(prefix: str, keep: Path) -> None:
    """Remove cached corpora or stores of the same size and seed from other generator versions:
    at 100,000 trials each takes 10-30 GB."""
    for old in bench_dir().glob(prefix + "*"):
        same_kind = old.name == prefix or old.name[len(prefix)] in "-."
        if same_kind and old != keep and not old.name.endswith((".lock", ".partial.nt")):
            print(f"# removing stale {old}", file=sys.stderr)
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)


def corpus_file(trials: int, seed: int = SEED) -> Path:
    """The N-Triples corpus of ``trials`` synthetic trials (``kg synth``), written on first use."""
    from kg.synth import write_corpus

    path = bench_dir() / f"corpus-{trials}-seed{seed}-{generator_version()}.nt"
    with _locked(f"corpus-{trials}-seed{seed}"):
        if not path.exists():
            _drop_stale(f"corpus-{trials}-seed{seed}", path)
            partial = path.with_name(path.stem + ".partial.nt")
            started = time.perf_counter()
            triples = write_corpus(partial, trials, seed=seed, base_iri=BASE)
            partial.rename(path)
            print(f"# wrote {path} ({triples:,} triples) in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
    return path


def loaded_store(trials: int, seed: int = SEED) -> Path:
    """An on-disk oxigraph store holding the curated graphs plus ``trials`` synthetic trials.

    The store is what ``kg serve`` would open after ``kg load``: ontology, DASCERN and derived
    graphs from the repository, and the corpus in the graph ``{base}graph/synthetic``. Open it
    with ``kg.store.open_store("oxigraph:" + str(path))``; do not write to it from a benchmark.
    """
    corpus = corpus_file(trials, seed)
    path = bench_dir() / f"store-{trials}-seed{seed}-{generator_version()}"
    with _locked(f"store-{trials}-seed{seed}"):
        if not (path / "READY").exists():
            _drop_stale(f"store-{trials}-seed{seed}", path)
            shutil.rmtree(path, ignore_errors=True)
            seconds = load_store(path, corpus)
            (path / "READY").write_text(f"{trials} trials, seed {seed}\n")
            print(f"# loaded {path} in {seconds:.0f} s", file=sys.stderr)
    return path


def load_store(path: Path, corpus: Path) -> float:
    """Load the curated graphs and ``corpus`` into a new on-disk store at ``path``, as
    ``kg load`` does, and close it; the seconds it took."""
    from rdflib import URIRef

    from kg.build import load_into
    from kg.load import load_files
    from kg.settings import Settings
    from kg.store import open_store

    started = time.perf_counter()
    store = open_store(f"oxigraph:{path}")
    try:
        load_into(store, Settings.from_env({}))
        load_files(store, [corpus], graph=URIRef(SYNTHETIC_GRAPH), base_iri=BASE, max_bytes=1 << 40)
    finally:
        store.close()
    return time.perf_counter() - started


if __name__ == "__main__":
    for size in [int(arg) for arg in sys.argv[1:]] or [1000, 10000]:
        print(loaded_store(size))
