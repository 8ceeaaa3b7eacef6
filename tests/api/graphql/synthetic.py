"""Synthetic knowledge graphs: DASCERN cloned under new IRIs, for scale and paging tests."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from kg.build import GraphNames, read_sources
from kg.derive import derive
from kg.settings import Settings
from kg.store import Store, open_store
from kg.vocab import SCHEMA


def clone_trials(settings: Settings, count: int) -> Store:
    """A fresh oxigraph store with ``count`` copies of DASCERN (trial/syn-000, ...), each with
    its own arms, endpoints, results and comparisons, and derived facts computed for all.
    Drugs, the condition and the publications stay shared, as they would in a real graph."""
    names = GraphNames(settings.base_iri)
    sources = read_sources(settings)
    prefix = f"{settings.base_iri}trial/dascern"
    curated = Graph()
    for name, graph in sources.items():
        if name != names.ontology:
            curated += graph
    clones = Graph()
    for index in range(count):
        tag = f"syn-{index:03d}"

        def rename(term: Node, tag: str = tag) -> Node:
            if isinstance(term, URIRef) and str(term).startswith(prefix):
                return URIRef(f"{settings.base_iri}trial/{tag}{str(term)[len(prefix) :]}")
            return term

        trial = URIRef(f"{settings.base_iri}trial/{tag}")
        for s, p, o in curated:
            s2, o2 = rename(s), rename(o)
            if s2 == trial and p in (RDFS.label, SCHEMA.alternateName):
                o2 = Literal(tag.upper())
            elif s2 == trial and p == SCHEMA.identifier:
                o2 = Literal(f"{o}-{tag}")
            elif p == URIRef("https://w3id.org/evidence-kg/ontology/registryId"):
                o2 = Literal(f"{o}-{tag}")
            clones.add((s2, p, o2))
    store = open_store("oxigraph")
    store.replace_graph(names.ontology, sources[names.ontology])
    store.replace_graph(names.curated("synthetic"), clones)
    store.replace_graph(names.derived, derive(clones, base_iri=settings.base_iri))
    return store
