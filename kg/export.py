"""Serializations of the whole knowledge graph, shared by ``kg export`` and the HTTP dumps.

Why one module: the dumps the server offers must be byte-identical to ``kg export``, so both call
:func:`export`. Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) carry the union of the named
graphs; quad formats (N-Quads, TriG) keep the graph each triple came from.
"""

from __future__ import annotations

from typing import Literal as TypingLiteral

from rdflib import Dataset, Graph

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

_RDFLIB_NAMES: dict[ExportFormat, str] = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "xml": "xml",
}


def union_graph(dataset: Dataset) -> Graph:
    """All triples of every named graph in one graph, with the project's prefixes bound."""
    graph = Graph()
    for prefix, namespace in dataset.namespaces():
        graph.bind(prefix, namespace)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def export(dataset: Dataset, fmt: ExportFormat) -> bytes:
    """Serialize ``dataset`` in ``fmt``; quad formats keep named graphs, others take the union."""
    if fmt not in _RDFLIB_NAMES:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt in ("nquads", "trig"):
        return dataset.serialize(format=_RDFLIB_NAMES[fmt], encoding="utf-8")
    return union_graph(dataset).serialize(format=_RDFLIB_NAMES[fmt], encoding="utf-8")
