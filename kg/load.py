"""Bulk loading large RDF files into the store, safely interruptible.

Why staging: a load of millions of triples takes long enough to be interrupted, and a half-loaded
graph would answer queries wrongly without saying so. Triples are streamed into a staging graph that
queries do not see, and swapped into place in one transaction only when the whole input has loaded;
an interrupted load drops its staging graph, and the next load sweeps any stage a killed process
left behind.

A store with a bulk loader (``Capabilities.bulk_load``: oxigraph) streams the files itself
(:meth:`kg.store.Store.bulk_load`: into an empty graph in place, hidden by a marker until done;
over content, beside it and swapped in); any other parses them in memory and replaces the graph in
one request or transaction.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from kg import queries
from kg.build import bump_generation
from kg.parse import guess_format, parse_file
from kg.store import LOADING, Progress, Store, StoreError, select

LOAD_FORMATS = ("nt", "turtle", "xml")
"""What ``kg load`` takes (by :func:`kg.parse.guess_format` name): N-Triples, Turtle, RDF/XML."""


@dataclass(frozen=True)
class LoadSummary:
    """What one load did."""

    graph: URIRef
    files: int
    bytes: int
    triples: int
    """Triples in ``graph`` after the load (duplicates in the input count once)."""
    seconds: float

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds if self.seconds else 0.0


def staging_prefix(base_iri: str) -> str:
    """Where stages live; :func:`kg.store.is_staging` makes backends hide them from queries."""
    return f"{base_iri}graph/staging/"


def sweep_stale_stages(store: Store, base_iri: str) -> list[URIRef]:
    """Drop what a load killed before it could clean up: its stage, or its half-loaded graph."""
    stale = [name for name in store.graph_names() if str(name).startswith(staging_prefix(base_iri))]
    for name in stale:
        half_loaded = select(store, f"SELECT ?g WHERE {{ GRAPH <{name}> {{ ?s <{LOADING}> ?g }} }}")
        for row in half_loaded:
            store.drop_graph(URIRef(str(row["g"])))
        store.drop_graph(name)
    return stale


def load_files(
    store: Store,
    paths: Sequence[Path],
    *,
    graph: URIRef,
    base_iri: str,
    max_bytes: int,
    progress: Progress | None = None,
) -> LoadSummary:
    """Load N-Triples, Turtle or RDF/XML files into named graph ``graph``, replacing it whole.

    Args:
        store: where to load.
        paths: the files; all of them land in ``graph`` together, or none does.
        graph: the named graph that the files become.
        base_iri: base for relative IRIs, and for the staging graph's name.
        max_bytes: per-file cap for backends that parse in memory (a bulk loader streams).
        progress: called with bytes read, for a progress bar.
    """
    started = time.perf_counter()
    sweep_stale_stages(store, base_iri)
    formats = {path: guess_format(path) for path in paths}
    for path, rdf_format in formats.items():
        if rdf_format not in LOAD_FORMATS:
            raise StoreError(
                f"{path}: kg load takes N-Triples, Turtle or RDF/XML, not {rdf_format}"
            )
    total_bytes = sum(path.stat().st_size for path in paths)
    if store.capabilities.bulk_load:
        stage = URIRef(f"{staging_prefix(base_iri)}{uuid.uuid4().hex}")
        store.bulk_load(formats, graph=graph, stage=stage, base_iri=base_iri, progress=progress)
    else:
        merged: Graph | None = None
        for path in paths:
            parsed = parse_file(path, base_iri=base_iri, max_bytes=max_bytes)
            if merged is None:
                merged = parsed  # one file (the usual case) is not copied
            else:
                merged += parsed
            if progress is not None:
                progress(path.stat().st_size)
        store.replace_graph(graph, merged if merged is not None else Graph())
    # Answers cached by running servers (GraphQL answers, VoID statistics) are for the data
    # before this load: a new generation tells them so.
    bump_generation(store, base_iri)
    return LoadSummary(
        graph=graph,
        files=len(paths),
        bytes=total_bytes,
        triples=graph_size(store, graph),
        seconds=time.perf_counter() - started,
    )


def graph_size(store: Store, graph: URIRef) -> int:
    """Triples in one named graph; at 30 M triples, about half the cost of counting the store."""
    query = queries.bind_iris(queries.load("store/graph_quad_count"), graph=str(graph))
    rows = select(store, query).rows
    return int(rows[0]["n"]) if rows else 0
