"""Per-trial documents: what the shipped queries read of a trial, kept in the store's read
projection (:mod:`kg.projection`) so that a page of trials no request has read yet costs a
fetch of 50 documents instead of about 1,100 reads by key in the store.

What a document holds: the reads by key (:class:`api.graphql.loaders.KeptReads` entries) that
answering the shipped listings (:data:`SHIPPED`) asks for about the trial, as one GraphQL
selection derived from those queries' own text (:func:`trial_selection`), so that a field added
to a shipped query is read into documents without a second list to keep.

Only reads whose answer cannot change without the trial changing go into its document
(:func:`documented`): reads keyed by the trial's own IRI or an IRI under it (its arms,
endpoints, results, estimates, ...). Their values may carry labels of the shared reference
nodes they point at (a drug's name); a write never replaces those (they are written once), and
a load or build marks every document stale (:mod:`kg.projection`). Reads of shared nodes
themselves, and those that gather across trials (a drug's trials), stay out: they go through
the generation's kept reads as before.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from api.graphql.limits import Limits
from api.graphql.loaders import ABSENT, KeptReads, Read, Runner
from kg.build import store_generation
from kg.facets import every_study, read_facets
from kg.projection import Projection
from kg.readmodel import read as reads
from kg.store import Store, open_checkpoint

logger = logging.getLogger(__name__)

SHIPPED = (
    ("api.graphql", "examples/filtered_list.graphql"),
    ("api.pages", "queries/trial_list.graphql"),
)
"""The queries whose reads of a trial documents hold: the shipped listings, whose pages read 50
trials at once. A query about one trial (the README's, the trial page's) costs its reads of one
trial, milliseconds; holding them too made documents three times as large (25 KB a trial) and
their build eight times as long, for pages that read them whole."""

TRIAL_ROOTS = ("trial", "trials")
"""Root fields that lead to trials: ``trial`` is one, ``trials`` a connection of them."""

Entry = tuple[Read, Any, Any]
"""A read by key and what it gave (:data:`api.graphql.loaders.ABSENT` for nothing)."""


def _shipped() -> list[DocumentNode]:
    return [
        parse(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
        for package, name in SHIPPED
    ]


def _fields(
    selection: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterable[FieldNode]:
    """The fields of ``selection``, fragments spread in."""
    for node in selection.selections if selection else ():
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, FragmentSpreadNode):
            yield from _fields(fragments[node.name.value].selection_set, fragments)
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(node.selection_set, fragments)


def _trial_selections(document: DocumentNode) -> Iterable[Iterable[FieldNode]]:
    """The selections on a Trial in ``document``: under ``trial(...)`` and under
    ``trials { edges { node } }``."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        for root in _fields(operation.selection_set, fragments):
            if root.name.value == "trial":
                yield list(_fields(root.selection_set, fragments))
            elif root.name.value == "trials":
                for edges in _fields(root.selection_set, fragments):
                    for node in _fields(edges.selection_set, fragments):
                        if edges.name.value == "edges" and node.name.value == "node":
                            yield list(_fields(node.selection_set, fragments))


def _merged(selections: Iterable[Iterable[FieldNode]]) -> dict[str, Any]:
    """Fields of several selections merged by name and arguments: {field as written (name and
    arguments): merged sub-selection}. Arguments are kept: ``endpoints(kind: PRIMARY)`` reads
    the primary endpoints' results, not every endpoint's."""
    merged: dict[str, Any] = {}
    for selection in selections:
        for field in selection:
            arguments = ", ".join(print_ast(a) for a in field.arguments or ())
            head = f"{field.name.value}({arguments})" if arguments else field.name.value
            children = merged.setdefault(head, {})
            if field.selection_set is not None:
                _merge_into(children, _merged([list(_fields(field.selection_set, {}))]))
    return merged


