"""Writes a running server takes (the GraphQL mutations): one at a time, logged, through the
one write path, within the request's time.

A :class:`WriteService` owns the store's writer side: the process that holds an embedded
store's lock (``kg serve``'s only process, or with ``KG_WORKERS`` > 1 the supervising process,
which the worker processes reach through :mod:`kg.write_channel`). Every write, whichever
process received it, runs here under one lock, so concurrent writes to the same trial are
serialized and the last one to complete is what the store holds; a reader never sees half a
trial, since each write is one transaction (:func:`kg.write.write_studies`). Each write is
logged with the name of the token that made it, the trial and the outcome (never the token).
After a write that changed the data, ``on_change`` lets the server show it to every reader
(a new snapshot for query workers and worker processes: :mod:`api.writes`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from kg.ctgov.importer import import_records as import_registry_records
from kg.ctgov.records import RecordError, study_record
from kg.records.check import is_trial_id
from kg.records.importer import curated_elsewhere, write_record
from kg.records.mapping import graph_iri, trial_iri
from kg.records.reference import ReferenceIndex
from kg.records.source import FORMAT, RecordText
from kg.store import Store
from kg.write import Outcome, WriteContext, WriteTimeout, delete_study

LOG = logging.getLogger("kg.writes")

Operation = Literal["record", "registry", "delete"]


@dataclass(frozen=True)
class WriteRequest:
    """One write as a client asked for it (plain data: it crosses processes as JSON)."""

    operation: Operation
    payload: Any
    """The record (a JSON object), or the id of the trial to delete."""
    token_name: str
    seconds: float
    """How long the write may still take; past it nothing is written."""


@dataclass(frozen=True)
class WriteResult:
    """What a write did: ``imported``, ``replaced``, ``unchanged``, ``refused``, ``deleted``,
    ``absent`` (nothing to delete) or ``timeout`` (nothing written)."""

    status: str
    trial: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str | None = None

    @property
    def changed(self) -> bool:
        return self.status in ("imported", "replaced", "deleted")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WriteResult:
        return cls(**data)


def _problems(outcome: Outcome) -> list[dict[str, Any]]:
    return [
        {"severity": p.severity, "recordPath": p.pointer, "focusNode": p.focus,
         "property": p.path, "value": p.value, "message": p.message}
        for p in outcome.problems
    ]


def _result(outcome: Outcome) -> WriteResult:
    trial = outcome.study.rsplit("/", 1)[-1]
    return WriteResult(outcome.status, trial, _problems(outcome), list(outcome.notes))


class WriteService:
    """Runs writes on the store this process holds, one at a time."""

    def __init__(
        self,
        store: Store,
        context: WriteContext,
        *,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.context = context
        self.on_change = on_change
        self._lock = threading.Lock()

    def execute(self, request: WriteRequest) -> WriteResult:
        """Run ``request`` under the write lock; waiting for the lock counts against its time."""
        deadline = time.monotonic() + request.seconds
        if not self._lock.acquire(timeout=max(0.0, request.seconds)):
            result = WriteResult("timeout", message="another write held the store for the "
                                 "whole time limit: nothing was written")
        else:
            try:
                result = self._run(request, deadline)
            except WriteTimeout as error:
                result = WriteResult("timeout", message=str(error))
            finally:
                self._lock.release()
        if result.changed and self.on_change is not None:
            self.on_change()
        LOG.info(
            "write %s by token %r: trial %s %s%s",
            request.operation,
            request.token_name,
            result.trial or "-",
            result.status,
            f" ({len(result.problems)} problems)" if result.problems else "",
        )
        return result

    def _run(self, request: WriteRequest, deadline: float) -> WriteResult:
        if request.operation == "delete":
            return self._delete(str(request.payload))
        payload = request.payload
        if request.operation == "record":
            if not isinstance(payload, dict) or payload.get("record") != FORMAT:
                return WriteResult("refused", message=f"not a trial record: a JSON object with "
                                   f'"record": "{FORMAT}" is expected')
            record = RecordText(payload, "")  # over HTTP: paths alone, there are no lines
            index = ReferenceIndex.from_store(self.store, self.context.base_iri)
            (outcome,) = write_record(self.store, record, self.context, index, deadline=deadline)
            return _result(outcome)
        try:
            study = study_record(payload, "importRegistryRecord")
        except RecordError as error:  # read as kg import ctgov reads a file's study
            return WriteResult("refused", message=error.message)
        summary = import_registry_records(self.store, [study], self.context, deadline=deadline)
        if summary.errors:
            return WriteResult("refused", message=summary.errors[0].message)
        return _result(summary.outcomes[0])

    def _delete(self, trial_id: str) -> WriteResult:
        trial_id = trial_id.strip().lower()  # registry ids are kept lower case (nct00763412)
        if not is_trial_id(trial_id):
            return WriteResult("absent", message=f"no imported trial {trial_id!r}: a trial id "
                               "is lower-case letters, digits and hyphens")
        base = self.context.base_iri
        graph = graph_iri(base, trial_id)
        if delete_study(self.store, graph, self.context):
            return WriteResult("deleted", trial_id)
        elsewhere = curated_elsewhere(self.store, trial_iri(base, trial_id), graph)
        if elsewhere:
            return WriteResult("refused", trial_id, message=f"trial {trial_id!r} is curated in "
                               f"data/ ({', '.join(elsewhere)}): remove it there")
        return WriteResult("absent", trial_id, message=f"no imported trial {trial_id!r}")
