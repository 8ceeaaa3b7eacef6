"""The GraphQL answer cache: repeats are answered from memory, and never after the data changed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from graphql import GraphQLError, Source, TokenKind
from graphql.language import Lexer

from api.app import create_app
from api.graphql_cache import GraphQLResponseCache, tokens_of
from kg.build import bump_generation
from kg.settings import Settings
from kg.stores.oxigraph import OxigraphStore
from tests.api.documents import ACRONYM, README_QUERY, answer
from tests.api.server.serving import RENAME_DASCERN, answer_cached_app, built_on_disk
from tests.stores import RecordingStore


@pytest.fixture
def served(tmp_path: Path, settings: Settings) -> Iterator[tuple[TestClient, OxigraphStore, Settings]]:
    with answer_cached_app(tmp_path / "store", settings) as served:
        yield served


def cache_of(client: TestClient) -> GraphQLResponseCache:
    """The cache middleware in the app's (lazily built) middleware stack."""
    client.get("/health")
    app: FastAPI = client.app  # type: ignore[assignment]
    layer: Any = app.middleware_stack
    while layer is not None:
        if isinstance(layer, GraphQLResponseCache):
            return layer
        layer = getattr(layer, "app", None)
    raise AssertionError("no GraphQLResponseCache in the middleware stack")


def acronym(client: TestClient, query: str = ACRONYM) -> str:
    return str(answer(client, query)["trial"]["acronym"])


def test_a_repeat_is_answered_from_the_cache(
    served: tuple[TestClient, OxigraphStore, Settings],
) -> None:
    client, _, _ = served
    cache = cache_of(client)
    body = {"query": README_QUERY}
    first = client.post("/graphql", json=body)
    second = client.post("/graphql", json=body)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and "errors" not in first.json()
    assert first.headers["content-type"] == second.headers["content-type"]
    assert (cache.stats.misses, cache.stats.hits) == (1, 1)


def test_the_key_ignores_layout_but_not_variables(
    served: tuple[TestClient, OxigraphStore, Settings],
) -> None:
    client, _, _ = served
    cache = cache_of(client)
    acronym(client)
    acronym(client, '# a comment\n{ trial( id : "NCT01593254" ) , { acronym } }')
    assert cache.stats.hits == 1
    query = "query Q($id: ID!) { trial(id: $id) { acronym } }"
    for variables in ({"id": "NCT01593254"}, {"id": "nope"}):
        client.post("/graphql", json={"query": query, "variables": variables})
    assert cache.stats.hits == 1 and cache.stats.misses == 3


def test_after_a_load_the_new_data_is_served(
    served: tuple[TestClient, OxigraphStore, Settings],
) -> None:
    """A load changes the data and records a new generation: no answer of the old one is used."""
    client, store, settings = served
    cache = cache_of(client)
    before = acronym(client)
    assert acronym(client) == before and cache.stats.hits == 1
    store.native.update(RENAME_DASCERN % "RENAMED")
    bump_generation(store, settings.base_iri)
    assert acronym(client) == "RENAMED"
    assert cache.stats.misses == 2 and cache.stats.hits == 1


def test_after_a_rebuild_at_restart_the_new_data_is_served(
    served: tuple[TestClient, OxigraphStore, Settings], tmp_path: Path
) -> None:
    """A changed curated file rebuilds the store at the next start, under a new generation, even
    for a cache that outlived the change (a process serving the same remote store)."""
    client, store, settings = served
    before = acronym(client)
    data = tmp_path / "data"
    data.mkdir()
    for path in settings.curated_paths:
        text = path.read_text(encoding="utf-8")
        assert f"acronym: {before}\n" in text  # a trial record (data/*.yaml)
        (data / path.name).write_text(
            text.replace(f"acronym: {before}\n", "acronym: EDITED\n"), encoding="utf-8"
        )
    (data / "reference").mkdir()
    for path in settings.reference_paths:
        (data / "reference" / path.name).write_bytes(path.read_bytes())
    from kg.build import ensure_built

    assert ensure_built(store, settings.with_overrides(data_dir=data)) is True
    assert acronym(client) == "EDITED"


def test_answers_with_errors_are_not_cached(
    served: tuple[TestClient, OxigraphStore, Settings],
) -> None:
    client, _, _ = served
    cache = cache_of(client)
    for _ in range(2):
        response = client.post("/graphql", json={"query": "{ trial(id: 1) { nope } }"})
        assert "errors" in response.json()
    assert cache.stats.hits == 0


def test_requests_it_cannot_key_pass_through(
    served: tuple[TestClient, OxigraphStore, Settings],
) -> None:
    client, _, _ = served
    cache = cache_of(client)
    assert client.post("/graphql", content=b"not json", headers={
        "content-type": "application/json"}).status_code == 400
    assert client.get("/graphql", params={"query": ACRONYM}).status_code == 200
    assert "errors" in client.post("/graphql", json={"query": "{ trial("}).json()
    assert cache.stats.hits == 0 and cache.stats.uncacheable >= 2


