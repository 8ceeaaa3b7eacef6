"""An optional cache of GraphQL answers, keyed on the normalized operation and valid for one
generation of the data (``KG_GRAPHQL_CACHE=N`` keeps N answers per server process; 0, the
default, turns it off).

Why: the data changes only through a build or a load, while the same few operations (the ones a
frontend ships) are asked over and over; answering a repeat from memory skips parsing,
validation and every store query. Why it never serves stale data: answers are kept for the
generation of the data the request read (:class:`kg.served.Served`, pinned on the request by
:mod:`api.served`), and go with it when a write, a load or a new snapshot moves the generation.
What it cannot see: a write to a shared remote store that bypasses kg (a raw SPARQL UPDATE,
which moves no generation); do not turn the cache on then.

What is cached: POST requests with a JSON body whose document holds only queries, answered 200
without any ``errors`` (a timeout or a refused operation is never replayed). The key is the
document's tokens (whitespace, commas and comments do not matter: :func:`tokens_of`), the
operation name, the variables and extensions (as canonical JSON), and the Accept and Origin
headers, since the answer's headers may depend on them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from graphql.language.block_string import dedent_block_string_lines
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.served import served_of
from kg.lru import Lru

NORMALIZED_DOCUMENTS = 1024
"""Distinct raw documents whose normalized form is remembered. Not kept per data generation
(:mod:`kg.served`): a document's tokens depend on its text alone."""

MAX_TOKENS = 10_000
"""A longer document is not cached (the request guard refuses it anyway)."""

_TOKEN = re.compile(
    r"""
      (?P<ignored> [ \t\n\r,\ufeff]+ | \#[^\n\r]* )
    | (?P<block> \"\"\"(?:\\\"\"\"|(?!\"\"\"|\\\"\"\")[^\ud800-\udfff])*\"\"\" )
    | (?P<string> (?!\"\"\")"(?:[^"\\\n\r\ud800-\udfff]|\\["\\/bfnrt]|\\u(?![dD][89a-fA-F])[0-9A-Fa-f]{4})*" )
    | (?P<number> -?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![._A-Za-z0-9]) )
    | (?P<name> [_A-Za-z][_0-9A-Za-z]* )
    | (?P<open> [{(\[] )
    | (?P<close> [})\]] )
    | (?P<punctuator> \.\.\. | [!$&:=@|] )
    """,
    re.VERBOSE,
)
"""GraphQL's lexical grammar (October 2021), as one pattern: the tokens, and what lies between
them (white space, commas, comments). Three quotes always open a block string, as in the
language. Stricter than the language where that is simpler (a unicode escape has four digits
and names no surrogate; a number may not run into a name): such a document is then not cached,
never confused with another."""


_LINE_BREAK = re.compile(r"\r\n|[\n\r]")


def tokens_of(text: str) -> str | None:
    """The document's tokens, one space apart, each string as its value in JSON (a string and
    a block string of one value are one string); ``None`` if it does not lex, is too long,
    leaves a bracket open, or may hold a mutation or subscription (the word at the top level,
    where an operation begins).

    Why tokens and not the syntax tree printed back: GraphQL's grammar is over tokens, so two
    documents with the same tokens are the same document, and lexing is a fraction of parsing
    and printing, which took a sixth of the server's time on requests the cache never answers
    (every new document); strawberry parses the document again anyway. Why one pattern and not
    graphql-core's lexer, which reads a character at a time in Python: that took 4% of the
    server's time on such requests (the README query, a new document each time); the tests
    check the two agree.

    >>> tokens_of('{ trial( id : "NCT01593254" ) , { acronym } }  # a comment')
    '{ trial ( id : "NCT01593254" ) { acronym } }'
    >>> tokens_of("mutation { x }") is None, tokens_of('{ "x }') is None
    (True, True)
    """
    words: list[str] = []
    depth = 0
    position = 0
    for token in _TOKEN.finditer(text):
        if token.start() != position:
            return None  # a character no token or separator begins with
        position = token.end()
        kind = token.lastgroup
        if kind == "ignored":
            continue
        if len(words) >= MAX_TOKENS:
            return None
        word = token.group()
        if kind == "string":
            word = json.dumps(json.loads(word, strict=False))  # GraphQL's escapes are JSON's
        elif kind == "block":
            lines = _LINE_BREAK.split(word[3:-3].replace('\\"""', '"""'))
            word = json.dumps("\n".join(dedent_block_string_lines(lines)))
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                return None
        elif kind == "name" and depth == 0 and word in ("mutation", "subscription"):
            return None
        words.append(word)
    if position != len(text) or depth != 0:
        return None  # an unlexable tail, or an open bracket: not a document
    return " ".join(words)


ANSWERS = "graphql-answers"
"""Under which name a generation keeps its answers (:meth:`kg.served.Served.kept`)."""


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


@dataclass
class GraphQLResponseCache:
    """ASGI middleware caching answers to POST ``path`` (see the module docstring).

    Args:
        app: the application answering misses.
        max_entries: answers kept per generation (least recently used are dropped first).
        path: the GraphQL endpoint.
    """

    app: ASGIApp
    max_entries: int
    path: str = "/graphql"
    stats: CacheStats = field(default_factory=CacheStats)
    _documents: Lru[str, str] = field(
        default_factory=lambda: Lru(NORMALIZED_DOCUMENTS), init=False
    )

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
        served = served_of(scope)
        assert served is not None, "api.served.ServedPerRequest must run before the answer cache"
        answers: Lru[tuple[object, ...], CachedAnswer] = served.kept(
            ANSWERS, lambda: Lru(self.max_entries)
        )
        cached = answers.get(key)
        if cached is not None:
            self.stats.hits += 1
            await _send_answer(send, cached)
            return
        self.stats.misses += 1
        recorder = _Recorder(send)
        await self.app(scope, replay, recorder.send)
        answer = recorder.answer()
        if answer is not None:
            answers.put(key, answer)

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
        """The document's tokens (:func:`tokens_of`); ``None`` unless it may be cached (kept
        as ``""``, which no document that may be cached lexes to)."""
        normalized = self._documents.get(text)
        if normalized is None:
            normalized = tokens_of(text) or ""
            self._documents.put(text, normalized)
        return normalized or None


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