def _merge_into(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for head, children in source.items():
        _merge_into(target.setdefault(head, {}), children)


def _printed(merged: Mapping[str, Any], depth: int = 1) -> str:
    """``merged`` as a selection, a field with arguments aliased by its position (two that
    differ only in their arguments must not share a response name)."""
    pad = "  " * depth
    lines = []
    for n, (head, children) in enumerate(sorted(merged.items())):
        alias = f"f{n}: " if "(" in head else ""
        if children:
            lines.append(f"{pad}{alias}{head} {{\n{_printed(children, depth + 1)}\n{pad}}}")
        else:
            lines.append(f"{pad}{alias}{head}")
    return "\n".join(lines)


@cache
def trial_selection() -> str:
    """Every field the shipped queries ask of a trial, as one selection on Trial (fragments
    spread in; the fields under a fragment spread inside a nested selection are resolved
    from that document's fragments)."""
    selections: list[list[FieldNode]] = []
    for document in _shipped():
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        for selection in _trial_selections(document):
            selections.append([_expanded(field, fragments) for field in selection])
    return "{\n" + _printed(_merged(selections)) + "\n}"


def _expanded(field: FieldNode, fragments: Mapping[str, FragmentDefinitionNode]) -> FieldNode:
    """``field`` with every fragment spread in its selections replaced by the fragment's
    fields, all the way down."""
    if field.selection_set is None:
        return field
    children = tuple(_expanded(f, fragments) for f in _fields(field.selection_set, fragments))
    return FieldNode(
        alias=field.alias,
        name=field.name,
        arguments=field.arguments,
        directives=(),
        selection_set=SelectionSetNode(selections=children),
    )


def build_query(trials: int) -> str:
    """A query reading :func:`trial_selection` for ``trials`` trials at once, given as
    variables ``$t0`` ...: one batch of reads per level for all of them."""
    variables = ", ".join(f"$t{n}: ID!" for n in range(trials))
    selection = trial_selection()
    aliases = "\n".join(f"  t{n}: trial(id: $t{n}) {selection}" for n in range(trials))
    return f"query TrialDocuments({variables}) {{\n{aliases}\n}}"


class RecordingReads(KeptReads):
    """Reads kept as a request keeps them, with every read the store answered recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []

    async def read(
        self, run: Runner, read: Read, keys: Sequence[Any], default: object
    ) -> list[Any]:
        async def recorded(read: Read, missing: Sequence[Any]) -> Mapping[Any, Any]:
            found: Mapping[Any, Any] = await run(read, missing)
            self.entries.extend((read, key, found.get(key, ABSENT)) for key in missing)
            return found

        return await super().read(recorded, read, keys, default)


def _owner(key: Any, trials: set[str]) -> str | None:
    """The trial whose IRI ``key`` (or a key's first IRI) is, or hangs under."""
    iri = key if isinstance(key, str) else key[0] if key and isinstance(key[0], str) else ""
    while iri and iri not in trials:
        iri = iri.rpartition("/")[0] if "/" in iri else ""
    return iri or None


def documented(entries: Sequence[Entry], trials: Sequence[str]) -> dict[str, list[Entry]]:
    """``entries`` sorted into the documents of ``trials``: each read keyed by a trial's IRI,
    or an IRI under it, goes to that trial's; the others to none."""
    owned = set(trials)
    found: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        owner = _owner(entry[1], owned)
        if owner is not None:
            found[owner].append(entry)
    return found


def encode(entries: Sequence[Entry]) -> bytes:
    """A document's bytes: its entries pickled (the values are the read model's frozen
    dataclasses, whose layout the projection's format stamps: :data:`kg.projection.FORMAT`),
    a read that found nothing as ``None`` (:data:`ABSENT` is one object of this process).

    Equal values are pickled once: the method of each derived figure's computation, read once
    per computation, was a third of a document's bytes."""
    canonical: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        try:
            return canonical.setdefault(value, value)
        except TypeError:  # a list of values (a read of many): not hashable, kept as it is
            return value

    plain = [(read, key, None if value is ABSENT else once(value)) for read, key, value in entries]
    return pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL)


def decode(body: bytes) -> list[Entry]:
    """The entries :func:`encode` wrote (from the projection's own file, never from a client)."""
    plain: list[Entry] = pickle.loads(body)  # noqa: S301
    return [(read, key, ABSENT if value is None else value) for read, key, value in plain]


async def trial_documents(schema: Any, context: Any, trials: Sequence[str]) -> dict[str, bytes]:
    """The documents of ``trials``, read through ``context`` (whose reads must be a fresh
    :class:`RecordingReads`) with ``schema``."""
    recording = context.reads
    assert isinstance(recording, RecordingReads)
    variables = {f"t{n}": trial for n, trial in enumerate(trials)}
    result = await schema.execute(
        build_query(len(trials)), variable_values=variables, context_value=context
    )
    if result.errors:
        raise RuntimeError(f"building documents of {list(trials)[:3]}...: {result.errors[0]}")
    sorted_entries = documented(recording.entries, trials)
    return {trial: encode(sorted_entries.get(trial, [])) for trial in trials}


def prime(kept: KeptReads, bodies: Iterable[bytes]) -> int:
    """Keep the entries of document ``bodies`` in ``kept``, as if a request had read them; how
    many."""
    entries = [entry for body in bodies for entry in decode(body)]
    kept.keep(entries)
    return len(entries)


@dataclass(frozen=True)
class TrialDocuments:
    """The documents a request of one generation reads: ``projection`` at ``sequence``."""

    projection: Projection
    sequence: int

    def prime(self, kept: KeptReads, trials: Sequence[str]) -> int:
        """Keep in ``kept`` the documents of those of ``trials`` whose reads it does not hold
        yet (one read of the projection); how many reads that kept."""
        wanted = [trial for trial in trials if kept.kept(reads.read_trials, trial) is None]
        if not wanted:
            return 0
        return prime(kept, self.projection.read(self.sequence, wanted).values())


FACET_BATCH = 1000
"""Studies whose facets are put in one transaction."""

BATCH = 50
"""Trials whose documents are read together: one batch of store reads per level, as a page."""

BUILDER_LIMITS = Limits(
    max_depth=32, max_aliases=BATCH * 50, max_tokens=10**7, max_cost=10**9, timeout_seconds=600
)
"""The builder's own query is one the server writes, never a client's: the limits that protect
the server from clients' queries would refuse it (50 aliases, tens of thousands of tokens)."""


async def build_documents(
    store: Store,
    projection: Projection,
    sequence: int,
    trials: Sequence[str] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Put in ``projection`` the documents it lacks at ``sequence`` for ``trials`` (every trial
    of ``store`` when ``None``), reading ``store``: a snapshot of that generation, since every
    read of one document must see one state of the data. How many were built; stops between
    batches once ``stop`` is set."""
    from api.graphql.context import make_context
    from api.graphql.schema import build_schema

    schema = build_schema(BUILDER_LIMITS)
    if trials is None:
        trials = every_study(store)
    missing = projection.missing(sequence, trials)
    built = 0
    for start in range(0, len(missing), BATCH):
        if stop is not None and stop.is_set():
            break
        batch = missing[start : start + BATCH]
        context = await make_context(store, 600, reads=RecordingReads())
        projection.put(sequence, await trial_documents(schema, context, batch))
        built += len(batch)
    return built


class ProjectionBuilder:
    """Keeps the projection of ``store`` (the writer's) complete: in a thread beside serving,
    each time the data generation moves (woken by a write, else polling), reads from a
    checkpoint of the store (one point in time) first the facets of the studies that changed
    (:mod:`kg.facets`: the generation's listings wait for them), then the documents the
    projection lacks, and puts both at that generation's sequence.

    Why a checkpoint: the live store may move on while a batch is read, and a document or a
    study's facets must hold one state of it (:mod:`kg.projection`).
    """

    def __init__(
        self, store: Store, base_iri: str, projection: Projection, poll_seconds: float = 1.0
    ) -> None:
        self.store = store
        self.base_iri = base_iri
        self.projection = projection
        self.poll_seconds = poll_seconds
        self.built = 0
        self.pruned = 0
        self.passes = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.facets_seconds = 0.0
        """Seconds the last pass spent putting facets (for benchmarks and operators)."""
        self._thread = threading.Thread(target=self._run, name="kg-projection", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=60)

    def wake(self) -> None:
        """Start the next pass now rather than at the next poll: a write just moved the
        generation, and its listings read the store until the pass puts their facets."""
        self._wake.set()

    def build_facets(self, snapshot: Store, sequence: int) -> None:
        """The facets (:mod:`kg.facets`) of the studies changed since the last pass that put
        them (every study after a load), read from ``snapshot`` at ``sequence``: first, as
        listings wait for them (a few queries of the whole store) while documents only make
        pages faster."""
        if self.projection.facets_ready(sequence):
            return
        started = time.perf_counter()
        since = self.projection.facets_complete()
        pending = None if since is None else self.projection.pending(since, sequence)
        # Every study: one scan of the store per kind of fact; some: by VALUES (kg.facets).
        facets = read_facets(snapshot, pending)
        studies = sorted(facets)
        for start in range(0, len(studies), FACET_BATCH):
            if self._stop.is_set():
                return
            chunk = studies[start : start + FACET_BATCH]
            self.projection.put_facets(sequence, {study: facets[study] for study in chunk})
        self.projection.mark_facets(sequence)
        self.facets_seconds = time.perf_counter() - started

    def build_once(self) -> int:
        """One pass: the documents the current generation lacks (those of the trials changed
        since the last completed pass, or every trial after a load); how many were built."""
        generation = store_generation(self.store, self.base_iri)
        if generation is None:
            return 0
        current = self.projection.sequence_of(generation)
        if current is not None and current == self.projection.complete():
            return 0
        checkpoint = self.store.checkpoint()
        try:
            snapshot = open_checkpoint(checkpoint.path)
            try:
                at = store_generation(snapshot, self.base_iri)
                if at is None:
                    return 0
                sequence = self.projection.register(at, None)
                self.build_facets(snapshot, sequence)
                done = self.projection.complete()
                trials = None if done is None else self.projection.pending(done, sequence)
                built = asyncio.run(
                    build_documents(snapshot, self.projection, sequence, trials, self._stop)
                )
            finally:
                snapshot.close()
        finally:
            checkpoint.remove()
        if not self._stop.is_set():
            self.projection.mark_complete(sequence)
            if done is not None:
                # What no reader of the previous complete generation or a later one can see
                # goes: a reader still on an older one finds no document and reads the store.
                self.pruned += self.projection.prune(done, trials)
        self.built += built
        self.passes += 1
        return built

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.build_once()
            except Exception:  # noqa: BLE001 - a failed pass is logged and retried later
                logger.exception("building the read projection failed; retrying")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
