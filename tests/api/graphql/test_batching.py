"""No N+1: the number of store queries for a nested request does not grow with the data."""

from __future__ import annotations

import asyncio
from typing import Any

from api.graphql.context import make_context
from api.graphql.limits import Limits
from api.graphql.schema import build_schema
from kg.settings import Settings
from tests.api.graphql.synthetic import cloned_store
from tests.backends import Backend
from tests.stores import RecordingStore

NESTED = """
{
  trials(first: 50) {
    totalCount
    edges { node {
      acronym registryIds
      arms { label participants interventions { dose { text } drug { name xrefs { code } } } }
      endpoints {
        name kind
        results { value count countDerived arm { label } sources { statement publication { doi } } }
        comparisons {
          pValue intervention { label } comparator { label }
          estimates { statistic value derived method { name } }
          sources { statement document { key } }
        }
      }
      publications { doi authors }
      comparisons { label report { label } }
      crossovers { count fromArm { label } }
      reports { kind endpoints { name } findings { kind } }
    } }
  }
}
"""


def queries_for(settings: Settings, backend: Backend, trials: int) -> tuple[int, int, bool]:
    """(store queries, trials returned, threaded) for the nested request over ``trials`` trials.

    Runs in-process with the cost and time limits raised above this deliberately huge request:
    the point is the query count, and the HTTP path is the same schema. Store calls run inline or in
    threads as the app would run them for this backend.
    """
    with cloned_store(settings, backend, trials) as (configured, cloned):
        threaded = not cloned.capabilities.inline_reads
        return (*_count_queries(RecordingStore(cloned), trials), threaded)


def _count_queries(store: RecordingStore, trials: int) -> tuple[int, int]:
    schema = build_schema(Limits(max_cost=10**8, timeout_seconds=120))

    async def execute() -> Any:
        context = await make_context(store, 30)  # type: ignore[arg-type]
        return await schema.execute(NESTED, context_value=context)

    store.calls.clear()
    result = asyncio.run(execute())
    assert result.errors is None, result.errors
    data = result.data
    edges = data["trials"]["edges"]
    assert data["trials"]["totalCount"] == trials
    # Every clone carries the full nested DASCERN answer.
    for edge in edges:
        (primary,) = [e for e in edge["node"]["endpoints"] if e["kind"] == "PRIMARY"]
        assert sorted(r["value"] for r in primary["results"]) == [13.0, 29.0]
        assert len(primary["comparisons"][0]["estimates"]) == 3
    return len(store.calls), len(edges)


LEVEL_BOUND = 30
"""Batched reads the nested request needs (20 kinds of read, some in two or three waves).

Why a bound and not an exact number: threaded, store calls finish in any order, so whether two loaders'
batches finish in the same event-loop turn (and their dependants share one batch) varies by a
query or two from run to run; inline, the count is exact. What must never happen is growth with the number of trials."""


def test_store_queries_do_not_grow_with_trials(settings: Settings, backend: Backend) -> None:
    """3 trials and 15 trials cost the same bounded number of store queries (no N+1), with store
    calls inline (embedded oxigraph) or threaded (the other backends). Fifteen is five times the
    small case, far above any per-trial query count the bound allows, and keeps the test cheap
    on the rdflib and remote backends."""
    small, small_count, threaded = queries_for(settings, backend, 3)
    large, large_count, _ = queries_for(settings, backend, 15)
    assert (small_count, large_count) == (3, 15)
    assert small <= LEVEL_BOUND and large <= LEVEL_BOUND, (small, large)
    if threaded:
        assert abs(large - small) <= 2, f"3 trials took {small} store queries, 15 took {large}"
    else:
        assert large == small, f"3 trials took {small} store queries, 15 took {large}"
