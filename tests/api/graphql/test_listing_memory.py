"""Whole listings are remembered for one generation of the data: later pages are slices, counts
are lengths, the text filter runs on the trial catalog."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from api.app import create_app
from api.graphql.errors import QueryTimeout
from api.graphql.listing_memory import ListingMemory, listings_of
from kg.load import load_files
from kg.readmodel import listing, read
from kg.readmodel.listing import Order
from kg.settings import Settings
from kg.store import Store
from kg.stores.oxigraph import OxigraphStore
from kg.synth import write_corpus
from tests.api.server.serving import answer_cached_app
from tests.stores import StorePagedStore

T = TypeVar("T")
BASE = "https://w3id.org/evidence-kg/id/"
TRIALS = """
query ($filter: TrialFilter, $first: Int, $after: String) {
  trials(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def load_synthetic(store: OxigraphStore, folder: Path, trials: int, name: str) -> None:
    """``trials`` synthetic trials into graph ``name``: a load, so the generation moves."""
    corpus = folder / f"{name}.nt"
    write_corpus(corpus, trials, seed=3, base_iri=BASE)
    load_files(
        store, [corpus], graph=URIRef(f"{BASE}graph/test/{name}"), base_iri=BASE,
        max_bytes=1 << 30,
    )


def memory_of(client: TestClient) -> ListingMemory:
    """The listings the app keeps for the generation it serves now."""
    client.get("/health")  # the generation check runs before each request
    return listings_of(client.app.state.serving.current)  # type: ignore[attr-defined]


@pytest.fixture
def served(
    tmp_path: Path, settings: Settings
) -> Iterator[tuple[TestClient, TestClient, OxigraphStore, ListingMemory]]:
    """The app over DASCERN and 60 synthetic trials, and its listing memory, beside an app on
    the same store that has every page found by the store."""
    with answer_cached_app(tmp_path / "store", settings) as (client, store, cached):
        load_synthetic(store, tmp_path, 60, "synthetic")
        paged = StorePagedStore(store)
        plain = TestClient(create_app(cached.with_overrides(graphql_cache_size=0), store=paged))
        yield client, plain, store, memory_of(client)


def trials(
    client: TestClient, where: dict[str, str], first: int, after: str | None = None
) -> dict[str, Any]:
    body = client.post(
        "/graphql",
        json={"query": TRIALS, "variables": {"filter": where, "first": first, "after": after}},
    ).json()
    assert "errors" not in body, body
    page: dict[str, Any] = body["data"]["trials"]
    return page


@pytest.mark.parametrize(
    "where", [{}, {"drug": "dasatinib"}, {"text": "syn-00001"}, {"text": "trial", "phase": "3"}],
    ids=lambda w: ",".join(w) or "all",
)
def test_pages_are_cut_from_one_read_of_the_listing(
    served: tuple[TestClient, TestClient, OxigraphStore, ListingMemory], where: dict[str, str]
) -> None:
    """Every page, cursor and count equals the store-paged app's; only the first page reads."""
    client, plain, _, memory = served
    first = trials(client, where, 2)
    assert first == trials(plain, where, 2)
    assert first["totalCount"] > 2, "the filter should give more than one page"
    read_once = memory.misses
    second = trials(client, where, 2, first["pageInfo"]["endCursor"])
    assert second == trials(plain, where, 2, first["pageInfo"]["endCursor"])
    assert memory.misses == read_once and memory.hits > 0


def test_a_filter_is_resolved_once(
    served: tuple[TestClient, TestClient, OxigraphStore, ListingMemory],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The drug's name is looked up for the first page only (9 ms at 100,000 trials)."""
    client, _, _, _ = served
    lookups: list[str] = []

    def find_drugs(store: Store, identifier: str) -> list[str]:
        lookups.append(identifier)
        return read.find_drugs(store, identifier)

    monkeypatch.setattr(listing, "find_drugs", find_drugs)
    first = trials(client, {"drug": "dasatinib"}, 1)
    trials(client, {"drug": "dasatinib"}, 1, first["pageInfo"]["endCursor"])
    assert lookups == ["dasatinib"]


def test_a_load_makes_the_listing_read_again(
    served: tuple[TestClient, TestClient, OxigraphStore, ListingMemory], tmp_path: Path
) -> None:
    client, _, store, memory = served
    before = trials(client, {}, 2)["totalCount"]
    load_synthetic(store, tmp_path, 70, "more")  # 10 trials more: synth-000061 to -000070
    assert trials(client, {}, 2, None)["totalCount"] == before + 10
    fresh = memory_of(client)
    assert fresh is not memory, "a new generation keeps its own listings"
    assert (fresh.misses, fresh.hits) == (2, 0)  # the filter's listing, then its items


def test_the_trial_catalog_is_read_once_for_every_text(
    served: tuple[TestClient, TestClient, OxigraphStore, ListingMemory],
) -> None:
    client, plain, _, memory = served
    for text in ("syn-00002", "SYN-00001", "Dasatinib", "no such text"):
        assert trials(client, {"text": text}, 50) == trials(plain, {"text": text}, 50)
    # Each text is one listing read (a scan of the catalog); the catalog and the listing of all
    # trials the texts are searched within, one each.
    assert memory.misses == 6 and memory.hits == 6


def test_listings_are_kept_without_the_answer_cache(settings: Settings) -> None:
    """The answer cache's knob does not switch the listings: they are kept per generation
    wherever the store returns every row."""
    client = TestClient(create_app(settings))
    assert trials(client, {"drug": "dasatinib"}, 1)["totalCount"] == 1
    assert memory_of(client).misses == 2


# The memory itself ----------------------------------------------------------------------------


class Within:
    """A request deadline ``seconds`` from now."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def within(self, work: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(work, self.seconds)
        except TimeoutError:
            raise QueryTimeout(self.seconds) from None


ORDER: Order = (("a", "https://example.org/a"), ("b", "https://example.org/b"))


def test_concurrent_requests_share_one_read() -> None:
    memory = ListingMemory()
    reads = 0
    release = threading.Event()

    def read() -> Order:
        nonlocal reads
        reads += 1
        release.wait(5)
        return ORDER

    async def scenario() -> list[Order]:
        waiting = [memory.order("listing", read, Within(5)) for _ in range(3)]
        asyncio.get_running_loop().call_later(0.05, release.set)
        return await asyncio.gather(*waiting)

    assert asyncio.run(scenario()) == [ORDER] * 3
    assert reads == 1


def test_a_read_that_outlives_its_request_is_kept() -> None:
    """The first request times out; the read goes on, and the next request finds it."""
    memory = ListingMemory()
    release = threading.Event()

    def read() -> Order:
        release.wait(5)
        return ORDER

    async def scenario() -> Order:
        with pytest.raises(QueryTimeout):
            await memory.order("listing", read, Within(0.05))
        release.set()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if not memory._reading:
                break
        return await memory.order("listing", lambda: pytest.fail("read again"), Within(5))

    assert asyncio.run(scenario()) == ORDER


def test_a_listing_larger_than_the_memory_is_read_each_time() -> None:
    memory = ListingMemory(max_items=1)
    reads: list[int] = []

    def read() -> Order:
        reads.append(1)
        return ORDER

    async def scenario() -> None:
        for _ in range(2):
            assert await memory.order("listing", read, Within(5)) == ORDER

    asyncio.run(scenario())
    assert len(reads) == 2
