"""Load and query at scale: kg against raw pyoxigraph, measured in one run, printed as a table.

Usage: python benchmarks/scale_load_query.py [N ...]   (default: 1000 10000; add 100000 by hand,
it writes about 14 GB and takes minutes). Each step runs in its own process so that its peak
memory (max RSS) is its own. Figures are medians where repeated; ratios compare kg with the raw
pyoxigraph baseline of the same run, so a noisy machine shifts both alike.

Two raw baselines: ``bulk_load`` of the file as it is (into the default graph), and into a named
graph. kg keeps every load in a named graph (so a load can be hidden, swapped and dropped whole);
oxigraph indexes named-graph quads in six orders against three for the default graph, so about
half of kg's ratio to the first baseline is that choice, and the ratio to the second is kg's own
overhead. kg is timed as users run it: the ``kg load`` command, progress bar included.
"""

from __future__ import annotations

import json
import os
import platform
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
if kind in ("raw-bulk-load", "raw-bulk-load-named"):
    import pyoxigraph as ox
    store = ox.Store(db)
    into = {"to_graph": ox.NamedNode("%(base)sgraph/synthetic")} if kind.endswith("named") else {}
    store.bulk_load(path=str(corpus), format=ox.RdfFormat.N_TRIPLES, base_iri="%(base)s", **into)
    store.flush()
    seconds = time.perf_counter() - started
    quads = len(store)
    print(json.dumps({"seconds": seconds, "quads": quads}))
    sys.exit(0)
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
""".replace("%(base)s", BASE)


def run_measured(command: list[str]) -> tuple[str, float, int]:
    """Run a command; returns its stdout, wall seconds and its own peak RSS in MiB (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:3]} failed with status {status}")
    return output, seconds, usage.ru_maxrss // 1024


def run_step(*args: str) -> tuple[dict[str, object], int]:
    """Run one step in a fresh interpreter; returns its JSON output and its peak RSS in MiB."""
    output, _, peak = run_measured([sys.executable, "-c", STEP, *args])
    return json.loads(output.strip().splitlines()[-1]), peak


def run_kg_load(corpus: Path, db: Path) -> tuple[float, int]:
    """``kg load`` as a user runs it (progress bar on stderr); wall seconds and peak MiB."""
    kg = Path(sys.executable).parent / "kg"
    _, seconds, peak = run_measured(
        [str(kg), "load", "--store", f"oxigraph:{db}", "--graph", f"{BASE}graph/synthetic",
         str(corpus)]
    )
    return seconds, peak


def disk_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(share * len(values)))]


def main(sizes: list[int]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus import corpus_file

    print(f"# scale: load and query ({platform.node()}, {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()})")
    header = ("trials", "triples", "raw bulk_load s", "raw into named graph s", "kg load s",
              "ratio to raw", "ratio to raw named", "kg triples/s", "peak MiB raw",
              "peak MiB raw named", "peak MiB kg", "disk MiB raw", "disk MiB kg", "reopen s",
              "join p50 ms raw", "join p50 ms seam", "seam ratio", "join p95 ms seam")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for trials in sizes:
        corpus = corpus_file(trials)
        triples = sum(1 for _ in corpus.open("rb"))
        workdir = Path(tempfile.mkdtemp(prefix=f"kg-bench-{trials}-", dir=corpus.parent))
        try:
            raw, raw_peak = run_step("raw-bulk-load", str(corpus), str(workdir / "raw-db"))
            raw_disk = disk_mib(workdir / "raw-db")
            shutil.rmtree(workdir / "raw-db")
            named, named_peak = run_step(
                "raw-bulk-load-named", str(corpus), str(workdir / "named-db")
            )
            shutil.rmtree(workdir / "named-db")
            ours_s, ours_peak = run_kg_load(corpus, workdir / "kg-db")
            query, _ = run_step("query", str(corpus), str(workdir / "kg-db"), JOIN_QUERY)
            raw_s, named_s = float(raw["seconds"]), float(named["seconds"])  # type: ignore[arg-type]
            raw_q = [t * 1000 for t in query["raw"]]  # type: ignore[union-attr]
            seam_q = [t * 1000 for t in query["seam"]]  # type: ignore[union-attr]
            row = (
                f"{trials:,}", f"{triples:,}", f"{raw_s:.1f}", f"{named_s:.1f}", f"{ours_s:.1f}",
                f"{ours_s / raw_s:.2f}x", f"{ours_s / named_s:.2f}x", f"{triples / ours_s:,.0f}",
                str(raw_peak), str(named_peak), str(ours_peak), f"{raw_disk:.0f}",
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
