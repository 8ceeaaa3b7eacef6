"""Trial records into a store through the one write path (``kg import record``, the GraphQL
mutation ``importTrialRecord``).

Each record is checked against the JSON Schema, mapped (:mod:`kg.records.mapping`), given the
facts :mod:`kg.derive` computes from it, and handed to :func:`kg.write.write_studies` as the
trial's own named graph, ``{base}graph/trial/{id}``: validated with the shapes together with the
store's reference data it points at, written in one transaction with the data generation, or
refused with every problem at its record path and line. A record with a mistake the schema or
the mapping finds is refused the same way, before the shapes see it. Derived facts name the
software and its methods, which are shared reference data written once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from rdflib import Graph, URIRef

from kg.derive import derive
from kg.outcomes import ImportSummary, UnreadableInput
from kg.records.check import record_graph
from kg.records.mapping import Problem, RecordGraph, graph_iri
from kg.records.reference import ReferenceIndex
from kg.records.source import RecordText
from kg.store import Store, select
from kg.vocab import PROV, RDF
from kg.write import Outcome, StudyGraph, WriteContext, write_studies
from kg.write import Problem as WriteProblem

Progress = Callable[[Outcome | UnreadableInput], None]

_HOLDERS = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT DISTINCT ?g WHERE {
  GRAPH ?g { <$trial> a ?type } FILTER (?type IN (ekg:Trial, ekg:Study))
}
"""


def _shared_subjects(derived: Graph) -> set[URIRef]:
    """The software agent and the methods: described once for every trial, in the reference
    graph, not in any one trial's graph."""
    shared = {s for s in derived.subjects(RDF.type, PROV.SoftwareAgent) if isinstance(s, URIRef)}
    shared |= {s for s in derived.subjects(RDF.type, PROV.Plan) if isinstance(s, URIRef)}
    return shared


def _lines(graph: Graph) -> tuple[str, ...]:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return tuple(sorted(line for line in text.splitlines() if line.strip()))


def study_of(mapped: RecordGraph, origin: str, base_iri: str) -> StudyGraph:
    """The write path's view of a mapped record: its own graph with the facts derived from it,
    the shared agent and methods, and where each node stands in the record."""
    derived = derive(mapped.graph, base_iri=base_iri)
    shared_nodes = _shared_subjects(derived)
    own, shared = Graph(), Graph()
    own += mapped.graph
    for triple in derived:
        (shared if triple[0] in shared_nodes else own).add(triple)
    trial_id = str(mapped.trial).rsplit("/", 1)[-1]
    return StudyGraph(
        study=mapped.trial,
        graph=graph_iri(base_iri, trial_id),
        lines=_lines(own),
        shared=_lines(shared),
        pointers=mapped.pointers,
        origin=origin,
        notes=tuple(problem.text() for problem in mapped.warnings),
    )


def _refused(
    trial: str, origin: str, problems: Iterable[Problem], notes: tuple[str, ...] = ()
) -> Outcome:
    return Outcome(
        trial,
        origin,
        "refused",
        tuple(
            WriteProblem(p.severity, trial, None, None, p.message, p.where)
            for p in problems
        ),
        notes,
    )


def curated_elsewhere(store: Store, trial: str, graph: str) -> list[str]:
    """Graphs other than the trial's own that say it is a study: a trial built from ``data/``
    (``graph/data/...``) must be changed there, or two copies would be served."""
    return sorted(
        str(row["g"]) for row in select(store, _HOLDERS.replace("$trial", trial))
        if str(row["g"]) != graph
    )


def import_records(
    store: Store,
    items: Iterable[RecordText | UnreadableInput],
    context: WriteContext,
    *,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check, map and write every record, one write per record (a trial record is one trial,
    written as it is curated, rarely in bulk)."""
    summary = ImportSummary()
    index: ReferenceIndex | None = None

    def report(item: Outcome | UnreadableInput) -> None:
        if isinstance(item, Outcome):
            summary.outcomes.append(item)
        else:
            summary.errors.append(item)
        if progress is not None:
            progress(item)

    for item in items:
        if isinstance(item, UnreadableInput):
            report(item)
            continue
        index = index or ReferenceIndex.from_store(store, context.base_iri)
        for outcome in write_record(store, item, context, index):
            report(outcome)
    summary.finished = time.perf_counter()
    return summary


def write_record(
    store: Store,
    record: RecordText,
    context: WriteContext,
    index: ReferenceIndex,
    *,
    deadline: float | None = None,
) -> list[Outcome]:
    """One record through the write path: its outcome (imported, replaced, unchanged, refused)."""
    mapped = record_graph(record, context.base_iri, index)
    warnings = tuple(problem.text() for problem in mapped.warnings)
    if mapped.errors:
        return [_refused(mapped.trial, record.origin, mapped.errors, warnings)]
    trial_id = str(mapped.trial).rsplit("/", 1)[-1]
    holders = curated_elsewhere(store, mapped.trial, graph_iri(context.base_iri, trial_id))
    if holders:
        where = record.where(("id",))
        message = (
            f"trial {trial_id!r} is already served from {', '.join(holders)} (a curated file "
            "of data/, built at start): change it there, or give this record another id"
        )
        return [_refused(mapped.trial, record.origin, [Problem(where, message)], warnings)]
    study = study_of(mapped, record.origin, context.base_iri)
    return write_studies(store, [study], context, deadline=deadline)

