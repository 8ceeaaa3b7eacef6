"""Reads whose cost grows with the data never hold up other requests (api/graphql/context.py).

Each test sends a hostile request whose slow read (a scan: an unknown ``trial(id:)`` comparing
every trial's names, a text-filtered listing, a drug lookup) is held in the store until the test
lets it go, then sends unrelated requests on the same app and event loop, and asserts that they
are answered while the slow read is still held. No timing: had the slow read run on the event
loop, nothing else could run until it was released, and the unrelated requests would be answered
after it (the gate gives up after :data:`HOLD_SECONDS` so that such a failure fails, not hangs).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from kg.build import build_store
from kg.settings import Settings
from kg.store import Store
from tests.api.documents import README_QUERY
from tests.stores import RecordingStore

HOLD_SECONDS = 60.0
"""How long the gate holds a slow read at most; reached only when the slow read blocks the
event loop (the test then fails on ``held``)."""

MARKER = "no-such-thing-5c1e"
"""Named by the hostile requests, so the gate knows their slow reads."""

def is_slow(sparql: str) -> bool:
    """Whether a read is one of the scans the hostile requests cause: a case-insensitive
    comparison with :data:`MARKER`."""
    return MARKER in sparql and "LCASE(" in sparql


class GatedStore(RecordingStore):
    """The store, except that a scan a hostile request causes (:func:`is_slow`) waits until the
    test opens the gate. Everything else, capabilities included, is the wrapped store's, so reads
    take the path they take in production."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.entered = threading.Event()
        self.gate = threading.Event()

    def record(self, method: str, sparql: str) -> None:
        if is_slow(sparql):
            self.entered.set()
            self.gate.wait(HOLD_SECONDS)


@pytest.fixture(scope="module")
def embedded(settings: Settings) -> Iterator[Store]:
    """DASCERN in the embedded oxigraph store, whose key-bounded reads run on the event loop."""
    store = build_store(settings.with_overrides(store="oxigraph"))
    assert store.capabilities.inline_reads
    yield store
    store.close()


async def _post(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return body


HOSTILE = {
    "unknown trial": (f'{{ trial(id: "{MARKER}") {{ acronym }} }}', {"trial": None}),
    "text-filtered listing": (
        f'{{ trials(filter: {{text: "{MARKER}"}}) {{ totalCount edges {{ node {{ acronym }} }} }} }}',
        {"trials": {"totalCount": 0, "edges": []}},
    ),
    "drug lookup": (f'{{ drug(id: "{MARKER}") {{ name }} }}', {"drug": None}),
}


@pytest.mark.parametrize("cache_size", [0, 16], ids=["answer-cache-off", "answer-cache-on"])
@pytest.mark.parametrize("hostile", HOSTILE, ids=list(HOSTILE))
def test_a_slow_read_does_not_delay_an_unrelated_request(
    embedded: Store, settings: Settings, hostile: str, cache_size: int
) -> None:
    """While a hostile request's scan is held in the store, the README query and
    ``{ __typename }`` are answered; the hostile request then completes with its answer. The
    embedded store keeps listings, so the scans are the reads of the indexes of trial names; with
    the answer cache on, it is in the path too."""
    gated = GatedStore(embedded)
    app = create_app(settings.with_overrides(graphql_cache_size=cache_size), store=gated)  # type: ignore[arg-type]
    query, expected = HOSTILE[hostile]

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            slow = asyncio.ensure_future(_post(client, query))
            assert await asyncio.to_thread(gated.entered.wait, HOLD_SECONDS), "no slow read"
            readme = await _post(client, README_QUERY)
            typename = await _post(client, "{ __typename }")
            held = not slow.done() and not gated.gate.is_set()
            gated.gate.set()
            answer = await slow
        assert held, "the unrelated requests were answered only after the slow read"
        assert readme["data"]["trial"]["acronym"] == "DASCERN"
        assert typename == {"data": {"__typename": "Query"}}
        assert answer == {"data": expected}

    try:
        asyncio.run(scenario())
    finally:
        gated.gate.set()  # a failed scenario must not leave a thread waiting
