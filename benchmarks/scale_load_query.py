"""Load and query at scale: kg against raw pyoxigraph, measured in one run, printed as a table.

Usage: python benchmarks/scale_load_query.py [N ...]   (default: 1000 10000; add 100000 by hand,
it writes about 3.5 GB and takes minutes). Each step runs in its own process so that its peak
memory (max RSS) is its own. Figures are medians where repeated; ratios compare kg with the raw
pyoxigraph baseline of the same run, so a noisy machine shifts both alike.
"""

from __future__ import annotations

import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/evidence-kg/id/"

JOIN_QUERY = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
SELECT ?trial ?arm ?n ?endpoint ?pct ?p WHERE {
  ?drug skos:exactMatch obo:CHEBI_49375 .
  ?intervention ekg:drug ?drug .
  ?arm ekg:intervention ?intervention ; ekg:participants ?n .
  ?trial ekg:arm ?arm ; ekg:endpoint ?endpoint .
  ?endpoint ekg:endpointKind ekg:PrimaryEndpoint .
  ?result ekg:arm ?arm ; ekg:endpoint ?endpoint ; ekg:percentage ?pct .
  ?comparison ekg:interventionResult|ekg:comparatorResult ?result ; ekg:pValue ?p .
  FILTER(?p < 0.05)
} ORDER BY ?trial LIMIT 50
"""

STEP = r"""
import json, sys, time
from pathlib import Path
kind, corpus, db = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
started = time.perf_counter()
if kind == "raw-bulk-load":
    import pyoxigraph as ox
    store = ox.Store(db)
    store.bulk_load(path=str(corpus), format=ox.RdfFormat.N_TRIPLES, base_iri="%(base)s")
    store.flush()
    quads = len(store)
elif kind == "kg-load":
    from rdflib import URIRef
    from kg.load import load_files
    from kg.store import open_store
    store = open_store("oxigraph:" + db)
    summary = load_files(store, [corpus], graph=URIRef("%(base)sgraph/synthetic"),
                         base_iri="%(base)s", max_bytes=1 << 40)
    store.close()
    quads = summary.quads_after
elif kind == "query":
    import pyoxigraph as ox
    from kg.store import open_store, select
    opened = time.perf_counter()
    store = open_store("oxigraph:" + db)
    reopen = time.perf_counter() - opened
    query = sys.argv[4]
    raw, seam = [], []
    for _ in range(15):
        t = time.perf_counter()
        list(store.native.query(query, use_default_graph_as_union=True))
        raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        select(store, query)
        seam.append(time.perf_counter() - t)
    print(json.dumps({"reopen": reopen, "raw": sorted(raw), "seam": sorted(seam)}))
    sys.exit(0)
print(json.dumps({"seconds": time.perf_counter() - started, "quads": quads}))
""".replace("%(base)s", BASE)


def run_step(*args: str) -> tuple[dict[str, object], int]:
    """Run one step in a fresh interpreter; returns its JSON output and its peak RSS in MiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", STEP, *args], check=True, capture_output=True, text=True, cwd=ROOT
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(done.stdout.strip().splitlines()[-1]), max(peak, before) // 1024


def disk_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(share * len(values)))]


def main(sizes: list[int]) -> None:
    sys.path.insert(0, str(ROOT))
    from kg.synth import write_corpus

    print(f"# scale: load and query ({platform.node()}, {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()})")
    header = ("trials", "triples", "raw bulk_load s", "kg load s", "load ratio", "kg triples/s",
              "peak MiB raw", "peak MiB kg", "disk MiB", "reopen s", "join p50 ms raw",
              "join p50 ms seam", "seam ratio", "join p95 ms seam")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for trials in sizes:
        workdir = Path(tempfile.mkdtemp(prefix=f"kg-bench-{trials}-"))
        try:
            corpus = workdir / "corpus.nt"
            triples = write_corpus(corpus, trials, seed=1, base_iri=BASE)
            raw, raw_peak = run_step("raw-bulk-load", str(corpus), str(workdir / "raw-db"))
            ours, ours_peak = run_step("kg-load", str(corpus), str(workdir / "kg-db"))
            query, _ = run_step("query", str(corpus), str(workdir / "kg-db"), JOIN_QUERY)
            raw_s, ours_s = float(raw["seconds"]), float(ours["seconds"])  # type: ignore[arg-type]
            raw_q = [t * 1000 for t in query["raw"]]  # type: ignore[union-attr]
            seam_q = [t * 1000 for t in query["seam"]]  # type: ignore[union-attr]
            row = (
                f"{trials:,}", f"{triples:,}", f"{raw_s:.1f}", f"{ours_s:.1f}", f"{ours_s / raw_s:.2f}x",
                f"{triples / ours_s:,.0f}", str(raw_peak), str(ours_peak),
                f"{disk_mib(workdir / 'kg-db'):.0f}", f"{float(query['reopen']):.2f}",  # type: ignore[arg-type]
                f"{statistics.median(raw_q):.1f}", f"{statistics.median(seam_q):.1f}",
                f"{statistics.median(seam_q) / statistics.median(raw_q):.2f}x",
                f"{percentile(seam_q, 0.95):.1f}",
            )
            print("| " + " | ".join(row) + " |", flush=True)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10000])
