"""Synthetic knowledge graphs: DASCERN cloned under new IRIs, for scale and paging tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from api.app import create_app
from kg.build import GraphNames, read_sources
from kg.derive import derive
from kg.settings import Settings
from kg.store import Store, open_store
from kg.vocab import SCHEMA
from tests.backends import Backend


def clone_trials(
    settings: Settings,
    count: int,
    store: Store | None = None,
    acronyms: Sequence[str] | None = None,
) -> Store:
    """``store`` (a fresh embedded oxigraph store if none) filled with ``count`` copies of
    DASCERN (trial/syn-000, ...), each with its own arms, endpoints, results and comparisons,
    and derived facts computed for all. Drugs, the condition and the publications stay shared,
    as they would in a real graph. Clone ``i`` is labelled ``acronyms[i]`` (SYN-000, ... if not
    given)."""
    names = GraphNames(settings.base_iri)
    sources = read_sources(settings)
    prefix = f"{settings.base_iri}trial/dascern"
    curated = Graph()
    for name, graph in sources.items():
        if name != names.ontology:
            curated += graph
    clones = Graph()
    # Built last to first, so that IRIs reach a store out of their text order: an engine
    # ordering equal sort keys by insertion or internal id, not by IRI, is caught.
    for index in reversed(range(count)):
        tag = f"syn-{index:03d}"

        def rename(term: Node, tag: str = tag) -> Node:
            if isinstance(term, URIRef) and str(term).startswith(prefix):
                return URIRef(f"{settings.base_iri}trial/{tag}{str(term)[len(prefix) :]}")
            return term

        trial = URIRef(f"{settings.base_iri}trial/{tag}")
        for s, p, o in curated:
            s2, o2 = rename(s), rename(o)
            if s2 == trial and p in (RDFS.label, SCHEMA.alternateName):
                o2 = Literal(acronyms[index] if acronyms else tag.upper())
            elif s2 == trial and p == SCHEMA.identifier:
                o2 = Literal(f"{o}-{tag}")
            elif p == URIRef("https://w3id.org/evidence-kg/ontology/registryId"):
                o2 = Literal(f"{o}-{tag}")
            clones.add((s2, p, o2))
    store = store if store is not None else open_store("oxigraph")
    store.replace_graph(names.ontology, sources[names.ontology])
    store.replace_graph(names.curated("synthetic"), clones)
    store.replace_graph(names.derived, derive(clones, base_iri=settings.base_iri))
    return store


@contextmanager
def cloned_store(
    settings: Settings, backend: Backend, count: int, acronyms: Sequence[str] | None = None
) -> Iterator[tuple[Settings, Store]]:
    """``count`` clones (:func:`clone_trials`) in ``backend``, and settings that name it."""
    key = f"clones-{count}" + (f"-{'-'.join(acronyms)}" if acronyms else "")
    with backend.spec(key) as spec:
        store = clone_trials(settings, count, open_store(spec), acronyms)
        try:
            yield settings.with_overrides(store=spec), store
        finally:
            store.close()


@contextmanager
def cloned_app(
    settings: Settings, backend: Backend, count: int, acronyms: Sequence[str] | None = None
) -> Iterator[TestClient]:
    """An app over ``count`` clones in ``backend``, labelled as :func:`clone_trials` says."""
    with cloned_store(settings, backend, count, acronyms) as (configured, store):
        with TestClient(create_app(configured, store=store)) as client:
            yield client
