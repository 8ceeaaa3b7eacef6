"""Full SHACL validation of a loaded store with the store engine (kg.shaclsparql), at scale.

Usage: python benchmarks/full_validation.py [N ...]   (synthetic trials; default 1000 10000)

For each N the cached store of benchmarks/corpus.py (ontology, DASCERN, derived facts and N
synthetic trials) is opened read-only, and in a fresh subprocess each (so peak RSS is that
run's own):

* the store engine validates everything the store holds (``kg validate --from-store``);
* the raw pyoxigraph baseline reads every quad once (``SELECT (COUNT(*) ...) { GRAPH ?g {...} }``),
  so the ratio says how many full scans validation costs;
* up to 1,000 trials, pySHACL validates an rdflib copy of the same store, for comparison.

Prints a markdown table; the issue's target is under 120 s for 100,000 trials.

``python benchmarks/full_validation.py --per-query N`` instead runs each compiled query alone
on one thread (and each focus count once) and prints the CPU seconds by kind and the largest
queries, with the memory each adds to the process's peak: where validation time goes.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PYSHACL_UP_TO = 1000
"""pySHACL takes about 25 s per 1,000 trials and an rdflib copy of the store: beyond this it is
neither useful nor affordable on the benchmark machine."""


SINGLE_WORKER_UP_TO = 10_000
"""The one-worker run shows what running queries side by side buys; at 100,000 trials it would
double an already long benchmark."""


def _read_only_store(path: str) -> object:
    """A kg Store over the cached store, opened read-only (benchmarks never write to it)."""
    from kg.stores.oxigraph import OxigraphStore

    return OxigraphStore.read_only(path)


def child(kind: str, path: str) -> None:
    """Run one measurement and print it as JSON (called in a subprocess by :func:`main`)."""
    from kg.settings import Settings
    from kg.store import Store, select
    from kg.validate import load_shapes, validate_graph, validate_store

    store = _read_only_store(path)
    assert isinstance(store, Store)
    started = time.perf_counter()
    if kind == "baseline":
        rows = select(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        figures: dict[str, object] = {"quads": int(rows[0]["n"])}
    else:
        shapes = load_shapes(Settings())
        if kind.startswith("store"):
            workers = int(kind.split(":")[1]) if ":" in kind else None
            report = validate_store(store, shapes=shapes, workers=workers)
        else:
            report = validate_graph(store.dataset(), shapes=shapes)
        figures = {
            "results": len(report.results),
            "violations": report.counts["Violation"],
            "warnings": report.counts["Warning"],
            "focus": sum(s.size for s in report.checked_shapes),
        }
    figures["seconds"] = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures["cpu_s"] = usage.ru_utime + usage.ru_stime
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def _resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def per_query(trials: int, top: int = 25) -> None:
    """CPU seconds and added peak memory of every compiled query, run alone (Linux only: the
    peak is reset through /proc/self/clear_refs before each query)."""
    from corpus import loaded_store

    from kg.settings import Settings
    from kg.shaclsparql.compile import compile_shapes, template
    from kg.store import Store, select
    from kg.validate import load_shapes

    store = _read_only_store(str(loaded_store(trials)))
    assert isinstance(store, Store)
    compiled = compile_shapes(load_shapes(Settings()))
    timed: list[tuple[float, str, str, int]] = []

    def run(text: str, name: str, kind: str) -> None:
        Path("/proc/self/clear_refs").write_text("5")
        base = _resident_kib()
        started = time.process_time()
        select(store, text)
        timed.append((time.process_time() - started, name, kind, (_peak_kib() - base) // 1024))

    focus_done: set[str] = set()
    for shape in compiled.shapes:
        for query in shape.queries:
            run(query.text, shape.name, query.kind)
        if shape.focus not in focus_done:
            focus_done.add(shape.focus)
            run(template("focus_count").replace("$focus", shape.focus), shape.name, "focus")
    by_kind: dict[str, float] = {}
    for seconds, _, kind, _ in timed:
        by_kind[kind] = by_kind.get(kind, 0.0) + seconds
    print(f"# {trials:,} trials: {sum(by_kind.values()):.1f} CPU s in {len(timed)} queries; "
          + ", ".join(f"{kind} {seconds:.1f}"
                      for kind, seconds in sorted(by_kind.items(), key=lambda kv: -kv[1])))
    print("| CPU s | shape | query | added peak MB |\n|---|---|---|---|")
    for seconds, name, kind, added in sorted(timed, reverse=True)[:top]:
        print(f"| {seconds:.2f} | {name} | {kind} | {added} |")


def measure(kind: str, path: Path) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main(sizes: list[int]) -> None:
    from corpus import loaded_store

    from kg.shaclsparql.run import default_workers

    print("# full validation with the store engine (kg validate --from-store), "
          f"{default_workers()} workers (one per core)")
    print(
        "| trials | quads | store engine s | CPU s | 1 worker s | results (violations/warnings) "
        "| focus nodes | peak RSS MB | raw scan s | ratio to scan | pySHACL s | target s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for trials in sizes:
        path = loaded_store(trials)
        baseline = measure("baseline", path)
        engine = measure("store", path)
        single = measure("store:1", path) if trials <= SINGLE_WORKER_UP_TO else None
        pyshacl = measure("pyshacl", path) if trials <= PYSHACL_UP_TO else None
        ratio = float(engine["seconds"]) / float(baseline["seconds"])  # type: ignore[arg-type]
        shown = "-" if pyshacl is None else f"{pyshacl['seconds']:.1f}"
        same = ""
        if pyshacl is not None and pyshacl["results"] != engine["results"]:
            same = f" (pySHACL: {pyshacl['results']})"
        print(
            f"| {trials:,} | {baseline['quads']:,} | {engine['seconds']:.1f} | "
            f"{engine['cpu_s']:.1f} | {'-' if single is None else format(single['seconds'], '.1f')} | "
            f"{engine['results']} ({engine['violations']}/{engine['warnings']}){same} | "
            f"{engine['focus']:,} | {engine['rss_mb']:.0f} | {baseline['seconds']:.1f} | "
            f"{ratio:.1f}x | {shown} | {'120' if trials >= 100_000 else '-'} |",
            flush=True,
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "--per-query":
        per_query(int(sys.argv[2]))
    else:
        main([int(arg) for arg in sys.argv[1:]] or [1000, 10000])
