"""Per-request GraphQL context: the store, a deadline and fresh DataLoaders.

Why per request: DataLoaders cache what they load, and a cache shared across requests would
serve stale data after a reload and grow without bound. Why a deadline: strawberry has no
request time limit; every store call runs in a worker thread and is awaited only until the
request's deadline, so a slow query ends the request with a clear error instead of hanging.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from strawberry.fastapi import BaseContext

from api.graphql.errors import QueryTimeout
from api.graphql.loaders import Loaders
from kg.store import Store

T = TypeVar("T")


class EvidenceContext(BaseContext):
    """What every resolver reaches through ``info.context``."""

    def __init__(self, store: Store, timeout_seconds: float) -> None:
        super().__init__()
        self.store = store
        self.timeout_seconds = timeout_seconds
        self.deadline = asyncio.get_running_loop().time() + timeout_seconds
        self.store_queries = 0
        self.loaders = Loaders(self.run)

    async def run(self, read: Callable[..., T], *args: object) -> T:
        """``read(store, *args)`` in a worker thread, bounded by the request's deadline."""
        remaining = self.deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise QueryTimeout(self.timeout_seconds)
        self.store_queries += 1
        try:
            return await asyncio.wait_for(asyncio.to_thread(read, self.store, *args), remaining)
        except TimeoutError:
            raise QueryTimeout(self.timeout_seconds) from None


async def make_context(store: Store, timeout_seconds: float) -> EvidenceContext:
    """A context for one request (must run inside the event loop that executes it)."""
    return EvidenceContext(store, timeout_seconds)
