"""Run compiled shapes on a store and build the report pySHACL's results would give.

Why rows become results here and not in SPARQL: the queries return only failures (none on a
conforming graph), so the Python side handles a handful of rows; what a result says (its path
as written in the shapes, its message with ``{?var}`` filled in as pySHACL fills it, its
severity) comes from the compiled :class:`~kg.shaclsparql.compile.Check`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.shaclsparql.compile import Check, CompiledQuery, CompiledShape, CompiledShapes, template
from kg.store import Store, select
from kg.validate import (
    SHAPES_IRI,
    CheckedShape,
    ValidationReport,
    ValidationResult,
    blank_node_label,
    path_string,
    result_sort_key,
    shape_owners,
    term_string,
)
from kg.vocab import PREFIXES, RDF, SH

_FocusNodes = tuple[tuple[str, ...], int | None]
"""A shape's focus nodes, listed (and no count) or counted (and none listed)."""

_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class _Found:
    """One result before it becomes strings: the report graph needs the terms."""

    check: Check
    focus: Identifier
    value: Identifier | None
    path: Node | None
    """A path node of the shapes graph, or the IRI a SPARQL constraint bound to ?path."""
    messages: tuple[str, ...]


def _format(message: str, bindings: Mapping[str, Identifier]) -> str:
    """``{?var}`` and ``{$var}`` replaced by the bound terms, exactly as pySHACL does it."""
    for name, value in bindings.items():
        message = re.sub(f"{{[?$]{name}}}", str(value), message)
    return message


def _rows(store: Store, query: CompiledQuery) -> list[dict[str, Identifier]]:
    rows = select(store, query.text).rows
    if rows and query.exact_text is not None:
        rows = select(store, query.exact_text).rows
    _return_freed_memory()
    return rows


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl). Found once
    per process: it depends on the C library alone, not on any data."""
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    return cast("Callable[[int], int] | None", trim)


def _return_freed_memory() -> None:
    """Give the heap pages the last query freed back to the system.

    Why: a query's hash tables are freed when it ends, but glibc keeps the pages in the arena
    of the thread that ran it, so each worker thread holds on to its largest query's memory
    and the process's resident size is their sum, not what the running queries need."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _from_counts(query: CompiledQuery, rows: list[dict[str, Identifier]]) -> list[_Found]:
    found = []
    for row in rows:
        for key, checks in query.checks.items():
            count = int(row[f"n{key}"])
            for check in checks:
                low = check.minimum is not None and count < check.minimum
                high = check.maximum is not None and count > check.maximum
                if low or high:
                    found.append(_Found(check, row["this"], None, check.path, check.messages))
    return found


def _from_values(query: CompiledQuery, rows: list[dict[str, Identifier]]) -> list[_Found]:
    return [
        _Found(check, row["this"], row.get("value"), check.path, check.messages)
        for row in rows
        for check in query.checks[int(row["k"])]
    ]


def _from_unique_lang(query: CompiledQuery, rows: list[dict[str, Identifier]]) -> list[_Found]:
    (check,) = query.checks[0]
    return [_Found(check, row["this"], None, check.path, check.messages) for row in rows]


def _from_sparql(query: CompiledQuery, rows: list[dict[str, Identifier]]) -> list[_Found]:
    """pySHACL's reading of SELECT rows: ?value defaults to the focus node (node shapes), rows
    repeating the same bindings count once, and ``{?var}`` in messages takes every binding."""
    (check,) = query.checks[0]
    found = []
    seen: set[tuple[tuple[str, Identifier], ...]] = set()
    for row in rows:
        focus = row["this"]
        path = row.get("path")
        value = row.get("value")
        others = {k: v for k, v in row.items() if k not in ("this", "path", "value")}
        if not query.projects_this and path is None and value is None:
            continue  # pySHACL ignores a row that binds none of $this, ?path and ?value
        key = tuple(sorted(row.items()))
        if key in seen:
            continue
        seen.add(key)
        shown = value if value is not None else focus
        bindings = dict(others)
        bindings["this"] = focus
        if path is not None:
            bindings["path"] = path
        bindings["value"] = shown
        messages = tuple(_format(m, bindings) for m in check.messages)
        found.append(_Found(check, focus, shown, path, messages))
    return found


_READERS = {
    "counts": _from_counts,
    "values": _from_values,
    "unique_lang": _from_unique_lang,
    "sparql": _from_sparql,
}


def _copy_path(shapes: Graph, node: Node, into: Graph) -> None:
    """Copy a complex path's blank-node structure from the shapes graph into the report."""
    pending = [node]
    while pending:
        current = pending.pop()
        for predicate, obj in shapes.predicate_objects(current):
            into.add((current, predicate, obj))
            if isinstance(obj, BNode):
                pending.append(obj)


def _report_graph(found: list[_Found], shapes: Graph, conforms: bool) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.bind("ekgsh", SHAPES_IRI)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for item in found:
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, item.focus))
        graph.add((result, SH.resultSeverity, item.check.severity))
        graph.add((result, SH.sourceShape, item.check.source_shape))
        graph.add((result, SH.sourceConstraintComponent, item.check.component))
        if item.check.source_constraint is not None:
            graph.add((result, SH.sourceConstraint, item.check.source_constraint))
        if item.value is not None:
            graph.add((result, SH.value, item.value))
        if item.path is not None:
            graph.add((result, SH.resultPath, item.path))
            if isinstance(item.path, BNode):
                _copy_path(shapes, item.path, graph)
        for message in item.messages:
            graph.add((result, SH.resultMessage, Literal(message)))
    return graph


