"""Serializations of the whole knowledge graph, shared by ``kg export`` and the HTTP dumps.

Why one module: the dumps the server offers must be byte-identical to ``kg export``, so both call
:func:`export`. Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) carry the union of the named
graphs; quad formats (N-Quads, TriG) keep the graph each triple came from.

Why deterministic: HTTP ETags and diffs of dumps are only useful if the same graph gives the same
bytes in every process. rdflib labels blank nodes at random and iterates its store in insertion
order, so :func:`export` relabels blank nodes canonically (by graph structure, as
:mod:`rdflib.compare` does), inserts triples in sorted order, sorts line-based output and sorts
every JSON-LD array that RDF does not order.
"""

from __future__ import annotations

import json
from functools import cache
from hashlib import sha256
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import RDF, BNode, Dataset, Graph, URIRef
from rdflib.compare import _TripleCanonicalizer
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import IdentifiedNode, Node

from kg.parse import BUNDLED_CONTEXT_PATH

ExportFormat = TypingLiteral["turtle", "ntriples", "nquads", "trig", "jsonld", "xml"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("turtle", "ntriples", "nquads", "trig", "jsonld", "xml")

MEDIA_TYPES: dict[ExportFormat, str] = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
}

FILE_EXTENSIONS: dict[ExportFormat, str] = {
    "turtle": "ttl",
    "ntriples": "nt",
    "nquads": "nq",
    "trig": "trig",
    "jsonld": "jsonld",
    "xml": "rdf",
}
"""The file extension of each format: dump URLs (``/dump.ttl``) and ``?format=`` values use it."""

RDFLIB_NAMES: dict[ExportFormat, str] = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "xml": "xml",
}

Quad = tuple[Node, Node, Node, IdentifiedNode | None]


def union_graph(dataset: Dataset) -> Graph:
    """All triples of every named graph in one graph, with the project's prefixes bound."""
    graph = Graph()
    for prefix, namespace in dataset.namespaces():
        graph.bind(prefix, namespace)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def export(dataset: Dataset, fmt: ExportFormat) -> bytes:
    """Serialize ``dataset`` in ``fmt``; quad formats keep named graphs, others take the union.

    The same graph gives the same bytes, whatever blank-node labels or insertion order it has.
    """
    if fmt not in RDFLIB_NAMES:
        raise ValueError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    canonical = canonical_dataset(dataset)
    if fmt == "nquads":
        return _sorted_lines(canonical.serialize(format="nquads", encoding="utf-8"))
    if fmt == "trig":
        return _trig(canonical)
    graph = _ordered_union(canonical)
    if fmt == "jsonld":
        return jsonld_document(graph)
    data = graph.serialize(format=RDFLIB_NAMES[fmt], encoding="utf-8")
    return _sorted_lines(data) if fmt == "ntriples" else data


def canonical_dataset(dataset: Dataset) -> Dataset:
    """A copy of ``dataset`` with canonical blank-node labels, its quads inserted in sorted order.

    Blank nodes are labelled ``b0``, ``b1``… in the order of their canonical hash over the union
    graph, so one blank node shared by two named graphs keeps one label.
    """
    quads = list(dataset.quads((None, None, None, None)))
    labels = _canonical_bnode_labels(union_graph(dataset))
    copy = Dataset()
    for prefix, namespace in dataset.namespaces():
        copy.bind(prefix, namespace)

    def relabel(term: Node) -> Node:
        return labels.get(term, term) if isinstance(term, BNode) else term

    relabelled: list[Quad] = [(relabel(s), relabel(p), relabel(o), g) for s, p, o, g in quads]
    for s, p, o, g in sorted(relabelled, key=_quad_key):
        in_default = g is None or g == DATASET_DEFAULT_GRAPH_ID
        target = copy.default_graph if in_default else copy.graph(g)
        target.add((s, p, o))
    return copy


