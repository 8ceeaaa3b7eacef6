"""Validating one trial in a large store: closure extraction plus SHACL on the closure only.

Usage: python benchmarks/incremental_validation.py [N ...]   (trials in the store; default
1000 10000). Prints medians over 10 runs: the closure query, pySHACL on the closure, and
pyshacl-turbo on the same closure if installed (turbo disagrees with pySHACL on one SPARQL
constraint; see validation_engines.py), next to the issue's 100 ms target.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import Graph, URIRef  # noqa: E402

from kg.load import load_files  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.store import open_store  # noqa: E402
from kg.synth import write_corpus  # noqa: E402
from kg.validate import load_ontology, load_shapes, trial_closure, validate_graph  # noqa: E402

BASE = "https://w3id.org/evidence-kg/id/"


def median_ms(action: object, runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(sizes: list[int]) -> None:
    import tempfile

    settings = Settings()
    shapes, ontology = load_shapes(settings), load_ontology(settings)
    try:
        from pyshacl_turbo import validate as turbo
    except ImportError:
        turbo = None
    print("# incremental validation of one trial")
    print("| trials in store | closure triples | closure ms | pySHACL ms | turbo ms | target ms |")
    print("|---|---|---|---|---|---|")
    for trials in sizes:
        with tempfile.TemporaryDirectory() as folder:
            corpus = Path(folder) / "corpus.nt"
            write_corpus(corpus, trials, seed=3, base_iri=BASE)
            store = open_store("oxigraph")
            load_files(
                store,
                [corpus],
                graph=URIRef(f"{BASE}graph/synthetic"),
                base_iri=BASE,
                max_bytes=1 << 40,
            )
            store.replace_graph(URIRef(f"{BASE}graph/ontology"), ontology)
            trial = URIRef(f"{BASE}trial/synth-{trials // 2:06d}")
            closure = trial_closure(store, trial)
            closure_ms = median_ms(lambda store=store, trial=trial: trial_closure(store, trial))
            pyshacl_ms = median_ms(
                lambda closure=closure: validate_graph(closure, shapes=shapes, ontology=ontology),
                runs=5,
            )
            turbo_ms = "-"
            if turbo is not None:

                def run_turbo(closure: Graph = closure) -> None:
                    data = Graph()
                    data += closure
                    data += ontology
                    turbo(
                        data,
                        shacl_graph=shapes,
                        inference="none",
                        allow_warnings=True,
                        inplace=True,
                    )

                turbo_ms = f"{median_ms(run_turbo, runs=5):.0f}"
            print(
                f"| {trials:,} | {len(closure):,} | {closure_ms:.1f} | {pyshacl_ms:.0f} | {turbo_ms} | 100 |",
                flush=True,
            )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10000])
