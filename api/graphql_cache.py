"""An optional cache of GraphQL answers, keyed on the normalized operation and valid for one
generation of the data (``KG_GRAPHQL_CACHE=N`` keeps N answers per server process; 0, the
default, turns it off).

Why: the data changes only through a build or a load, while the same few operations (the ones a
frontend ships) are asked over and over; answering a repeat from memory skips parsing,
validation and every store query. Why it never serves stale data: each lookup first reads the
store's generation (:func:`kg.build.store_generation`, one small query), which every build and
every load that records it changes; answers are kept under the generation read before they were
computed, and the whole cache is dropped when the generation moves. What it cannot see: a write
to a shared remote store that bypasses kg (a raw SPARQL UPDATE); do not turn the cache on then.

What is cached: POST requests with a JSON body whose document holds only queries, answered 200
without any ``errors`` (a timeout or a refused operation is never replayed). The key is the
document printed back from its syntax tree (whitespace, commas and comments do not matter), the
operation name, the variables and extensions (as canonical JSON), and the Accept and Origin
headers, since the answer's headers may depend on them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse, print_ast
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.build import store_generation
from kg.lru import PerGeneration
from kg.store import Store, may_run_inline

Generation = Callable[[], Awaitable[str | None]]
"""Reads the store's current data generation."""

NORMALIZED_DOCUMENTS = 1024
"""Distinct raw documents whose normalized form is remembered (their parse is the costly part)."""


@dataclass(frozen=True)
class CachedAnswer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class CacheStats:
    """Counters, for tests and for operators reading them in a debugger."""

    hits: int = 0
    misses: int = 0
    uncacheable: int = 0
    invalidations: int = 0


@dataclass
class GraphQLResponseCache:
    """ASGI middleware caching answers to POST ``path`` (see the module docstring).

    Args:
        app: the application answering misses.
        max_entries: answers kept (least recently used are dropped first).
        generation: reads the data generation before every cacheable request.
        path: the GraphQL endpoint.
    """

    app: ASGIApp
    max_entries: int
    generation: Generation
    path: str = "/graphql"
    stats: CacheStats = field(default_factory=CacheStats)
    _answers: PerGeneration[tuple[object, ...], CachedAnswer] = field(init=False)
    _documents: dict[str, str | None] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._answers = PerGeneration(self.max_entries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        body, replay = await _read_body(receive)
        key = self.key(body, headers) if b"json" in headers.get(b"content-type", b"") else None
        if key is None:
            self.stats.uncacheable += 1
            await self.app(scope, replay, send)
            return
        generation = await self.generation()
        if self._answers.use(generation):
            self.stats.invalidations += 1
        full_key = (generation, *key)
        cached = self._answers.get(full_key)
        if cached is not None:
            self.stats.hits += 1
            await _send_answer(send, cached)
            return
        self.stats.misses += 1
        recorder = _Recorder(send)
        await self.app(scope, replay, recorder.send)
        answer = recorder.answer()
        if answer is not None:
            self._answers.put_for(generation, full_key, answer)

    def key(self, body: bytes, headers: dict[bytes, bytes]) -> tuple[object, ...] | None:
        """What identifies a request's answer, or ``None`` if it must not be cached."""
        try:
            request = json.loads(body)
        except ValueError:
            return None
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return None
        document = self.normalized(request["query"])
        if document is None:
            return None
        try:
            variables = json.dumps(request.get("variables"), sort_keys=True)
            extensions = json.dumps(request.get("extensions"), sort_keys=True)
        except (TypeError, ValueError):
            return None
        return (
            document,
            request.get("operationName") if isinstance(request.get("operationName"), str) else None,
            variables,
            extensions,
            headers.get(b"accept", b""),
            headers.get(b"origin", b""),
        )

    def normalized(self, text: str) -> str | None:
        """The document printed from its syntax tree; ``None`` unless it holds only queries."""
        if text in self._documents:
            return self._documents[text]
        try:
            tree = parse(text, max_tokens=10_000)
        except GraphQLError:
            normalized = None
        else:
            only_queries = all(
                d.operation == OperationType.QUERY
                for d in tree.definitions
                if isinstance(d, OperationDefinitionNode)
            )
            normalized = print_ast(tree) if only_queries else None
        if len(self._documents) >= NORMALIZED_DOCUMENTS:
            self._documents.clear()
        self._documents[text] = normalized
        return normalized


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (the request guard in front already bounded its size), and a ``receive``
    that replays it to the app."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending: list[Message] = [message]
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            pending = []
            break
    body = b"".join(chunks)
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    messages += pending

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return body, replay


class _Recorder:
    """Passes an answer through while keeping a copy of it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.complete = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            self.complete = not message.get("more_body", False)
        await self._send(message)

    def answer(self) -> CachedAnswer | None:
        body = b"".join(self.chunks)
        if self.status != 200 or not self.complete or b'"errors"' in body:
            return None
        return CachedAnswer(self.status, self.headers, body)


async def _send_answer(send: Send, answer: CachedAnswer) -> None:
    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
    await send({"type": "http.response.body", "body": answer.body})


def store_generation_reader(current: Callable[[], Store], base_iri: str) -> Generation:
    """The served store's data generation (:func:`kg.build.store_generation`), read as every
    other read is: on the loop where the store allows key-bounded reads there (the embedded
    store, a fraction of a millisecond), in a thread for stores that may stall (a remote
    endpoint).

    ``current`` gives the store served now, asked at every read: a worker process of a
    several-process server switches to a new snapshot after a write (:mod:`api.writes`), and
    a generation read from the snapshot it started with would never move again.
    """

    async def generation() -> str | None:
        store = current()
        if may_run_inline(store, store_generation):
            return store_generation(store, base_iri)
        return await asyncio.to_thread(store_generation, store, base_iri)

    return generation
