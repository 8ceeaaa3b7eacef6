"""Hostile requests are refused with a GraphQL error or a 4xx, never a 500 (OWASP cheat sheet).

The limits are the GraphQL layer's, so they run on one embedded and one remote store
(``tests.backends.LAYER_BACKENDS``), the two ways a request reads."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import get_introspection_query

from api.app import create_app
from api.graphql.errors import MASKED_MESSAGE
from api.graphql.limits import MAX_PAGE_SIZE, Limits
from kg.settings import Settings
from kg.store import QueryResult, Store
from tests.backends import LAYER_BACKENDS

pytestmark = pytest.mark.backends(*LAYER_BACKENDS)


def errors_of(client: TestClient, query: str, **variables: Any) -> list[str]:
    """The error messages of a request that must be refused without a 5xx."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500, response.text
    body = response.json()
    assert body.get("errors"), body
    return [error["message"] for error in body["errors"]]


def test_depth_limit(client: TestClient) -> None:
    nested = "id"
    for _ in range(Limits().max_depth):
        nested = f"arms {{ trial {{ {nested} }} }}"
    messages = errors_of(client, f'{{ trial(id: "DASCERN") {{ {nested} }} }}')
    assert any("exceeds maximum operation depth" in m for m in messages), messages


def test_circular_fragments_are_refused(client: TestClient) -> None:
    """graphql-core's NoFragmentCyclesRule refuses the cycle; the depth and cost rules, which
    walk fragments too, must not recurse forever on it."""
    query = """
    { trial(id: "DASCERN") { ...A } }
    fragment A on Trial { arms { trial { ...B } } }
    fragment B on Trial { arms { trial { ...A } } }
    """
    messages = errors_of(client, query)
    assert any("Cannot spread fragment" in m for m in messages), messages


def test_alias_limit(client: TestClient) -> None:
    aliases = " ".join(f"a{i}: acronym" for i in range(Limits().max_aliases + 1))
    messages = errors_of(client, f'{{ trial(id: "DASCERN") {{ {aliases} }} }}')
    assert any("aliases" in m.lower() for m in messages), messages


def test_alias_limit_counts_aliases_inside_fragment_spreads(client: TestClient) -> None:
    """Aliases hidden in a fragment count once per spread (strawberry >= 0.315.7)."""
    half = Limits().max_aliases // 2 + 1
    aliases = " ".join(f"a{i}: acronym" for i in range(half))
    query = f"""
    {{ x: trial(id: "DASCERN") {{ ...F }} y: trial(id: "DASCERN") {{ ...F }} }}
    fragment F on Trial {{ {aliases} }}
    """
    messages = errors_of(client, query)
    assert any("aliases" in m.lower() for m in messages), messages


def test_token_limit(client: TestClient) -> None:
    fields = " ".join(["acronym"] * (Limits().max_tokens + 10))
    messages = errors_of(client, f'{{ trial(id: "DASCERN") {{ {fields} }} }}')
    assert any("token" in m.lower() for m in messages), messages


def test_cost_limit_counts_list_sizes(client: TestClient) -> None:
    """Shallow but wide: 100 trials x endpoints x results x sources x authors."""
    query = """
    { trials(first: 100) { edges { node { endpoints { results { sources {
        publication { authors } document { about { publication { authors } } } } } } } } } }
    """
    messages = errors_of(client, query)
    assert any("Query cost" in m and "exceeds the limit" in m for m in messages), messages


def test_cost_limit_assumes_the_page_cap_for_variables(client: TestClient) -> None:
    query = """
    query ($n: Int) { trials(first: $n) { edges { node { endpoints { results { sources {
        publication { authors } document { about { publication { authors } } } } } } } } } }
    """
    messages = errors_of(client, query, n=1)
    assert any("Query cost" in m for m in messages), messages


def test_page_size_cap(client: TestClient) -> None:
    messages = errors_of(client, f"{{ trials(first: {MAX_PAGE_SIZE + 1}) {{ totalCount }} }}")
    assert messages == [f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {MAX_PAGE_SIZE + 1}"]
    assert errors_of(client, "{ comparisons(first: -1) { totalCount } }")


def test_body_size_limit(client: TestClient, settings: Settings) -> None:
    padding = " " * (settings.max_body_bytes + 1)
    response = client.post("/graphql", json={"query": "{ drugs { name } }" + padding})
    assert response.status_code == 413


def test_body_size_limit_without_content_length(client: TestClient, settings: Settings) -> None:
    """A chunked body is counted as it arrives, not trusted by its header."""

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ drugs { name } }'
        for _ in range(settings.max_body_bytes // 1000 + 2):
            yield b" " * 1000
        yield b'"}'

    response = client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_batched_operations_are_refused(client: TestClient) -> None:
    """A JSON array of operations (batching) is off: 400, not N operations for one request."""
    response = client.post("/graphql", json=[{"query": "{ drugs { name } }"}] * 2)
    assert response.status_code == 400


class SlowStore:
    """A store whose every query takes ``delay`` seconds."""

    def __init__(self, inner: Store, delay: float) -> None:
        self.inner, self.delay = inner, delay

    def query(self, sparql: str) -> QueryResult:
        time.sleep(self.delay)
        return self.inner.query(sparql)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)