def _ordered_union(dataset: Dataset) -> Graph:
    """The union graph in a store that iterates in insertion order, filled in sorted order.

    Why ``SimpleMemory``: rdflib's default store indexes triples in sets, so serializers that
    walk the store (RDF/XML) would emit subjects and properties in an order that changes with
    Python's hash seed.
    """
    graph = Graph(store="SimpleMemory")
    for prefix, namespace in dataset.namespaces():
        graph.bind(prefix, namespace)
    triples = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    for s, p, o in sorted(triples, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
        graph.add((s, p, o))
    return graph


def _trig(dataset: Dataset) -> bytes:
    """TriG with graphs in name order (default graph first) and one shared prefix block.

    Why by hand: rdflib's TriG serializer orders graphs by its store's set iteration; serializing
    one graph at a time and joining keeps each block deterministic.
    """
    prefixes: set[bytes] = set()
    blocks: list[tuple[str, bytes]] = []
    for graph in dataset.graphs():
        if not len(graph):
            continue
        single = Dataset()
        for prefix, namespace in dataset.namespaces():
            single.bind(prefix, namespace)
        is_default = graph.identifier == DATASET_DEFAULT_GRAPH_ID
        target = single.default_graph if is_default else single.graph(graph.identifier)
        for triple in sorted(graph, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
            target.add(triple)
        lines = single.serialize(format="trig", encoding="utf-8").splitlines()
        # The prefix block is the leading run of @prefix lines; a multi-line literal further
        # down may also hold a line that starts with "@prefix ", and must stay where it is.
        header = 0
        while header < len(lines) and (lines[header].startswith(b"@prefix ") or not lines[header]):
            header += 1
        prefixes.update(line for line in lines[:header] if line)
        body = lines[header:]
        name = "" if is_default else graph.identifier.n3()
        blocks.append((name, b"\n".join(body).strip(b"\n") + b"\n"))
    head = b"".join(line + b"\n" for line in sorted(prefixes))
    return head + b"".join(b"\n" + block for _, block in sorted(blocks))


def _quad_key(quad: Quad) -> tuple[str, ...]:
    s, p, o, g = quad
    return (g.n3() if g is not None else "", s.n3(), p.n3(), o.n3())


class _LabelRecorder(_TripleCanonicalizer):
    """rdflib's canonicalizer, keeping the blank-node labels it computes.

    Why a subclass: :mod:`rdflib.compare` gives canonical triples but not the blank node to
    label map, which we need to relabel quads consistently across named graphs.
    """

    labels: dict[Node, str]

    def _canonicalize_bnodes(self, triple: Any, labels: dict[Node, str]) -> Any:
        self.labels = labels
        return super()._canonicalize_bnodes(triple, labels)


def _canonical_bnode_labels(graph: Graph) -> dict[Node, BNode]:
    """Labels ``b0``, ``b1``… that depend only on the graph's structure, not on parse order.

    Why two stages: colour refinement (hash each blank node with its neighbours' hashes until
    the partition stops splitting) is linear per round and separates the blank nodes curated data
    has (qualified derivations, list cells); rdflib's canonicalizer also breaks the rare ties
    refinement leaves, but takes minutes on a few thousand blank nodes, so it runs only then.
    """
    colours = _refined_colours(graph)
    if not colours:
        return {}
    if len(set(colours.values())) < len(colours):
        recorder = _LabelRecorder(graph)
        for _ in recorder.canonical_triples():
            pass
        colours = {node: label for node, label in recorder.labels.items() if node in colours}
    ranked = sorted(colours, key=lambda node: colours[node])
    return {bnode: BNode(f"b{index}") for index, bnode in enumerate(ranked)}


def _refined_colours(graph: Graph) -> dict[Node, str]:
    """A hash per blank node from everything reachable through other blank nodes (1-WL)."""
    edges: dict[Node, list[tuple[str, str, Node]]] = {}
    for s, p, o in graph:
        if isinstance(s, BNode):
            edges.setdefault(s, []).append(("+", p.n3(), o))
        if isinstance(o, BNode):
            edges.setdefault(o, []).append(("-", p.n3(), s))
    colours = {node: "" for node in edges}
    classes = 1
    while True:
        refined = {
            node: sha256(
                "\n".join(
                    [colours[node]]
                    + sorted(
                        f"{direction} {predicate} "
                        + (f"_:{colours[other]}" if isinstance(other, BNode) else other.n3())
                        for direction, predicate, other in node_edges
                    )
                ).encode("utf-8")
            ).hexdigest()
            for node, node_edges in edges.items()
        }
        refined_classes = len(set(refined.values()))
        colours = refined
        if refined_classes <= classes:
            return colours
        classes = refined_classes


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(line for line in data.splitlines() if line.strip())
    return b"".join(line + b"\n" for line in lines)


@cache
def _bundled_context(path: Path = BUNDLED_CONTEXT_PATH) -> dict[str, Any]:
    """The JSON-LD context shipped with the package, read once per process: no data changes it."""
    document = json.loads(path.read_text(encoding="utf-8"))
    context: dict[str, Any] = document["@context"]
    return context


def jsonld_document(graph: Graph) -> bytes:
    """JSON-LD compacted with the project's context, which the document carries inline.

    Why inline rather than by its published URL: readers get the same short keys either way,
    but a reference makes every JSON-LD processor fetch the context before it can read a single
    triple, and the published address (``CONTEXT_URL``) resolves only where a deployment
    redirects it; pyld and rdflib could not read the dump offline. The dump and each resource's
    JSON-LD (:func:`kg.describe.serialize`) are written here, so they agree.
    """
    converter = _Converter(Context(_bundled_context()), use_native_types=False, use_rdf_type=False)
    nodes = converter.from_graph(graph)
    document = _sort_unordered({"@context": _bundled_context(), "@graph": nodes})
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


class _Converter(Converter):
    """rdflib's RDF-to-JSON-LD converter, emitting every blank node that is not a list cell.

    Why: rdflib 7 writes a blank node reached through an ``@id``-coerced term as ``"_:b1"`` but
    never writes that node's own properties, so every ``prov:qualifiedDerivation`` would be lost.
    List cells stay out: they are written inline as ``@list`` values.
    """

    def from_graph(self, graph: Graph) -> list[dict[str, Any]]:
        nodemap: dict[str, dict[str, Any]] = {}
        for subject in sorted(set(graph.subjects()), key=lambda node: node.n3()):
            if isinstance(subject, BNode) and (subject, RDF.first, None) in graph:
                continue
            if isinstance(subject, URIRef | BNode):
                self.process_subject(graph, subject, nodemap)
        return list(nodemap.values())


def _sort_unordered(node: Any) -> Any:
    """Sort every JSON array except ``@list`` values and ``@container: @list`` terms.

    Why: rdflib emits node objects and multi-valued properties in store order, which RDF does
    not define; lists are the only ordered values and keep their order.
    """
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, list):
            items = [_sort_unordered(item) for item in value]
            result[key] = items if _is_ordered(key) else sorted(items, key=_json_key)
        else:
            result[key] = _sort_unordered(value)
    return result


def _is_ordered(key: str) -> bool:
    if key == "@list":
        return True
    definition = _bundled_context().get(key)
    return isinstance(definition, dict) and definition.get("@container") == "@list"


def _json_key(value: Any) -> tuple[str, str]:
    """Node objects sort by their ``@id`` first, so a diff of two dumps lines up by node."""
    node_id = str(value.get("id", value.get("@id", ""))) if isinstance(value, dict) else ""
    return node_id, json.dumps(value, sort_keys=True, ensure_ascii=False)
