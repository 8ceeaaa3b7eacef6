"""Registry records into a store, in batches, through the one write path.

Why batches: validation runs each shape's queries once per batch and the write is one
transaction per batch, so a bulk import pays neither per record; an interrupted import leaves
each batch (and so each study) in or out. Records are read and mapped lazily, so memory holds
one batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice

from rdflib import URIRef

from kg.ctgov.mapping import map_record
from kg.ctgov.reconcile import read_index
from kg.ctgov.records import Record, RecordError
from kg.ctgov.writer import MappingContext
from kg.outcomes import ImportSummary
from kg.store import Store, select
from kg.vocab import EKG, OBO, SKOS
from kg.write import Outcome, StudyGraph, WriteContext, write_studies

BATCH = 50
"""Records validated and written together by default."""

_CURATED = """
PREFIX schema: <https://schema.org/>
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT ?trial ?id WHERE {
  ?trial a ekg:Trial ; schema:identifier ?id .
  FILTER (STRSTARTS(STR(?id), "NCT") && ?trial != IRI(CONCAT("$base", "trial/", LCASE(STR(?id)))))
}
"""

Progress = Callable[[Outcome | RecordError], None]


def stato_classes(context: WriteContext) -> dict[URIRef, URIRef]:
    """Each statistic type's STATO class, as the ontology maps it (``skos:exactMatch``)."""
    found = {}
    for statistic, match in context.ontology.subject_objects(SKOS.exactMatch):
        if (
            isinstance(statistic, URIRef)
            and isinstance(match, URIRef)
            and str(statistic).startswith(str(EKG))
            and str(match).startswith(str(OBO.STATO_))
            and (statistic, None, EKG.StatisticType) in context.ontology
        ):
            found[statistic] = match
    return found


def mapping_context(store: Store, context: WriteContext) -> MappingContext:
    drugs, conditions = read_index(store, context.base_iri)
    return MappingContext(context.base_iri, drugs, conditions, stato=stato_classes(context),
                          curated_trials=curated_trials(store, context.base_iri))


def curated_trials(store: Store, base_iri: str) -> dict[str, str]:
    """NCT id -> the trial node of a curated trial of that id (not an import's own node).

    Read once per import: an import writes registry studies only, so this does not change while
    it runs, and the store is not read while a batch is being written (:func:`import_records`).
    """
    found: dict[str, str] = {}
    for row in select(store, _CURATED.replace("$base", base_iri)):
        found[str(row["id"])] = str(row["trial"])
    return found


def _batches(items: Iterable[Record | RecordError], size: int) -> Iterator[list[Record | RecordError]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def import_records(
    store: Store,
    items: Iterable[Record | RecordError],
    context: WriteContext,
    *,
    batch_size: int = BATCH,
    progress: Progress | None = None,
    deadline: float | None = None,
) -> ImportSummary:
    """Map every record and write the studies through :func:`kg.write.write_studies`.

    One batch is mapped (Python, holding the GIL) while the one before is validated and
    written in a thread (mostly in the store's engine, which releases it), so the two cores
    both work; the store is read and written by that thread alone, whatever its backend.
    """
    summary = ImportSummary()
    mapping = mapping_context(store, context)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-import-write") as writer:
        writing: _Writing | None = None
        for batch in _batches(items, batch_size):
            studies, errors = _map_batch(batch, mapping)
            if writing is not None:
                writing.collect(summary, progress)
            writing = _Writing(writer.submit(write_studies, store, studies, context, deadline=deadline), errors)
        if writing is not None:
            writing.collect(summary, progress)
    summary.finished = time.perf_counter()
    return summary


def _map_batch(
    batch: list[Record | RecordError], mapping: MappingContext
) -> tuple[list[StudyGraph], list[RecordError]]:
    studies: list[StudyGraph] = []
    errors: list[RecordError] = []
    for item in batch:
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        try:
            studies.append(map_record(item.study, item.origin, mapping))
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            errors.append(RecordError(item.origin, f"cannot read the record: {error}"))
    return studies, errors


@dataclass
class _Writing:
    """A batch being written, and the inputs of that batch that could not be read."""

    outcomes: Future[list[Outcome]]
    errors: list[RecordError]

    def collect(self, summary: ImportSummary, progress: Progress | None) -> None:
        """Wait for the write (its error, if any, raised here) and report the batch."""
        outcomes = self.outcomes.result()
        for error in self.errors:
            summary.errors.append(error)
            if progress is not None:
                progress(error)
        for outcome in outcomes:
            summary.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
