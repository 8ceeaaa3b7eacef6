"""Registry records into a store, in batches, through the one write path.

Why batches: validation runs each shape's queries once per batch and the write is one
transaction per batch, so a bulk import pays neither per record; an interrupted import leaves
each batch (and so each study) in or out. Records are read and mapped lazily, so memory holds
one batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from rdflib import URIRef

from kg.ctgov.mapping import MappingContext, map_record
from kg.ctgov.reconcile import read_index
from kg.ctgov.records import Record, RecordError
from kg.outcomes import ImportSummary
from kg.store import Store, select
from kg.vocab import EKG, OBO, SKOS
from kg.write import Outcome, StudyGraph, WriteContext, write_studies

BATCH = 50
"""Records validated and written together by default."""

_CURATED = """
PREFIX schema: <https://schema.org/>
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
SELECT ?trial ?id WHERE { VALUES ?id { $ids } ?trial schema:identifier ?id ; a ekg:Trial }
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
    return MappingContext(context.base_iri, drugs, conditions, stato=stato_classes(context))


def _curated(store: Store, mapping: MappingContext, records: list[Record]) -> dict[str, str]:
    ids = " ".join(f'"{record.nct_id}"' for record in records if record.nct_id.isalnum())
    if not ids:
        return {}
    found: dict[str, str] = {}
    for row in select(store, _CURATED.replace("$ids", ids)):
        nct, trial = str(row["id"]), str(row["trial"])
        if trial != mapping.trial_iri(nct):
            found[nct] = trial
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
    """Map every record and write the studies through :func:`kg.write.write_studies`."""
    summary = ImportSummary()
    mapping = mapping_context(store, context)
    for batch in _batches(items, batch_size):
        records = [item for item in batch if isinstance(item, Record)]
        mapping.curated_trials = _curated(store, mapping, records)
        studies: list[StudyGraph] = []
        for item in batch:
            if isinstance(item, RecordError):
                summary.errors.append(item)
                if progress is not None:
                    progress(item)
                continue
            try:
                studies.append(map_record(item.study, item.origin, mapping))
            except (ValueError, TypeError, AttributeError, KeyError) as error:
                problem = RecordError(item.origin, f"cannot read the record: {error}")
                summary.errors.append(problem)
                if progress is not None:
                    progress(problem)
        for outcome in write_studies(store, studies, context, deadline=deadline):
            summary.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    summary.finished = time.perf_counter()
    return summary