def test_time_limit(backend_settings: Settings, store: Store) -> None:
    """A request that outlives the time limit ends with a clear error, promptly, whether store
    calls run on the event loop (embedded oxigraph) or in worker threads (other backends): the
    backend under test decides which."""
    slow = SlowStore(store, delay=0.3)
    quick = backend_settings.with_overrides(query_timeout_seconds=0.5)
    with TestClient(create_app(quick, store=slow)) as client:  # type: ignore[arg-type]
        started = time.monotonic()
        messages = errors_of(
            client,
            '{ trial(id: "DASCERN") { arms { interventions { drug { trials { acronym } } } } } }',
        )
        elapsed = time.monotonic() - started
    assert any("time limit" in m for m in messages), messages
    assert elapsed < 1.5


class BrokenStore:
    """A store that, once ``broken``, fails with an internal message that must not reach
    clients (it works while the server starts and reads its generation)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.broken = False

    def query(self, sparql: str) -> QueryResult:
        if self.broken:
            raise RuntimeError("disk /var/secret/store is corrupt")
        return self.inner.query(sparql)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)


def test_internal_errors_are_masked(backend_settings: Settings, store: Store) -> None:
    """Also while the store fails the periodic check of its generation (before every request
    here): the request goes on, and its own read's failure is masked."""
    broken = BrokenStore(store)
    checking = backend_settings.with_overrides(generation_check_seconds=0)
    with TestClient(create_app(checking, store=broken)) as client:  # type: ignore[arg-type]
        broken.broken = True
        messages = errors_of(client, '{ trial(id: "DASCERN") { acronym } }')
    assert messages == [MASKED_MESSAGE]


def test_validation_errors_stay_readable(client: TestClient) -> None:
    messages = errors_of(client, '{ trial(id: "DASCERN") { acronymn } }')
    assert any("acronymn" in m for m in messages), messages


def test_bad_cursor_is_a_readable_error(client: TestClient) -> None:
    messages = errors_of(client, '{ trials(after: "not-a-cursor") { totalCount } }')
    assert any("invalid cursor" in m for m in messages), messages


@pytest.mark.parametrize(
    "text", ['" } } DROP ALL { {', "\\", "x') || true #", "<http://evil>", "\n}\n"]
)
def test_filter_values_cannot_inject_sparql(client: TestClient, text: str) -> None:
    response = client.post(
        "/graphql",
        json={
            "query": "query ($t: String) { trials(filter: {text: $t, drug: $t}) { totalCount } }",
            "variables": {"t": text},
        },
    )
    assert response.json() == {"data": {"trials": {"totalCount": 0}}}


def test_introspection_and_graphiql_stay_on(client: TestClient) -> None:
    body = client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"}).json()
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_queries_via_get(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": '{ trial(id: "DASCERN") { acronym } }'})
    assert response.json() == {"data": {"trial": {"acronym": "DASCERN"}}}


def test_statistic_other_filters_estimates_no_standard_type_matches(client: TestClient) -> None:
    """OTHER is now the ontology's ekg:OtherStatistic (a registry's "Difference", say), a
    filter like any other; DASCERN has no such estimate."""
    body = client.post(
        "/graphql", json={"query": "{ comparisons(filter: {statistic: OTHER}) { totalCount } }"}
    ).json()
    assert body == {"data": {"comparisons": {"totalCount": 0}}}


def test_cost_limit_admits_an_ordinary_listing(client: TestClient) -> None:
    """Regression: a 20-trial page with arms, primary results and estimates was refused."""
    query = """
    { trials(first: 20) { totalCount edges { node { acronym arms { label participants }
        endpoints(kind: PRIMARY) { results { value count }
          comparisons { pValue estimates { statistic value ciLower ciUpper } } } } } } }
    """
    body = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'"a string"', b"42", b"null", b"{}", b'{"query": 5}', b"\xff\xfe", b"[]"],
)
def test_malformed_bodies_get_a_4xx(client: TestClient, body: bytes) -> None:
    """Regression: a bare JSON string made strawberry answer 500."""
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, (response.status_code, response.text)


def test_bad_variable_values_stay_readable(client: TestClient) -> None:
    """graphql-core's coercion error wraps a GraphQLError; it speaks to the client, unmasked."""
    messages = errors_of(client, "query ($n: Int) { drugs(first: $n) { name } }", n="many")
    assert any("Int cannot represent" in m for m in messages), messages


def test_nested_introspection_is_refused(client: TestClient) -> None:
    """`fields { type { fields { type ... } } }` grows exponentially with depth."""
    nested = "name"
    for _ in range(8):
        nested = f"fields {{ type {{ {nested} }} }}"
    messages = errors_of(client, f"{{ __schema {{ types {{ {nested} }} }} }}")
    assert any("introspection depth" in m or "Query cost" in m for m in messages), messages


def test_full_introspection_passes_every_limit(client: TestClient) -> None:
    """GraphiQL's introspection (all options on) must stay within depth, token and cost."""
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    body = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
