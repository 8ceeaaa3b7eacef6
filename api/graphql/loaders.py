"""DataLoaders: one per kind of read, so each level of a request costs one store query.

Why: resolving ``trials { arms { interventions { drug } } }`` field by field would query the
store once per trial, arm and intervention (N+1). Each loader collects the keys one tick of the
executor asks for and hands them to one batched read of :mod:`kg.readmodel.read`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from kg.readmodel import model
from kg.readmodel import read as reads

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
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


def _loader(
    run: Runner, read: Callable[[Any, Sequence[K]], dict[K, V]], default: V | None = None
) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> list[V | None]:
        found: dict[K, V] = await run(read, keys)
        return [found.get(key, default) for key in keys]

    return DataLoader(load_fn=load)


def _list_loader(
    run: Runner, read: Callable[[Any, Sequence[K]], dict[K, list[V]]]
) -> DataLoader[K, list[V]]:
    async def load(keys: list[K]) -> list[list[V]]:
        found: dict[K, list[V]] = await run(read, keys)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The loaders of one request."""

    def __init__(self, run: Runner) -> None:
        self.trial: DataLoader[str, model.Trial | None] = _loader(run, reads.read_trials)
        self.registration: DataLoader[str, model.Registration | None] = _loader(
            run, reads.read_registrations
        )
        self.population: DataLoader[str, model.Population | None] = _loader(
            run, reads.read_populations
        )
        self.arm: DataLoader[str, model.Arm | None] = _loader(run, reads.read_arms)
        self.intervention: DataLoader[str, model.Intervention | None] = _loader(
            run, reads.read_interventions
        )
        self.drug: DataLoader[str, model.Drug | None] = _loader(run, reads.read_drugs)
        self.condition: DataLoader[str, model.Condition | None] = _loader(
            run, reads.read_conditions
        )
        self.endpoint: DataLoader[str, model.Endpoint | None] = _loader(run, reads.read_endpoints)
        self.report: DataLoader[str, model.Report | None] = _loader(run, reads.read_reports)
        self.arm_result: DataLoader[str, model.ArmResult | None] = _loader(
            run, reads.read_arm_results
        )
        self.comparison: DataLoader[str, model.Comparison | None] = _loader(
            run, reads.read_comparisons
        )
        self.estimate: DataLoader[str, model.EffectEstimate | None] = _loader(
            run, reads.read_estimates
        )
        self.significance: DataLoader[str, model.SignificanceAssessment | None] = _loader(
            run, reads.read_significance_assessments
        )
        self.source: DataLoader[str, model.SourceDocument | None] = _loader(run, reads.read_sources)
        self.crossover: DataLoader[str, model.CrossoverResult | None] = _loader(
            run, reads.read_crossovers
        )
        self.finding: DataLoader[str, model.Finding | None] = _loader(run, reads.read_findings)
        self.reference: DataLoader[str, model.Reference | None] = _loader(
            run, reads.read_references
        )
        self.organization: DataLoader[str, model.Organization | None] = _loader(
            run, reads.read_organizations
        )
        self.xrefs: DataLoader[str, list[model.Xref]] = _list_loader(run, reads.read_xrefs)
        self.authors: DataLoader[str, list[model.Author]] = _list_loader(run, reads.read_authors)
        self.derivations: DataLoader[str, list[model.Derivation]] = _list_loader(
            run, reads.read_derivations
        )
        self.drug_trials: DataLoader[str, list[str]] = _list_loader(run, reads.read_drug_trials)
        self.method: DataLoader[str, model.StatisticalMethod | None] = _loader(
            run, reads.read_methods
        )
        self.links: DataLoader[tuple[str, str], list[str]] = _list_loader(run, reads.read_links)
        self.backlinks: DataLoader[tuple[str, str, str], list[str]] = _list_loader(
            run, reads.read_backlinks
        )
        self.node_types: DataLoader[str, set[str] | None] = _loader(run, reads.read_node_types)
