"""Validating one trial in a large store: closure extraction plus SHACL on the closure only.

Usage: python benchmarks/incremental_validation.py [N ...]   (trials in the store; default
1000 10000; 100000 uses the cached 100,000-trial store). Opens the cached stores of
benchmarks/corpus.py read-only and prints medians: the closure query, then each engine on the
closure (pySHACL, the store engine kg.validate.validate_trial uses by default, and
pyshacl-turbo if installed), and the total closure + store engine against the issue's 100 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import BASE, loaded_store  # noqa: E402
from full_validation import _read_only_store  # noqa: E402
from rdflib import Graph, URIRef  # noqa: E402

from kg.settings import Settings  # noqa: E402
from kg.store import Store  # noqa: E402
from kg.validate import load_ontology, load_shapes, trial_closure, validate_graph  # noqa: E402


def median_ms(action: Callable[[], object], runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(sizes: list[int]) -> None:
    settings = Settings()
    shapes, ontology = load_shapes(settings), load_ontology(settings)
    try:
        from pyshacl_turbo import validate as turbo
    except ImportError:
        turbo = None
    print("# incremental validation of one trial")
    print(
        "| trials in store | closure triples | closure ms | pySHACL ms | store engine ms "
        "| turbo ms | closure + store engine ms | target ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for trials in sizes:
        store = _read_only_store(str(loaded_store(trials)))
        assert isinstance(store, Store)
        trial = URIRef(f"{BASE}trial/synth-{trials // 2:06d}")
        closure = trial_closure(store, trial)
        closure_ms = median_ms(lambda s=store, t=trial: trial_closure(s, t))
        pyshacl_ms = median_ms(
            lambda c=closure: validate_graph(c, shapes=shapes, ontology=ontology), runs=5
        )
        store_ms = median_ms(
            lambda c=closure: validate_graph(c, shapes=shapes, ontology=ontology, engine="store")
        )
        turbo_ms = "-"
        if turbo is not None:

            def run_turbo(closure: Graph = closure) -> None:
                data = Graph()
                data += closure
                data += ontology
                turbo(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                      inplace=True)

            turbo_ms = f"{median_ms(run_turbo, runs=5):.0f}"
        print(
            f"| {trials:,} | {len(closure):,} | {closure_ms:.1f} | {pyshacl_ms:.0f} | "
            f"{store_ms:.0f} | {turbo_ms} | {closure_ms + store_ms:.0f} | 100 |",
            flush=True,
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10000])
