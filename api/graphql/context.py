"""Per-request GraphQL context: the store, a deadline and fresh DataLoaders.

Why per request: a DataLoader batches the keys of one tick of one request's execution and holds
futures bound to its event loop. What outlives the request is kept per data generation instead,
bounded: the reads (:class:`api.graphql.loaders.KeptReads`) and the resolved filters. Why a deadline:
strawberry has no request time limit; no store call starts after the request's deadline, and a
threaded call is awaited only until it, so a slow request ends with a clear error instead of
hanging.

Where a read runs is decided in one place, :meth:`EvidenceContext.run`, from what the read
declares (:func:`kg.store.key_bounded`) and what the store can do
(:attr:`kg.store.Capabilities.inline_reads`): only key-bounded reads of an in-process store run
on the event loop; anything whose cost grows with the data runs in a thread, so that one
client's unknown ``trial(id:)`` (a scan of every trial's names) never holds up another's request.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.fastapi import BaseContext

from api.graphql.documents import TrialDocuments
from api.graphql.errors import QueryTimeout
from api.graphql.listing_reads import facets_of, filters_of
from api.graphql.loaders import KeptReads, Loaders, reads_of
from kg.facet_index import Facets
from kg.lru import Lru
from kg.served import Served
from kg.store import Store, may_run_inline

T = TypeVar("T")


class EvidenceContext(BaseContext):
    """What every resolver reaches through ``info.context``."""

    def __init__(
        self,
        store: Store,
        timeout_seconds: float,
        *,
        facets: Facets | None = None,
        resolved_filters: Lru[str, tuple[object]] | None = None,
        reads: KeptReads | None = None,
        inline_reads: bool = True,
        documents: TrialDocuments | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.facets = facets
        self.resolved_filters = resolved_filters
        self.reads = reads
        self.documents = documents if reads is not None else None
        self.timeout_seconds = timeout_seconds
        self.inline_reads = inline_reads
        self.deadline = asyncio.get_running_loop().time() + timeout_seconds
        self.loaders = Loaders(self.run, reads)

    async def run(self, read: Callable[..., T], *args: object) -> T:
        """``read(store, *args)``, refused once the request's deadline has passed.

        A key-bounded read of a store that answers such reads in well under a millisecond
        (:func:`kg.store.may_run_inline`) runs on the loop, where a thread hop would cost as much
        again (the README query: about 2x slower threaded). Any other read runs in a worker
        thread and is abandoned at the deadline, so the event loop keeps serving other requests.
        """
        if self.deadline <= asyncio.get_running_loop().time():
            raise QueryTimeout(self.timeout_seconds)
        if self.inline_reads and may_run_inline(self.store, read):
            return read(self.store, *args)
        return await self.within(asyncio.to_thread(read, self.store, *args))

    def read_documents(self, trials: Sequence[str]) -> None:
        """Keep the documents of ``trials`` (a page's) with the generation's reads, where the
        store has a read projection: one read of it (a few milliseconds for 50 trials, on the
        loop, as a key-bounded read), instead of about 22 reads by key in the store for each
        trial no request read yet (:mod:`api.graphql.documents`)."""
        if self.documents is not None and self.reads is not None:
            self.documents.prime(self.reads, trials)

    async def within(self, work: Awaitable[T]) -> T:
        """``work``'s result, awaited until the request's deadline (then QueryTimeout, and
        ``work`` is cancelled).

        Why ``asyncio.wait`` and not ``wait_for``: since Python 3.12 ``wait_for`` cancels the
        task that started it, and a resolver's first step runs in whichever task graphql-core
        is in, its rest perhaps in another (:mod:`api.graphql.eager`); ``wait`` is bound to no
        task."""
        remaining = self.deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            if inspect.iscoroutine(work):
                work.close()  # never started: no "was never awaited" warning
            raise QueryTimeout(self.timeout_seconds)
        running = asyncio.ensure_future(work)
        try:
            done, _ = await asyncio.wait((running,), timeout=remaining)
        except asyncio.CancelledError:
            running.cancel()
            raise
        if not done:
            running.cancel()
            raise QueryTimeout(self.timeout_seconds)
        return running.result()


async def make_context(
    store: Store,
    timeout_seconds: float,
    *,
    facets: Facets | None = None,
    reads: KeptReads | None = None,
    inline_reads: bool = True,
) -> EvidenceContext:
    """A context for one request (must run inside the event loop that executes it);
    ``facets`` the listings of the store's projection, if it has them
    (:func:`api.graphql.listing_reads.facets_of`); ``reads`` the server's reads kept for the
    generation, if it keeps them. ``inline_reads=False`` sends even key-bounded reads to
    threads: for measuring what running them inline saves, never for serving."""
    return EvidenceContext(
        store, timeout_seconds, facets=facets, reads=reads, inline_reads=inline_reads
    )


def served_context(served: Served, timeout_seconds: float, *, keep_reads: bool) -> EvidenceContext:
    """A context for one request reading ``served``: its store, its generation's facets and,
    with ``keep_reads``, its reads and resolved filters (must run inside the event loop that
    executes the request).

    ``keep_reads`` only where nothing but this server changes the data (:func:`kg.store.is_private`:
    an embedded store), so that every change moves the generation: another client of a remote
    store can write around ``kg`` without moving it, and a kept read would then be stale for
    good, which is also why the answer cache stays off there by default. The resolved filters
    are kept on the same condition, for the same reason."""
    reads = reads_of(served) if keep_reads else None
    documents = (
        TrialDocuments(served.projection, served.sequence)
        if served.projection is not None and served.sequence is not None
        else None
    )
    return EvidenceContext(
        served.store,
        timeout_seconds,
        facets=facets_of(served),
        resolved_filters=filters_of(served) if keep_reads else None,
        reads=reads,
        documents=documents,
    )
