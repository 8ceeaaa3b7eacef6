"""Per-request GraphQL context: the store, a deadline and fresh DataLoaders.

Why per request: DataLoaders cache what they load, and a cache shared across requests would
serve stale data after a reload and grow without bound. Why a deadline: strawberry has no
request time limit; no store call starts after the request's deadline, and a threaded call is
awaited only until it, so a slow request ends with a clear error instead of hanging.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

from strawberry.fastapi import BaseContext

from api.graphql.errors import QueryTimeout
from api.graphql.listing_memory import ListingMemory
from api.graphql.loaders import Loaders
from kg.store import Store

T = TypeVar("T")


class EvidenceContext(BaseContext):
    """What every resolver reaches through ``info.context``."""

    def __init__(
        self,
        store: Store,
        timeout_seconds: float,
        *,
        threaded: bool = True,
        listings: ListingMemory | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.listings = listings
        self.timeout_seconds = timeout_seconds
        self.threaded = threaded
        self.deadline = asyncio.get_running_loop().time() + timeout_seconds
        self.loaders = Loaders(self.run)

    async def run(self, read: Callable[..., T], *args: object) -> T:
        """``read(store, *args)``, refused once the request's deadline has passed.

        Threaded, the call runs in a worker thread and is abandoned at the deadline, so the
        event loop keeps serving other requests. Inline, it runs on the loop: right for the
        embedded store, whose bounded read-model queries take well under a millisecond, where
        a thread hop costs as much again (the README query: about 2x slower threaded).
        """
        if self.deadline <= asyncio.get_running_loop().time():
            raise QueryTimeout(self.timeout_seconds)
        if not self.threaded:
            return read(self.store, *args)
        return await self.within(asyncio.to_thread(read, self.store, *args))

    async def within(self, work: Awaitable[T]) -> T:
        """``work``'s result, awaited until the request's deadline (then QueryTimeout)."""
        remaining = self.deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            if inspect.iscoroutine(work):
                work.close()  # never started: no "was never awaited" warning
            raise QueryTimeout(self.timeout_seconds)
        try:
            return await asyncio.wait_for(work, remaining)
        except TimeoutError:
            raise QueryTimeout(self.timeout_seconds) from None


def runs_inline(store_spec: str) -> bool:
    """Whether store calls may run on the event loop: only for the embedded oxigraph store.
    rdflib can take seconds on a join and a remote endpoint can stall on the network."""
    return store_spec.partition(":")[0] == "oxigraph"


async def make_context(
    store: Store,
    timeout_seconds: float,
    *,
    threaded: bool = True,
    listings: ListingMemory | None = None,
) -> EvidenceContext:
    """A context for one request (must run inside the event loop that executes it);
    ``listings`` is the server's memory of whole listings, shared by its requests, if it keeps
    one."""
    return EvidenceContext(store, timeout_seconds, threaded=threaded, listings=listings)
