"""Curated data + ontology + derived facts -> named graphs in a store.

Why named graphs: each source of triples (the ontology, each curated file, the derived facts) is
replaced on its own and atomically, so a reload never leaves a half-built graph visible, and an
export in N-Quads or TriG shows where every triple came from.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from kg import queries
from kg.derive import derive
from kg.parse import parse_file
from kg.records.check import is_record_file, read_record_file
from kg.records.reference import ReferenceIndex
from kg.settings import Settings
from kg.store import Store, is_persistent, key_bounded, open_store, select
from kg.vocab import bind_prefixes

BUILT_FROM = URIRef("urn:evidence-kg:builtFrom")
"""Predicate of the catalog triple ``<catalog> <urn:evidence-kg:builtFrom> "sha256:…"``."""

GENERATION = URIRef("urn:evidence-kg:generation")
"""Predicate of the catalog triple whose object (a random token) changes whenever kg changes the
data (a build, a load): caches of answers are valid for one generation."""

BUILD_MODULES = (
    "build.py",
    "derive.py",
    "parse.py",
    "stats.py",
    "vocab.py",
    "records/check.py",
    "records/mapping.py",
    "records/reference.py",
    "records/values.py",
    "records/vocabulary.py",
    "records/schema/trial-record-1.schema.json",
)
"""Modules of this package whose code decides what a build writes: a change to any of them must
rebuild a store even when the package version and the input files are unchanged."""


@dataclass(frozen=True)
class GraphNames:
    """The named graphs one build writes, all under the configured base."""

    base_iri: str

    @property
    def ontology(self) -> URIRef:
        return URIRef(f"{self.base_iri}graph/ontology")

    @property
    def derived(self) -> URIRef:
        return URIRef(f"{self.base_iri}graph/derived")

    @property
    def catalog(self) -> URIRef:
        """Where a build into a persistent store records what it was built from."""
        return URIRef(f"{self.base_iri}graph/catalog")

    def curated(self, stem: str) -> URIRef:
        return URIRef(f"{self.base_iri}graph/data/{stem}")


def read_sources(settings: Settings) -> dict[URIRef, Graph]:
    """Parse the ontology and the curated files into one graph per named graph.

    Raises :class:`kg.parse.InputError` naming the file and line of the first bad input, before
    anything is written anywhere.
    """
    names = GraphNames(settings.base_iri)
    graphs = {
        names.ontology: parse_file(
            settings.ontology_path, base_iri=settings.base_iri, max_bytes=settings.max_input_bytes
        )
    }
    reference = Graph()
    for path in settings.reference_paths:
        graph = parse_file(path, base_iri=settings.base_iri, max_bytes=settings.max_input_bytes)
        graphs[names.curated(f"reference/{path.stem}")] = graph
        reference += graph
    index = ReferenceIndex.from_graph(reference, settings.base_iri)
    for path in settings.curated_paths:
        graphs[names.curated(path.stem)] = read_curated(path, settings, index)
    return graphs


def read_reference(settings: Settings) -> Graph:
    """The shared reference data (``data/reference/*.ttl``) as one graph."""
    reference = Graph()
    for path in settings.reference_paths:
        reference += parse_file(
            path, base_iri=settings.base_iri, max_bytes=settings.max_input_bytes
        )
    return reference


def read_curated(path: Path, settings: Settings, reference: ReferenceIndex) -> Graph:
    """One curated trial file: a trial record (YAML, JSON) mapped to our model, or RDF parsed.
    Raises :class:`kg.parse.InputError` naming the file and line of the first mistake."""
    if is_record_file(path):
        return read_record_file(
            path, base_iri=settings.base_iri, reference=reference,
            max_bytes=settings.max_input_bytes,
        ).graph
    return parse_file(path, base_iri=settings.base_iri, max_bytes=settings.max_input_bytes)


def build_graphs(settings: Settings) -> dict[URIRef, Graph]:
    """All named graphs of the knowledge graph: sources plus the derived facts computed from them."""
    graphs = read_sources(settings)
    curated = Graph()
    for name, graph in graphs.items():
        if name != GraphNames(settings.base_iri).ontology:
            curated += graph
    graphs[GraphNames(settings.base_iri).derived] = derive(curated, base_iri=settings.base_iri)
    return graphs


def build_dataset(settings: Settings) -> Dataset:
    """The whole knowledge graph as an rdflib Dataset (for export and validation)."""
    dataset = bind_prefixes(Dataset())
    for name, graph in build_graphs(settings).items():
        target = dataset.graph(name)
        for triple in graph:
            target.add(triple)
    return dataset


def load_into(store: Store, settings: Settings) -> Store:
    """Build every graph, then replace each in ``store``; nothing is written if a build step fails."""
    graphs = build_graphs(settings)
    for name, graph in graphs.items():
        store.replace_graph(name, graph)
    return store


def _package_version() -> str:
    try:
        return metadata.version("evidence-kg")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_fingerprint(settings: Settings) -> str:
    """A digest of everything a build depends on: package version, the code that derives facts,
    the base IRI, and the name and bytes of the ontology and of every curated file.

    Why bytes and not modification times: a checkout, a copy or a container image changes the
    times but not the content, and must not force a rebuild.
    """
    digest = hashlib.sha256()

    def add(label: str, content: bytes) -> None:
        digest.update(f"{label}\0{len(content)}\0".encode())
        digest.update(content)

    add("version", _package_version().encode())
    add("base", settings.base_iri.encode())
    package = resources.files(__package__ or "kg")
    for module in BUILD_MODULES:
        add(f"code:{module}", package.joinpath(module).read_bytes())
    add(f"ontology:{settings.ontology_path.name}", settings.ontology_path.read_bytes())
    for path in settings.reference_paths:
        add(f"reference:{path.name}", path.read_bytes())
    for path in settings.curated_paths:
        add(f"data:{path.name}", path.read_bytes())
    return f"sha256:{digest.hexdigest()}"


@dataclass(frozen=True)
class CatalogRecord:
    """What a store's catalog graph says: the build fingerprint and the data generation."""

    fingerprint: str | None = None
    generation: str | None = None


def read_catalog(store: Store, base_iri: str) -> CatalogRecord:
    """The catalog record for ``base_iri`` (empty if the store has none: in memory, never built)."""
    catalog = str(GraphNames(base_iri).catalog)
    for row in select(store, queries.load("store/catalog")):
        if str(row.get("catalog")) == catalog:
            generation = row.get("generation")
            return CatalogRecord(
                str(row["fingerprint"]), str(generation) if generation is not None else None
            )
    return CatalogRecord()


def recorded_fingerprint(store: Store, settings: Settings) -> str | None:
    """The fingerprint the store's catalog graph records for ``settings.base_iri``, if any."""
    return read_catalog(store, settings.base_iri).fingerprint


@key_bounded
def store_generation(store: Store, base_iri: str) -> str | None:
    """The store's data generation: it changes with every build and every load that records
    one (:func:`bump_generation`). ``None`` for a store without a catalog."""
    return read_catalog(store, base_iri).generation


def new_generation() -> str:
    """A fresh data generation token."""
    return uuid.uuid4().hex


def catalog_text(base_iri: str, fingerprint: str, generation: str) -> str:
    """The catalog graph's whole content as N-Triples, for writes that move the generation in
    the same transaction as the data (:mod:`kg.write`).

    >>> print(catalog_text("https://h/", "sha256:ab", "g1"))
    <https://h/graph/catalog> <urn:evidence-kg:builtFrom> "sha256:ab" .
    <https://h/graph/catalog> <urn:evidence-kg:generation> "g1" .
    """
    catalog = GraphNames(base_iri).catalog
    return "\n".join(
        f"<{catalog}> <{predicate}> {Literal(value).n3()} ."
        for predicate, value in ((BUILT_FROM, fingerprint), (GENERATION, generation))
    )


def _write_catalog(store: Store, base_iri: str, fingerprint: str) -> str:
    generation = new_generation()
    names = GraphNames(base_iri)
    store.update_graphs({str(names.catalog): catalog_text(base_iri, fingerprint, generation)}, {})
    return generation


def bump_generation(store: Store, base_iri: str) -> str | None:
    """Record that the data changed (call after a load): answers cached for the previous
    generation are no longer served. Returns the new generation; ``None`` (and nothing written)
    if the store was never built and so has no catalog."""
    fingerprint = read_catalog(store, base_iri).fingerprint
    if fingerprint is None:
        return None
    return _write_catalog(store, base_iri, fingerprint)


def ensure_built(store: Store, settings: Settings) -> bool:
    """Build the curated graphs into ``store`` unless it already holds them built from the same
    inputs; return whether it built. Why: rebuilding at every start costs time and writes, and a
    server must restart on a store of 30 M triples in well under two seconds.

    The fingerprint is written last, with a new generation, after every graph is replaced: a
    build interrupted half-way leaves the old (or no) fingerprint, so the next start builds
    again. Curated graphs of files that are no longer inputs are dropped.
    """
    fingerprint = build_fingerprint(settings)
    if recorded_fingerprint(store, settings) == fingerprint:
        return False
    names = GraphNames(settings.base_iri)
    graphs = build_graphs(settings)
    for name, graph in graphs.items():
        store.replace_graph(name, graph)
    curated_prefix = str(names.curated(""))
    for name in store.graph_names():
        if str(name).startswith(curated_prefix) and name not in graphs:
            store.drop_graph(name)
    _write_catalog(store, settings.base_iri, fingerprint)
    return True


def build_store(settings: Settings) -> Store:
    """Open the configured store and make sure it holds the knowledge graph.

    A persistent store (on disk, remote) keeps what it was built from, and is rebuilt only when
    that changed (:func:`ensure_built`); an in-memory store starts empty and is always built.
    """
    store = open_store(settings.store)
    try:
        if is_persistent(settings.store):
            ensure_built(store, settings)
        else:
            load_into(store, settings)
    except BaseException:
        store.close()
        raise
    return store
