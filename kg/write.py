"""The one write path: studies validated with the shapes, then written atomically, or refused.

Every way a study gets into a store goes through :func:`write_studies`: the registry import
(:mod:`kg.ctgov`) now, curated records and HTTP writes next. A producer hands over each study
as a :class:`StudyGraph`: the N-Triples of the study's own named graph (replaced whole on
every write), the shared reference data it introduces (drugs, conditions, publications,
organizations, the methods of derived facts; written once to the reference graph and never
replaced, since other studies point at them), and where in its input each node came from.

Why a batch: validation compiles nothing per call and runs each shape's query once over all
the studies of a batch, so a bulk import does not pay one validation per study; and one store
transaction per batch, so an interrupted import leaves each study in or out, never half.

What a write guarantees:

* **Validated with what it references.** The batch is validated in a scratch store holding the
  ontology, the batch, and the store's descriptions of what the batch points at (a curated drug
  it was reconciled with, say). Results are attributed to the study whose node they are about;
  a study with a ``sh:Violation`` is refused and nothing of it is written.
* **Atomic, with the generation.** Accepted studies replace their graphs, new reference data is
  added, and the store's data generation moves (:mod:`kg.build`), all in one transaction
  (:meth:`kg.store.Store.update_graphs`): readers see the old state or the new, and caches keyed
  on the generation drop.
* **Idempotent.** A study whose graph the store already holds, triple for triple, is reported
  ``unchanged`` and not written; a batch with nothing to write leaves the store untouched
  (the same generation, the same bytes).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Identifier

from kg.build import GraphNames, catalog_text, new_generation, read_catalog
from kg.projection import Projection, configured_path
from kg.settings import Settings
from kg.shaclsparql import CompiledShapes
from kg.store import Store, select
from kg.stores.oxigraph import OxigraphStore, to_rdflib
from kg.validate import ValidationResult, compiled_shapes, load_ontology, load_shapes
from kg.vocab import EKG

Status = TypingLiteral["imported", "replaced", "unchanged", "refused"]

REFERENCE_GRAPH_SEGMENT = "graph/reference"
"""Where shared reference data introduced by imports lives, under the base IRI."""

_CANDIDATES = "urn:evidence-kg:write:reference-candidates"
_CONTEXT = "urn:evidence-kg:write:store-context"
_ONTOLOGY = "urn:evidence-kg:write:ontology"
_DESCRIBE_CHUNK = 200


@dataclass(frozen=True)
class StudyGraph:
    """One study as a producer made it, ready for :func:`write_studies`."""

    study: str
    """The study's IRI."""
    graph: str
    """The named graph that holds the study, replaced whole by each write."""
    lines: tuple[str, ...]
    """N-Triples lines of the study's own graph."""
    shared: tuple[str, ...] = ()
    """N-Triples lines describing reference nodes (drugs, conditions, publications, ...) the
    study introduces; each such node is written once, by the first study that brings it."""
    pointers: Mapping[str, str] = field(default_factory=dict)
    """Where in the input each node (``"<iri>"``), or a node's property (``"<iri> <predicate>"``),
    came from: a JSON pointer for registry records."""
    origin: str = ""
    """The input this study came from, for messages (a file, with an index or line)."""
    notes: tuple[str, ...] = ()
    """What the producer could not map or found absent, for the import summary."""

    def pointer(self, focus: str, path: str | None) -> str:
        """The input location of a validation result, as precisely as the producer said: the
        node's property, the node, or the nearest node its IRI hangs under (a derived estimate
        under its comparison)."""
        if path is not None:
            found = self.pointers.get(f"<{focus}> {path}")
            if found is not None:
                return found
        node = focus
        while node:
            found = self.pointers.get(f"<{node}>")
            if found is not None:
                return found
            node = node.rpartition("/")[0] if node.startswith(self.study) and node != self.study else ""
        return ""