def test_the_cache_is_off_by_default(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    with pytest.raises(AssertionError, match="no GraphQLResponseCache"):
        cache_of(client)


def test_mutations_and_subscriptions_are_never_keyed() -> None:
    cache = GraphQLResponseCache(app=None, max_entries=2)  # type: ignore[arg-type]
    assert cache.normalized("mutation { x }") is None
    assert cache.normalized("subscription { x }") is None
    assert cache.normalized("query { x } subscription { y }") is None
    assert cache.normalized("{ a   b }") == cache.normalized("{\n a,\n b # c\n}") == "{ a b }"
    assert cache.normalized("query Q { x(a: mutation) }") is not None  # an enum value
    assert cache.normalized('{ x(a: "b") }') != cache.normalized("{ x(a: b) }")
    assert cache.normalized('{ x(a: "b") }') == cache.normalized('{ x(a: """b""") }')


def test_a_repeat_reads_nothing_from_the_store(tmp_path: Path, settings: Settings) -> None:
    """Between two checks of the generation a repeat costs no store read at all: nothing reads
    the generation per request (kg.served)."""
    overrides = {"graphql_cache_size": 8, "generation_check_seconds": 3600}
    with built_on_disk(tmp_path / "store", settings, **overrides) as (store, cached):
        recording = RecordingStore(store)
        client = TestClient(create_app(cached, store=recording))  # type: ignore[arg-type]
        first = acronym(client)
        asked = len(recording.calls)
        assert asked > 0, "the first answer is read from the store"
        assert [acronym(client) for _ in range(3)] == [first] * 3
        assert len(recording.calls) == asked


def _lexed(text: str) -> str | None:
    """The tokens graphql-core's lexer finds, one space apart, strings by their value in JSON
    (``None`` if it refuses the text): what the cache's own pattern must agree with."""
    lexer = Lexer(Source(text))
    words = []
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            quoted = token.kind in (TokenKind.STRING, TokenKind.BLOCK_STRING)
            words.append(json.dumps(token.value) if quoted else text[token.start : token.end])
            token = lexer.advance()
    except GraphQLError:
        return None
    return " ".join(words)


SHIPPED = sorted(
    [*Path("api/graphql/examples").glob("*.graphql"), *Path("api/pages/queries").glob("*.graphql")]
)
TRICKY = [
    '{ a(s: "x\\"y\\\\z\\u00e9 ", b: """block "" \\""" end""") }',
    '\ufeff{ a(n: -1.5e+3, m: 0, k: 12, f: 0.25E-2) } # comment\r\n',
    "query Q($v: [Int!] = [1, 2]) @dir(x: $v) { ...F ... on T { y } } fragment F on T { x }",
    '{ a(o: {k: "v", l: [true, null, ENUM]}) }',
    "{\ta\n,b,,c }",
    '{ a(s: """\n    indented\r\n      more\r  last\n  """, t: "tab\there") }',
    '{ a(s: "\u00e9", t: "é", u: """é""") }',
]
REFUSED = [
    "{ a(f: [01]) }",  # a number may not start with 0 followed by digits
    "{ a(n: 1a) }",  # nor run into a name
    "{ a(n: 1.) }",
    '{ "unterminated }',
    '{ a(s: "line\nbreak") }',
    '{ a(s: "\\x") }',
    "{ a } }",
    "{ a ",
    "\f{ a }",
    "{ a ? }",
    '{ a(s: "\ud800") }',
    '{ a(s: "\\ud800") }',
]


@pytest.mark.parametrize("text", [p.read_text(encoding="utf-8") for p in SHIPPED] + TRICKY)
def test_the_cache_reads_tokens_as_graphql_core_does(text: str) -> None:
    assert _lexed(text) is not None
    assert tokens_of(text) == _lexed(text)


@pytest.mark.parametrize("text", REFUSED)
def test_what_does_not_lex_or_close_is_not_cached(text: str) -> None:
    assert tokens_of(text) is None


def test_random_texts_are_cached_only_as_graphql_core_reads_them() -> None:
    """Texts of GraphQL's characters in random order: whenever the cache takes one, its tokens
    are the lexer's, so two different documents never share a key."""
    pieces = ['{', '}', '(', ')', '[', ']', ' ', ',', '\n', '#c\n', 'a', 'on', 'x1', '0', '7',
              '-', '.', '...', 'e', '"s"', '"', '\\', '"""b"""', '$', ':', '=', '@', '!', '|',
              '&', '1.5', 'query', 'mutation', '\\"', '\\u00e9', '\\u{e9}',
              '\\"""', '\r', '\t', '"""', 'é', '\\n', '\\uD83D', '\\uDE00', '😀',
              '\x01', '\f', '\ufeff']
    chance = random.Random(14)
    taken = 0
    for _ in range(20_000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(1, 12)))
        found = tokens_of(text)
        if found is not None:
            taken += 1
            assert found == _lexed(text), text
    assert taken > 1_000  # the check above ran often enough to mean something
