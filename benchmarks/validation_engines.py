"""pySHACL against pyshacl-turbo on our shapes: same results on every fixture? how much faster?

Usage: python benchmarks/validation_engines.py [N ...]   (synthetic trial counts; default 20 100)

For every fixture in tests/shapes (each merged with tests/shapes/_context.ttl and the ontology, as
the shape tests do) both engines validate the same graph with the same options; their results are
compared as sets of (focus node, path, constraint component, severity, source shape), blank nodes
compared by position only. Then both validate synthetic corpora (with derived facts) and the
times are printed with their ratio. pySHACL stays the reference engine in tests either way.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Node

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.derive import derive  # noqa: E402
from kg.settings import Settings  # noqa: E402
from kg.synth import synth_lines  # noqa: E402
from kg.validate import load_ontology, load_shapes, validate_graph  # noqa: E402
from kg.vocab import SH  # noqa: E402

Row = tuple[str, str, str, str, str]


def result_rows(report: Graph) -> set[Row]:
    def show(term: Node | None) -> str:
        return "_" if isinstance(term, BNode) or term is None else str(term)

    return {
        (
            show(report.value(r, SH.focusNode)),
            show(report.value(r, SH.resultPath)),
            show(report.value(r, SH.sourceConstraintComponent)),
            show(report.value(r, SH.resultSeverity)),
            show(report.value(r, SH.sourceShape)),
        )
        for r in report.subjects(SH.resultSeverity, None)
    }


def engines() -> dict[str, Callable[..., Any]]:
    from pyshacl import validate as pyshacl_validate

    found: dict[str, Callable[..., Any]] = {"pyshacl": pyshacl_validate}
    try:
        from pyshacl_turbo import validate as turbo_validate

        found["pyshacl-turbo"] = turbo_validate
    except ImportError:
        print("pyshacl-turbo is not installed: pip install pyshacl-turbo", file=sys.stderr)
    return found


def run(engine: Callable[..., Any], data: Graph, shapes: Graph) -> tuple[set[Row], float]:
    copy = Graph()
    copy += data
    started = time.perf_counter()
    _, report, _ = engine(
        copy, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True
    )
    return result_rows(report), time.perf_counter() - started


def main(sizes: list[int]) -> None:
    settings = Settings()
    shapes, ontology = load_shapes(settings), load_ontology(settings)
    found = engines()
    fixtures_dir = ROOT / "tests" / "shapes"
    context = Graph().parse(fixtures_dir / "_context.ttl")
    print("# SHACL engines on our shapes")
    print(f"engines: {', '.join(found)}")
    fixtures = sorted(p for p in fixtures_dir.rglob("*.ttl") if p.name != "_context.ttl")
    disagreements = 0
    by_shape: dict[str, int] = {}
    for fixture in fixtures:
        data = Graph()
        data += context
        data += ontology
        data.parse(fixture)
        answers = {name: run(engine, data, shapes)[0] for name, engine in found.items()}
        reference = answers["pyshacl"]
        differing = set().union(*(rows ^ reference for rows in answers.values()))
        if differing:
            disagreements += 1
            for row in differing:
                by_shape[row[4]] = by_shape.get(row[4], 0) + 1
    for shape, count in sorted(by_shape.items()):
        print(f"  {shape}: {count} differing result(s)")
    print(f"fixtures: {len(fixtures)}, disagreeing with pySHACL: {disagreements}")
    print("| trials | triples | " + " | ".join(f"{n} s" for n in found) + " | ratio |")
    print("|---|---|" + "---|" * (len(found) + 1))
    for trials in sizes:
        data = Graph().parse(
            data="\n".join(synth_lines(trials, seed=2, base_iri=settings.base_iri)), format="nt"
        )
        data += derive(data, base_iri=settings.base_iri)
        times = {}
        answers = {}
        # pySHACL as the project runs it (kg.validate, with its parsed-query cache).
        started = time.perf_counter()
        report = validate_graph(data, shapes=shapes, ontology=ontology)
        times["pyshacl"] = time.perf_counter() - started
        answers["pyshacl"] = result_rows(report.report_graph)
        data += ontology
        for name, engine in found.items():
            if name != "pyshacl":
                answers[name], times[name] = run(engine, data, shapes)
        same = len({frozenset(rows) for rows in answers.values()}) == 1
        ratio = times["pyshacl"] / times.get("pyshacl-turbo", times["pyshacl"])
        print(
            f"| {trials:,} | {len(data):,} | "
            + " | ".join(f"{t:.1f}" for t in times.values())
            + f" | {ratio:.1f}x{'' if same else ' (results differ)'} |",
            flush=True,
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [20, 100])
