"""Shared reference data as a record names it: drugs, conditions and journals found by name.

A curator writes ``dasatinib``, ``CHEBI:49375`` or ``Leukemia``; the record points at the node
of the shared reference data (``data/reference/*.ttl`` built into the store, or what an import
added) that has that name, synonym or identifier. What no node has is minted under its kind's
IRI space (``drug/{slug}``) so that validation names it as missing, with the record's line.
The index is read from a graph (the build) or from a store (imports and exports).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef

from kg.ctgov.reconcile import normalized, slug
from kg.store import Store, select

KINDS = {
    "drug": ("https://w3id.org/evidence-kg/ontology/Drug", "drug"),
    "condition": ("https://w3id.org/evidence-kg/ontology/Condition", "condition"),
    "journal": ("https://schema.org/Periodical", "journal"),
}
"""Record kind -> (class, IRI segment)."""

_NAMES = """
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?node ?kind ?name ?key WHERE {
  VALUES ?kind { $kinds }
  ?node a ?kind .
  OPTIONAL { ?node schema:name ?name }
  {
    ?node schema:name|schema:alternateName|schema:proprietaryName|rdfs:label ?key
  } UNION {
    ?node schema:code/schema:codeValue ?key
  } UNION {
    ?node skos:exactMatch ?match . BIND (REPLACE(STR(?match), "^.*/([A-Za-z]+)_", "$1:") AS ?key)
  }
}
"""


@dataclass
class ReferenceIndex:
    """Names, synonyms and identifiers of reference nodes, by kind."""

    base_iri: str
    keys: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    names: dict[str, str] = field(default_factory=dict)
    """Node IRI -> its schema:name, what an exported record calls it."""

    def add(self, kind: str, node: str, key: str, name: str | None) -> None:
        self.keys[kind].setdefault(normalized(key), set()).add(node)
        if name is not None:
            self.names.setdefault(node, name)

    def resolve(self, kind: str, text: str) -> tuple[str, str | None]:
        """(node IRI, a problem or None): the one node named ``text``; else a minted IRI and why."""
        found = self.keys.get(kind, {}).get(normalized(text), set())
        if len(found) == 1:
            return next(iter(found)), None
        minted = f"{self.base_iri}{KINDS[kind][1]}/{slug(text)}"
        if minted in {n for nodes in self.keys.get(kind, {}).values() for n in nodes}:
            return minted, None
        if len(found) > 1:
            return minted, f"{text!r} names several {kind}s ({', '.join(sorted(found))})"
        return minted, None

    def name(self, node: str) -> str:
        """What a record calls a reference node: its name, else its IRI's last segment."""
        return self.names.get(node) or node.rsplit("/", 1)[-1]

    def _rows(self, rows: list[dict[str, Any]]) -> None:
        by_class = {cls: kind for kind, (cls, _) in KINDS.items()}
        for row in rows:
            kind = by_class.get(str(row["kind"]))
            if kind is None or row.get("key") is None:
                continue
            name = row.get("name")
            self.add(kind, str(row["node"]), str(row["key"]), str(name) if name else None)

    @classmethod
    def from_graph(cls, graph: Graph, base_iri: str) -> ReferenceIndex:
        index = cls(base_iri)
        query = _NAMES.replace("$kinds", " ".join(f"<{c}>" for c, _ in KINDS.values()))
        index._rows([dict(r.asdict()) for r in graph.query(query)])  # type: ignore[union-attr]
        return index

    @classmethod
    def from_store(cls, store: Store, base_iri: str) -> ReferenceIndex:
        index = cls(base_iri)
        query = _NAMES.replace("$kinds", " ".join(f"<{c}>" for c, _ in KINDS.values()))
        index._rows([dict(row) for row in select(store, query)])
        return index


def is_reference(node: URIRef | str, base_iri: str) -> bool:
    """Whether ``node`` is in a reference IRI space (``drug/``, ``condition/``, ``journal/``)."""
    text = str(node)
    return any(text.startswith(f"{base_iri}{segment}/") for _, segment in KINDS.values())
