"""Listing counts are remembered for one generation of the data, where the answer cache is on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from api.app import create_app
from api.graphql.counts import CountCache
from kg.load import load_files
from kg.settings import Settings
from kg.stores.oxigraph import OxigraphStore
from tests.api.server.serving import answer_cached_app

ANOTHER_TRIAL = """
@prefix ekg: <https://w3id.org/evidence-kg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
<https://w3id.org/evidence-kg/id/trial/another> a ekg:Trial ;
    rdfs:label "ANOTHER" ;
    schema:studySubject <https://w3id.org/evidence-kg/id/drug/dasatinib> .
"""


@pytest.fixture
def served(
    tmp_path: Path, settings: Settings
) -> Iterator[tuple[TestClient, OxigraphStore, Settings]]:
    with answer_cached_app(tmp_path / "store", settings) as served:
        yield served


def counts_of(client: TestClient) -> CountCache:
    counts = client.app.state.graphql_counts  # type: ignore[attr-defined]
    assert isinstance(counts, CountCache)
    return counts


def total(client: TestClient, also: str = "") -> int:
    """The count of trials giving dasatinib; ``also`` varies the request around the same
    listing, so that the answer cache cannot answer it."""
    query = f'{{ trials(filter: {{drug: "dasatinib"}}, first: 0) {{ totalCount {also} }} }}'
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return int(response.json()["data"]["trials"]["totalCount"])


def test_a_listing_is_counted_once_per_generation(
    served: tuple[TestClient, OxigraphStore, Settings], tmp_path: Path
) -> None:
    client, store, settings = served
    counts = counts_of(client)
    assert total(client) == 1
    assert total(client, "pageInfo { hasNextPage }") == 1
    assert (counts.misses, counts.hits) == (1, 1)
    trial = tmp_path / "another.ttl"
    trial.write_text(ANOTHER_TRIAL, encoding="utf-8")
    load_files(
        store,
        [trial],
        graph=URIRef(f"{settings.base_iri}graph/test/another"),
        base_iri=settings.base_iri,
        max_bytes=settings.max_input_bytes,
    )
    assert total(client, "pageInfo { endCursor }") == 2
    assert total(client, "pageInfo { startCursor }") == 2
    assert (counts.misses, counts.hits) == (2, 2)


def test_different_listings_are_counted_apart(
    served: tuple[TestClient, OxigraphStore, Settings],
) -> None:
    client, _, _ = served
    counts = counts_of(client)
    assert total(client) == 1
    response = client.post(
        "/graphql", json={"query": '{ trials(filter: {drug: "imatinib"}, first: 0) { totalCount } }'}
    )
    assert response.json()["data"]["trials"]["totalCount"] == 1
    assert (counts.misses, counts.hits) == (2, 0)


def test_counts_are_not_kept_without_the_answer_cache(settings: Settings) -> None:
    """Off by default, as the answer cache is: a remote store may change around kg."""
    client = TestClient(create_app(settings))
    assert client.app.state.graphql_counts is None  # type: ignore[attr-defined]
    assert total(client) == 1