def _result(item: _Found, shapes: Graph, owners: Mapping[str, str]) -> ValidationResult:
    source_shape = term_string(item.check.source_shape) or ""
    constraint = item.check.source_constraint
    return ValidationResult(
        focus_node=term_string(item.focus) or "",
        path=None if item.path is None else path_string(shapes, item.path),
        value=term_string(item.value),
        message=sorted(item.messages)[0] if item.messages else "",
        severity=_SEVERITIES.get(item.check.severity, "Violation"),
        source_shape=source_shape,
        constraint_component=str(item.check.component),
        source_constraint=str(constraint) if isinstance(constraint, URIRef) else None,
        shape=owners.get(source_shape, source_shape),
    )


def _focus(store: Store, shape: CompiledShape, list_focus_nodes: bool) -> _FocusNodes:
    """The focus nodes of ``shape``: listed, or only counted in the store."""
    if list_focus_nodes:
        rows = select(store, "SELECT ?this WHERE " + shape.focus).rows
        return tuple(sorted(term_string(row["this"]) or "" for row in rows)), None
    text = template("focus_count").replace("$focus", shape.focus)
    return (), int(select(store, text).rows[0]["focusNodes"])


def default_workers() -> int:
    """Queries run side by side, one per core: stores evaluate each query on one thread, and
    pyoxigraph releases the GIL while it does."""
    return max(1, min(os.cpu_count() or 1, 8))


def validate_store(
    store: Store,
    compiled: CompiledShapes,
    *,
    list_focus_nodes: bool = False,
    prefixes: Mapping[str, str] | None = None,
    workers: int | None = None,
) -> ValidationReport:
    """Validate everything ``store`` holds (the union of its graphs) against ``compiled``.

    The ontology must be in the store (``kg load`` and ``kg serve`` keep it in its own graph):
    ``sh:class`` and ``sh:targetClass`` follow the ``rdfs:subClassOf`` triples found there.
    Focus nodes are counted in the store; ``list_focus_nodes`` also lists them (JUnit output
    needs one test case per focus node, which at registry scale is millions). ``prefixes``
    (prefix -> namespace) are added to the project's own for compacting IRIs in reports.
    ``workers`` queries run at once (default: :func:`default_workers`); the report does not
    depend on it.
    """
    pool = ThreadPoolExecutor(max_workers=workers or default_workers())
    try:
        # Every query is submitted before any result is read, so the pool never idles; the
        # results are then read in shape order, which keeps the report deterministic.
        # Shapes with the same targets (the twelve fact classes, ekg:Trial) share one focus
        # count: each is a scan of their rdf:type triples.
        focus: dict[str, Future[_FocusNodes]] = {}
        pending = []
        for shape in compiled.shapes:
            queries = [pool.submit(_rows, store, query) for query in shape.queries]
            if shape.focus not in focus:
                focus[shape.focus] = pool.submit(_focus, store, shape, list_focus_nodes)
            pending.append((shape, queries, focus[shape.focus]))
        return _report(store, compiled, pending, prefixes)
    finally:
        # A failed query ends the validation: queries not yet started are dropped.
        pool.shutdown(wait=True, cancel_futures=True)


def _report(
    store: Store,
    compiled: CompiledShapes,
    pending: list[tuple[CompiledShape, list[Future[list[dict[str, Identifier]]]],
                        Future[_FocusNodes]]],
    prefixes: Mapping[str, str] | None,
) -> ValidationReport:
    found: list[_Found] = []
    checked = []
    labels: dict[str, str] = {}
    for shape, row_futures, focus_future in pending:
        shape_found: list[_Found] = []
        for query, rows_future in zip(shape.queries, row_futures, strict=True):
            shape_found.extend(_READERS[query.kind](query, rows_future.result()))
        found.extend(shape_found)
        focus_nodes, count = focus_future.result()
        blank = any(isinstance(item.focus, BNode) for item in shape_found) or any(
            node.startswith("_:") for node in focus_nodes
        )
        if blank:
            for row in select(store, template("blank_labels").replace("$focus", shape.focus)):
                labels.setdefault(
                    f"_:{row['this']}",
                    blank_node_label(row["subject"], row["predicate"], row.get("detail")),
                )
        checked.append(
            CheckedShape(
                shape=term_string(shape.shape) or "",
                name=shape.name,
                focus_nodes=focus_nodes,
                focus_count=count,
            )
        )
    owners = shape_owners(compiled.graph)
    results = sorted((_result(item, compiled.graph, owners) for item in found),
                     key=result_sort_key)
    conforms = not any(r.severity == "Violation" for r in results)
    shown = dict(prefixes or {})
    shown.update({p: str(n) for p, n in PREFIXES.items()})
    shown["ekgsh"] = SHAPES_IRI
    return ValidationReport(
        conforms=conforms,
        results=tuple(results),
        report_graph=_report_graph(found, compiled.graph, conforms),
        checked_shapes=tuple(sorted(checked, key=lambda c: (c.shape.startswith("_:"), c.shape))),
        prefixes=tuple(sorted((p, n) for p, n in shown.items() if p)),
        node_labels=labels,
    )