@dataclass(frozen=True)
class Problem:
    """A validation result about a study, with where in the input it came from."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    pointer: str

    def text(self) -> str:
        where = f"{self.pointer}: " if self.pointer else ""
        path = f" {self.path}" if self.path else ""
        value = f" = {self.value}" if self.value is not None else ""
        return f"{where}{self.severity}: <{self.focus}>{path}{value}: {self.message}"


@dataclass(frozen=True)
class Outcome:
    """What a write did with one study."""

    study: str
    origin: str
    status: Status
    problems: tuple[Problem, ...] = ()
    """Every violation when refused; warnings otherwise."""
    notes: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.status == "refused"


@dataclass(frozen=True)
class WriteContext:
    """What every write of one run shares: the compiled shapes and the ontology's triples."""

    base_iri: str
    shapes: Graph
    ontology: Graph
    projection: Projection | None = None
    """The read projection beside the store written to, if it has one: each write that moves
    the generation registers it there first, marking the studies it changes
    (:mod:`kg.projection`)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> WriteContext:
        path = configured_path(settings)
        projection = Projection(path, format=None) if path is not None else None
        return cls(settings.base_iri, load_shapes(settings), load_ontology(settings), projection)

    def next_generation(self, changed: Sequence[str]) -> str:
        """A new data generation for a write that changes the studies ``changed`` (their IRIs),
        registered with the projection, if any, before the write commits it."""
        generation = new_generation()
        if self.projection is not None:
            self.projection.register(generation, changed)
        return generation

    @cached_property
    def compiled(self) -> CompiledShapes:
        return compiled_shapes(self.shapes)

    @cached_property
    def ontology_ntriples(self) -> bytes:
        return self.ontology.serialize(format="nt", encoding="utf-8")

    @property
    def reference_graph(self) -> str:
        return f"{self.base_iri}{REFERENCE_GRAPH_SEGMENT}"


Key = tuple[str, str, str, str]


def _key(term: Identifier) -> Key:
    """A term as (kind, text, datatype, language), equal for equal terms of either library."""
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None else ""
        if not datatype and not term.language:
            datatype = "http://www.w3.org/2001/XMLSchema#string"
        return ("literal", str(term), datatype, term.language or "")
    return ("blank" if isinstance(term, BNode) else "iri", str(term), "", "")


def _term(key: Key) -> Identifier:
    from rdflib import BNode, Literal

    kind, text, datatype, language = key
    if kind == "literal":
        if language:
            return Literal(text, lang=language)
        return Literal(text, datatype=URIRef(datatype))
    return BNode(text) if kind == "blank" else URIRef(text)


def _same_triples(new: set[tuple[Key, Key, Key]], stored: set[tuple[Key, Key, Key]]) -> bool:
    """Whether a study's graph is the one stored. Blank nodes (a curated record's qualified
    derivations and author lists) get new labels on every load, so graphs holding them are
    compared as graphs (isomorphism), the others triple for triple."""
    if new == stored:
        return True
    if len(new) != len(stored) or not any(
        key[0] == "blank" for triple in (*new, *stored) for key in (triple[0], triple[2])
    ):
        return False
    from rdflib.compare import isomorphic

    def graph(triples: set[tuple[Key, Key, Key]]) -> Graph:
        built = Graph()
        for s, p, o in triples:
            built.add((_term(s), _term(p), _term(o)))
        return built

    return isomorphic(graph(new), graph(stored))


def _subjects(lines: Iterable[str]) -> set[str]:
    return {line[1 : line.index(">")] for line in lines if line.startswith("<")}


def _iri_objects(lines: Iterable[str]) -> set[str]:
    found = set()
    for line in lines:
        body = line.rstrip().removesuffix(".").rstrip()
        if body.endswith(">") and not body.endswith('">'):
            start = body.rfind("<")
            if start > 0 and body[start - 1] == " ":
                found.add(body[start + 1 : -1])
    return found


class _Scratch:
    """The batch in an in-memory store, with the ontology and what it references."""

    def __init__(self, context: WriteContext) -> None:
        self.store = OxigraphStore()
        self.native = self.store.native
        self.native.load(
            context.ontology_ntriples,
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(_ONTOLOGY),
        )

    def load(self, lines: Sequence[str], graph: str) -> None:
        if lines:
            self.native.load(
                "\n".join(lines).encode("utf-8"),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(graph),
            )

    def keys(self, graph: str) -> set[tuple[Key, Key, Key]]:
        return {
            (_key(to_rdflib(q.subject)), _key(to_rdflib(q.predicate)), _key(to_rdflib(q.object)))
            for q in self.native.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        }


def _stored_keys(store: Store, graphs: Sequence[str]) -> dict[str, set[tuple[Key, Key, Key]]]:
    """The triples the store holds in each of ``graphs`` (absent graphs: empty)."""
    found: dict[str, set[tuple[Key, Key, Key]]] = {graph: set() for graph in graphs}
    for start in range(0, len(graphs), _DESCRIBE_CHUNK):
        chunk = graphs[start : start + _DESCRIBE_CHUNK]
        values = " ".join(f"<{graph}>" for graph in chunk)
        rows = select(
            store, f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        for row in rows:
            found[str(row["g"])].add((_key(row["s"]), _key(row["p"]), _key(row["o"])))
    return found


def _described(store: Store, nodes: Sequence[str]) -> set[str]:
    """Those of ``nodes`` that the store already describes (subject of any triple)."""
    known: set[str] = set()
    for start in range(0, len(nodes), _DESCRIBE_CHUNK):
        values = " ".join(f"<{node}>" for node in nodes[start : start + _DESCRIBE_CHUNK])
        rows = select(store, f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
        known.update(str(row["s"]) for row in rows)
    return known


def _describe(store: Store, nodes: Sequence[str]) -> list[str]:
    """The store's triples about ``nodes`` and about the nodes they name once more (the codes of
    a drug, say), as N-Triples: what a shape checking the batch may look at."""
    lines: list[str] = []
    frontier = list(nodes)
    for _ in range(2):
        reached: set[str] = set()
        for start in range(0, len(frontier), _DESCRIBE_CHUNK):
            values = " ".join(f"<{node}>" for node in frontier[start : start + _DESCRIBE_CHUNK])
            rows = select(
                store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
            )
            for row in rows:
                s, p, o = row["s"], row["p"], row["o"]
                if not isinstance(s, URIRef):
                    continue
                lines.append(f"{s.n3()} {p.n3()} {o.n3()} .")
                if isinstance(o, URIRef):
                    reached.add(str(o))
        frontier = sorted(reached - set(nodes))
        if not frontier:
            break
    return lines


def _problem(result: ValidationResult, study: StudyGraph) -> Problem:
    return Problem(
        severity=result.severity,
        focus=result.focus_node,
        path=result.path,
        value=result.value,
        message=result.message,
        pointer=study.pointer(result.focus_node, result.path),
    )


class WriteTimeout(Exception):
    """The write ran past its deadline before its transaction began: nothing was written."""


def write_studies(
    store: Store,
    studies: Sequence[StudyGraph],
    context: WriteContext,
    *,
    deadline: float | None = None,
) -> list[Outcome]:
    """Validate ``studies`` together and write those without violations in one transaction.

    Returns one :class:`Outcome` per study, in order. A study given twice in one batch is
    written as its last occurrence (the earlier ones are reported ``unchanged`` by it).
    ``deadline`` (a :func:`time.monotonic` time) is checked once validation is done, right
    before the transaction: past it, :class:`WriteTimeout` and nothing is written, so that a
    client whose request timed out never finds its write applied later.
    """
    if not studies:
        return []
    last = {study.graph: index for index, study in enumerate(studies)}
    scratch = _Scratch(context)
    own_subjects: dict[str, int] = {}
    shared_lines: dict[str, None] = {}
    mentions: dict[str, set[int]] = defaultdict(set)
    for index, study in enumerate(studies):
        if last[study.graph] != index:
            continue
        scratch.load(study.lines, study.graph)
        for subject in _subjects(study.lines):
            own_subjects[subject] = index
        for line in study.shared:
            shared_lines.setdefault(line)
        for subject in _subjects(study.shared):
            mentions[subject].add(index)
    scratch.load(list(shared_lines), _CANDIDATES)
    batch_subjects = set(own_subjects) | set(mentions)
    all_lines = [line for s in studies for line in s.lines] + list(shared_lines)
    external = sorted(
        node
        for node in _iri_objects(all_lines)
        if node.startswith(context.base_iri) and node not in batch_subjects
    )
    scratch.load(_describe(store, external), _CONTEXT)

    from kg.shaclsparql import validate_store

    report = validate_store(scratch.store, context.compiled, workers=1)
    problems: dict[int, list[Problem]] = defaultdict(list)
    for result in report.results:
        owners = (
            {own_subjects[result.focus_node]}
            if result.focus_node in own_subjects
            else mentions.get(result.focus_node, set())
        )
        for owner in owners:
            problems[owner].append(_problem(result, studies[owner]))

    accepted = [
        index
        for index in sorted(set(last.values()))
        if not any(p.severity == "Violation" for p in problems[index])
    ]
    stored = _stored_keys(store, [studies[i].graph for i in accepted])
    changed = [
        i
        for i in accepted
        if not stored[studies[i].graph]
        or not _same_triples(scratch.keys(studies[i].graph), stored[studies[i].graph])
    ]
    replace = {studies[i].graph: "\n".join(studies[i].lines) for i in changed}
    add: dict[str, str] = {}
    if changed:
        needed = {s for i in changed for s in _subjects(studies[i].shared)}
        new_nodes = needed - _described(store, sorted(needed))
        reference = [line for line in shared_lines if _subjects([line]) & new_nodes]
        if reference:
            add[context.reference_graph] = "\n".join(reference)
        if deadline is not None and time.monotonic() > deadline:
            scratch.store.close()
            raise WriteTimeout("the write ran over its time limit before it began: nothing "
                               "was written")
        catalog = read_catalog(store, context.base_iri)
        if catalog.fingerprint is not None:
            names = GraphNames(context.base_iri)
            replace[str(names.catalog)] = catalog_text(
                context.base_iri,
                catalog.fingerprint,
                context.next_generation([studies[i].study for i in changed]),
            )
        store.update_graphs(replace, add)
    scratch.store.close()

    outcomes = []
    for index, study in enumerate(studies):
        found = tuple(problems.get(last[study.graph], ()))
        if index != last[study.graph]:
            note = f"superseded by a later copy of {study.study} in the same input"
            outcomes.append(Outcome(study.study, study.origin, "unchanged", (), (note,)))
        elif any(p.severity == "Violation" for p in found):
            violations = tuple(p for p in found if p.severity == "Violation")
            outcomes.append(Outcome(study.study, study.origin, "refused", violations, study.notes))
        else:
            status: Status = (
                "unchanged"
                if index not in changed
                else "replaced"
                if stored[study.graph]
                else "imported"
            )
            outcomes.append(Outcome(study.study, study.origin, status, found, study.notes))
    return outcomes


def _studies_in(store: Store, graph: str) -> list[str]:
    """The studies (trials, or studies a registry records that are not trials) named graph
    ``graph`` holds: a study's graph holds its own."""
    query = (
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s a ?type }} "
        f"FILTER(?type IN (<{EKG.Trial}>, <{EKG.Study}>)) }}"
    )
    return [str(row["s"]) for row in select(store, query)]


def delete_study(store: Store, graph: str, context: WriteContext) -> bool:
    """Drop a study's named graph and move the data generation, in one transaction; False (and
    nothing written) when the store holds no such graph. Shared reference data the study
    brought stays: other studies may point at it."""
    if not _stored_keys(store, [graph])[graph]:
        return False
    replace = {graph: ""}
    catalog = read_catalog(store, context.base_iri)
    if catalog.fingerprint is not None:
        replace[str(GraphNames(context.base_iri).catalog)] = catalog_text(
            context.base_iri, catalog.fingerprint, context.next_generation(_studies_in(store, graph))
        )
    store.update_graphs(replace, {})
    return True


@dataclass
class WriteTotals:
    """Counts over a run of :func:`write_studies` calls, for a summary."""

    imported: int = 0
    replaced: int = 0
    unchanged: int = 0
    refused: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            setattr(self, outcome.status, getattr(self, outcome.status) + 1)

    @property
    def total(self) -> int:
        return self.imported + self.replaced + self.unchanged + self.refused
