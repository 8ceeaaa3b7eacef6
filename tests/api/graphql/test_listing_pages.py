"""Listings over a `kg synth` corpus: every page, cursor and count agrees with plain SPARQL.

The reference answers are written here as the simplest SPARQL that says what a filter means
(no sub-SELECTs, no grouping tricks), so a rewrite of the read model's listing queries for speed
cannot change which trials a filter finds, their order, or the count.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from api.app import create_app
from api.graphql.listing_reads import facets_of
from kg.build import ensure_built, load_into
from kg.load import load_files
from kg.readmodel import listing as listings
from kg.readmodel import read
from kg.settings import Settings
from kg.store import Store, open_store, select
from kg.synth import write_corpus

BASE = "https://w3id.org/evidence-kg/id/"
PREFIXES = """
PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
MEANING = {
    "drug": "?item ekg:arm/ekg:intervention/ekg:drug <{iri}drug/dasatinib> .",
    "condition": "{{ ?item schema:healthCondition ?c }} UNION "
    "{{ ?item ekg:population/schema:healthCondition ?c }} "
    "?c schema:name ?n . FILTER(CONTAINS(LCASE(STR(?n)), 'condition 0'))",
    "phase": "?item ekg:phase ?phase . ?phase skos:broader* ekg:Phase2 .",
    "text": "?item rdfs:label|schema:name|schema:alternateName ?t . "
    "FILTER(CONTAINS(LCASE(STR(?t)), LCASE('{text}')))",
}
FILTERS: list[dict[str, str]] = [
    {},
    {"drug": "dasatinib"},
    {"condition": "condition 0"},
    {"phase": "Phase 2"},
    {"drug": "DB01254", "phase": "2"},
    {"text": "SYN-00001"},
    {"text": "synthetic DRUG 00"},
    {"text": "trial syn-000", "drug": "dasatinib"},
]
TRIALS = """
query ($filter: TrialFilter, $first: Int, $after: String) {
  trials(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id acronym } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


CORPUS_TRIALS = 200
"""Trials of the corpus the app pages through: each filter finds 10 or more (seed 7)."""

ENGINE_TRIALS = 110
"""Trials of the corpus in the rdflib backend, which loads about 9,000 triples a second: the
first 110 of the same corpus, where each filter still finds 7 or more, over a first page of 5
(so both a full first page and ``has_next_page`` are checked); 200 took 20 s to load."""


def synthetic_store(
    spec: str, settings: Settings, folder: Path, trials: int = CORPUS_TRIALS
) -> Store:
    """The curated graph plus the first ``trials`` synthetic trials in the backend ``spec``."""
    corpus = folder / "corpus.nt"
    write_corpus(corpus, trials, seed=7, base_iri=BASE)
    store = load_into(open_store(spec), settings)
    load_files(
        store, [corpus], graph=URIRef(f"{BASE}graph/synthetic"), base_iri=BASE, max_bytes=1 << 30
    )
    return store


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The synthetic graph in the default (oxigraph) backend, served by the app below."""
    return synthetic_store("oxigraph", settings, tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def any_store(
    request: pytest.FixtureRequest, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Store:
    """The synthetic graph in each backend: the listing queries must not depend on one engine.
    (Paging runs through the app on oxigraph only; the app over rdflib is slow to start.)

    On oxigraph, the app's own store (nothing writes to it); on rdflib, :data:`ENGINE_TRIALS`.
    """
    if request.param == "oxigraph":
        shared: Store = request.getfixturevalue("store")
        return shared
    folder = tmp_path_factory.mktemp("synth")
    return synthetic_store(request.param, settings, folder, ENGINE_TRIALS)


@pytest.fixture(scope="module")
def projected(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The same graph in an embedded store on disk, which ``kg serve`` gives a projection."""
    folder = tmp_path_factory.mktemp("projected")
    on_disk = settings.with_overrides(store=f"oxigraph:{folder / 'store'}")
    corpus = folder / "corpus.nt"
    write_corpus(corpus, CORPUS_TRIALS, seed=7, base_iri=BASE)
    store = open_store(on_disk.store)
    ensure_built(store, on_disk)
    load_files(
        store, [corpus], graph=URIRef(f"{BASE}graph/synthetic"), base_iri=BASE, max_bytes=1 << 30
    )
    store.close()
    return on_disk


@pytest.fixture(scope="module", params=["store pages", "projection facets"])
def client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient]:
    """The app paging in the store's queries (a store in memory, without a projection), or in
    the facets of the projection beside an embedded store on disk, as `kg serve` does once its
    builder has put them. The answer cache is off: every request runs."""
    if request.param == "store pages":
        store = request.getfixturevalue("store")
        app = create_app(settings.with_overrides(graphql_cache_size=0), store=store)
    else:
        on_disk = request.getfixturevalue("projected")
        app = create_app(on_disk.with_overrides(graphql_cache_size=0))
    with TestClient(app) as test_client:
        if request.param == "projection facets":
            served = app.state.serving.current
            deadline = time.monotonic() + 120
            while not served.projection.facets_ready(served.sequence):
                assert time.monotonic() < deadline, "the builder did not put the facets"
                time.sleep(0.05)
            assert facets_of(served) is not None
        yield test_client


def expected(store: Store, where: dict[str, str]) -> list[str]:
    """Trial IRIs meeting every filter, by lower-case acronym then IRI, from plain SPARQL."""
    patterns = "\n".join(MEANING[key].format(iri=BASE, **where) for key in where)
    query = f"""{PREFIXES}
    SELECT DISTINCT ?item ?label WHERE {{ ?item a ekg:Trial . {patterns}
      OPTIONAL {{ ?item rdfs:label ?label }} }}"""
    rows = select(store, query).rows
    keys = {str(r["item"]): str(r.get("label", "")).lower() for r in rows}
    return sorted(keys, key=lambda item: (keys[item], item))


def walk(client: TestClient, where: dict[str, str], first: int) -> tuple[list[str], set[int]]:
    """Every trial IRI the listing gives, page after page, and the totalCounts it reported."""
    seen: list[str] = []
    totals: set[int] = set()
    after = None
    while True:
        body: dict[str, Any] = client.post(
            "/graphql",
            json={"query": TRIALS, "variables": {"filter": where, "first": first, "after": after}},
        ).json()
        assert "errors" not in body, body
        page = body["data"]["trials"]
        totals.add(page["totalCount"])
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen, totals
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]


@pytest.mark.parametrize("where", FILTERS, ids=lambda w: ",".join(w) or "all")
def test_paging_visits_each_matching_trial_once_in_order(
    client: TestClient, store: Store, where: dict[str, str]
) -> None:
    """Pages of 7 walk exactly the trials plain SPARQL finds, each once, by acronym; every
    page reports the same totalCount, which is their number."""
    reference = expected(store, where)
    assert len(reference) >= 3, "the corpus should give each filter several trials"
    seen, totals = walk(client, where, first=7)
    assert seen == reference
    assert totals == {len(reference)}


@pytest.mark.parametrize("where", FILTERS, ids=lambda w: ",".join(w) or "all")
def test_count_and_first_page_match_plain_sparql(any_store: Store, where: dict[str, str]) -> None:
    """The read model's count equals a SPARQL COUNT of the filter's plain meaning, and its
    first page holds the first trials of that meaning, in order."""
    reference = expected(any_store, where)
    listing = listings.trial_listing(listings.resolve_trials(any_store, listings.TrialFilter(**where)))
    assert listings.count(any_store, listing) == len(reference)
    page = listings.page(any_store, listing, first=5, after=None)
    assert [item for item, _ in page.items] == reference[:5]
    assert page.has_next_page == (len(reference) > 5)


def test_a_cursor_resumes_after_its_row(client: TestClient, store: Store) -> None:
    """Resuming from any row's cursor gives exactly the rows after it."""
    where = {"drug": "dasatinib"}
    reference = expected(store, where)
    page = client.post(
        "/graphql", json={"query": TRIALS, "variables": {"filter": where, "first": 100}}
    ).json()["data"]["trials"]
    for index in (0, len(reference) // 2, len(reference) - 1):
        cursor = page["edges"][index]["cursor"]
        rest, _ = walk_after(client, where, cursor)
        assert rest == reference[index + 1 :]


def walk_after(client: TestClient, where: dict[str, str], cursor: str) -> tuple[list[str], bool]:
    body = client.post(
        "/graphql",
        json={"query": TRIALS, "variables": {"filter": where, "first": 100, "after": cursor}},
    ).json()["data"]["trials"]
    return [edge["node"]["id"] for edge in body["edges"]], body["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize(
    "spelling",
    ["SYN-000003", "syn-000003", "Syn-000003", "NCT90000003", "nct90000003", "nCt90000003"],
)
def test_trial_lookup_by_any_case(any_store: Store, spelling: str) -> None:
    """An acronym or registry id finds its trial in any case: exactly spelled ones by index,
    others by the case-insensitive scan."""
    assert read.find_trial(any_store, spelling) == f"{BASE}trial/synth-000003"


def test_trial_lookup_by_iri(any_store: Store) -> None:
    trial = f"{BASE}trial/synth-000003"
    assert read.find_trial(any_store, trial) == trial
    assert read.find_trial(any_store, trial.upper().replace("HTTPS", "https")) == trial
    assert read.find_trial(any_store, f"{BASE}trial/absent") is None


@pytest.mark.parametrize("spelling", ["syn-000003", "Nct90000003", "NO SUCH TRIAL"])
def test_trial_by_a_name_in_any_case_through_the_app(client: TestClient, spelling: str) -> None:
    """``trial(id:)`` finds a trial by a name not spelled exactly: in the store's search or in
    the projection's facets, the same trial (none for a name no trial has)."""
    body = client.post(
        "/graphql", json={"query": "query ($id: ID!) { trial(id: $id) { id } }",
                          "variables": {"id": spelling}}
    ).json()
    assert "errors" not in body, body
    found = body["data"]["trial"]
    wanted = None if spelling == "NO SUCH TRIAL" else {"id": f"{BASE}trial/synth-000003"}
    assert found == wanted
