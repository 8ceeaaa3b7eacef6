"""DataLoaders: one per kind of read, so each level of a request costs one store query; and the
reads kept for one generation of the data, so that a request costs no store query for what an
earlier one read.

Why loaders: resolving ``trials { arms { interventions { drug } } }`` field by field would query
the store once per trial, arm and intervention (N+1). Each loader collects the keys one tick of
the executor asks for and hands them to one batched read of :mod:`kg.readmodel.read`.

Why kept reads (:class:`KeptReads`): frontends ask for different trials with different
documents, so most requests miss the answer cache, and reading the store and building the read
model was most of what such a request cost: the README query 11.9 ms in process at 100,000
trials, 4.2 ms once its entities are kept; a 50-trial page of the filtered list 132 ms, 31 ms.
A read by key (one arm, one trial's links) gives the same answer until the data generation
moves, so what any request read is kept for the generation, on its :class:`kg.served.Served`
(:func:`reads_of`), and goes with it: there is nothing to check or invalidate.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from kg.lru import Lru
from kg.readmodel import model
from kg.readmodel import read as reads
from kg.served import Served

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")
R = TypeVar("R")
Runner = Callable[..., Awaitable[Any]]


def then(loading: Awaitable[V], build: Callable[[V], R]) -> R | Awaitable[R]:
    """``build`` applied to what ``loading`` (a :meth:`DataLoader.load`) gives: at once when
    the loader already holds the value, else once it is loaded.

    Why: a resolver that awaits a value the request has already loaded still costs graphql-core
    a coroutine, and each item of a list a task in a gather; the arms of a 50-trial page's
    results and comparisons are about 600 such awaits. A failed load is awaited as before, so it
    raises the same error.
    """
    if (
        isinstance(loading, asyncio.Future)
        and loading.done()
        and not loading.cancelled()
        and loading.exception() is None
    ):
        return build(loading.result())

    async def later() -> R:
        return build(await loading)

    return later()


READS_KEPT = 250_000
"""Reads by key one server process keeps per generation (least recently used go first): about
960 bytes each, so about 240 MB at most. A trial of a 50-trial page of the filtered list (its
arms, primary endpoints, results, comparisons and estimates) is 22 reads, 21 KiB: the details
of about 11,000 trials (measured at 100,000 trials with tracemalloc)."""

Read = Callable[[Any, Sequence[Any]], Mapping[Any, Any]]
ABSENT = object()
"""Kept for a key the store does not describe (its read gives the loader's default)."""


class KeptReads:
    """What the reads by key of :mod:`kg.readmodel.read` gave for one generation of the data.

    A read's answer for a key depends on nothing but the key and the data, and the values are
    frozen dataclasses and lists no resolver changes, so one request's answer serves every
    later one of the generation. Only the keys no request read yet go to the store, in one
    batch as before. Thread-safe: pages and the GraphQL route may read from different threads.

    Args:
        max_entries: reads kept (:data:`READS_KEPT`).
    """

    def __init__(self, max_entries: int = READS_KEPT) -> None:
        self.hits = 0
        self.misses = 0
        self._kept: Lru[tuple[Read, Hashable], object] = Lru(max_entries)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def kept(self, read: Read, key: Hashable) -> object:
        """What ``read`` gave for ``key`` if kept (:data:`ABSENT` for a key it does not
        describe), else ``None``."""
        with self._lock:
            found = self._kept.get((read, key))
        if found is not None:
            self.hits += 1
        return found

    def keep(self, entries: Iterable[tuple[Read, Hashable, object]]) -> None:
        """Keep what reads gave for keys (:data:`ABSENT` for nothing) as if a request had read
        them: the documents of a read projection (:mod:`api.graphql.documents`)."""
        with self._lock:
            for read, key, value in entries:
                self._kept.put((read, key), value)

    async def read(self, run: Runner, read: Read, keys: Sequence[K], default: object) -> list[Any]:
        """What ``read`` gives for each of ``keys`` (``default`` for a key it does not
        describe): kept ones at once, the others through ``run(read, missing)``."""
        values = [self.kept(read, key) for key in keys]
        missing = [key for key, value in zip(keys, values, strict=True) if value is None]
        self.misses += len(missing)
        if missing:
            found: Mapping[Any, Any] = await run(read, missing)
            with self._lock:
                for key in missing:
                    self._kept.put((read, key), found.get(key, ABSENT))
            values = [
                found.get(key, ABSENT) if value is None else value
                for key, value in zip(keys, values, strict=True)
            ]
        return [default if value is ABSENT else value for value in values]


def reads_of(served: Served) -> KeptReads:
    """The reads kept for ``served``'s generation."""
    return served.kept("graphql-reads", KeptReads)


class _KeptLoader(DataLoader[K, V]):
    """A request's DataLoader reading through the generation's kept reads: a kept value is
    handed out at once, as a future already done, instead of adding its key to the next batch.

    Why: once the reads are kept, most keys are, and each batch still cost a task, a dispatch
    and a loop iteration before the resolvers awaiting it went on; a done future lets them go
    on at once (:func:`then`). Keys not kept are batched and read as before.
    """

    def __init__(self, run: Runner, kept: KeptReads, read: Read, default: V) -> None:
        super().__init__(load_fn=self._load_batch)
        self._run = run
        self._reads = kept
        self._read = read
        self._default = default

    def load(self, key: K) -> Awaitable[V]:
        found = self._reads.kept(self._read, key)
        if found is None:
            return super().load(key)
        # Not through the loader's cache (``prime``, then ``load``): priming writes the cache
        # and scans the pending batch for the key each time, for a value already at hand.
        done: asyncio.Future[V] = self.loop.create_future()
        done.set_result(self._default if found is ABSENT else found)  # type: ignore[arg-type]
        return done

    async def _load_batch(self, keys: list[K]) -> list[V]:
        return await self._reads.read(self._run, self._read, keys, self._default)


def _loader(
    run: Runner,
    kept: KeptReads | None,
    read: Callable[[Any, Sequence[K]], Mapping[K, V]],
    default: D,
) -> DataLoader[K, V | D]:
    """The loader of ``read`` for one request: through ``kept`` if given, else straight from
    the store; ``default`` for a key the store does not describe (``None``, or ``[]`` for a
    read of lists, the same object each time: no resolver changes what it loads)."""
    if kept is not None:
        return _KeptLoader(run, kept, read, default)

    async def load(keys: list[K]) -> list[V | D]:
        found: Mapping[K, V] = await run(read, keys)
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The loaders of one request, reading through ``kept`` (the generation's kept reads) when
    given, else straight from the store."""

    def __init__(self, run: Runner, kept: KeptReads | None = None) -> None:
        self.trial: DataLoader[str, model.Trial | None] = _loader(
            run, kept, reads.read_trials, None
        )
        self.trial_named: DataLoader[str, str | None] = _loader(
            run, kept, reads.find_trials_exactly, None
        )
        self.registration: DataLoader[str, model.Registration | None] = _loader(
            run, kept, reads.read_registrations, None
        )
        self.population: DataLoader[str, model.Population | None] = _loader(
            run, kept, reads.read_populations, None
        )
        self.arm: DataLoader[str, model.Arm | None] = _loader(run, kept, reads.read_arms, None)
        self.intervention: DataLoader[str, model.Intervention | None] = _loader(
            run, kept, reads.read_interventions, None
        )
        self.drug: DataLoader[str, model.Drug | None] = _loader(run, kept, reads.read_drugs, None)
        self.condition: DataLoader[str, model.Condition | None] = _loader(
            run, kept, reads.read_conditions, None
        )
        self.endpoint: DataLoader[str, model.Endpoint | None] = _loader(
            run, kept, reads.read_endpoints, None
        )
        self.report: DataLoader[str, model.Report | None] = _loader(
            run, kept, reads.read_reports, None
        )
        self.arm_result: DataLoader[str, model.ArmResult | None] = _loader(
            run, kept, reads.read_arm_results, None
        )
        self.comparison: DataLoader[str, model.Comparison | None] = _loader(
            run, kept, reads.read_comparisons, None
        )
        self.estimate: DataLoader[str, model.EffectEstimate | None] = _loader(
            run, kept, reads.read_estimates, None
        )
        self.significance: DataLoader[str, model.SignificanceAssessment | None] = _loader(
            run, kept, reads.read_significance_assessments, None
        )
        self.source: DataLoader[str, model.SourceDocument | None] = _loader(
            run, kept, reads.read_sources, None
        )
        self.crossover: DataLoader[str, model.CrossoverResult | None] = _loader(
            run, kept, reads.read_crossovers, None
        )
        self.finding: DataLoader[str, model.Finding | None] = _loader(
            run, kept, reads.read_findings, None
        )
        self.reference: DataLoader[str, model.Reference | None] = _loader(
            run, kept, reads.read_references, None
        )
        self.organization: DataLoader[str, model.Organization | None] = _loader(
            run, kept, reads.read_organizations, None
        )
        self.xrefs: DataLoader[str, list[model.Xref]] = _loader(run, kept, reads.read_xrefs, [])
        self.authors: DataLoader[str, list[model.Author]] = _loader(
            run, kept, reads.read_authors, []
        )
        self.derivations: DataLoader[str, list[model.Derivation]] = _loader(
            run, kept, reads.read_derivations, []
        )
        self.drug_trials: DataLoader[str, list[str]] = _loader(
            run, kept, reads.read_drug_trials, []
        )
        self.method: DataLoader[str, model.StatisticalMethod | None] = _loader(
            run, kept, reads.read_methods, None
        )
        self.links: DataLoader[tuple[str, str], list[str]] = _loader(
            run, kept, reads.read_links, []
        )
        self.backlinks: DataLoader[tuple[str, str, str], list[str]] = _loader(
            run, kept, reads.read_backlinks, []
        )
        self.node_types: DataLoader[str, set[str] | None] = _loader(
            run, kept, reads.read_node_types, None
        )
