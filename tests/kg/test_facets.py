"""The projection's facets answer every listing, count and name lookup as the store's SPARQL does:
the facets as kg.facets reads them from the store, answered by kg.facet_index's SQL.

Test data: the curated DASCERN graph, a `kg synth` corpus of 200 trials (tests/api/graphql/
test_listing_pages.py, whose plain-SPARQL meaning of each trial filter is the reference) and an
observational study that carries the trial filters' predicates without being a trial.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg import facet_index
from kg.facet_index import Facets
from kg.facets import (
    NAME_SEPARATOR,
    ComparisonQuery,
    StudyFacets,
    TrialQuery,
    every_study,
    read_facets,
)
from kg.projection import Projection
from kg.readmodel import listing as listings
from kg.readmodel import read
from kg.settings import Settings
from kg.store import Store
from kg.vocab import EKG, SCHEMA
from tests.api.graphql.test_listing_pages import BASE, FILTERS, expected, synthetic_store

OBSERVATIONAL = URIRef(f"{BASE}study/observational-registry")


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = synthetic_store("oxigraph", settings, tmp_path_factory.mktemp("facets"))
    graph = Graph()
    graph.add((OBSERVATIONAL, RDF.type, SCHEMA.MedicalObservationalStudy))
    graph.add((OBSERVATIONAL, RDFS.label, Literal("AAA observational follow-up")))
    graph.add((OBSERVATIONAL, SCHEMA.studySubject, URIRef(f"{BASE}drug/dasatinib")))
    store.replace_graph(URIRef(f"{BASE}graph/test/observational"), graph)
    yield store
    store.close()


@pytest.fixture(scope="module")
def facets(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Facets]:
    """Every study's facets, put at the sequence of one generation, as a builder puts them."""
    projection = Projection(tmp_path_factory.mktemp("projection") / "store.projection.sqlite")
    sequence = projection.register("generation-1", None)
    projection.put_facets(sequence, read_facets(store))
    projection.mark_facets(sequence)
    assert projection.facets_ready(sequence)
    yield projection.facets_at(sequence)
    projection.close()


def trial_walk(facets: Facets, query: TrialQuery, size: int) -> list[str]:
    """Every trial of ``query``'s listing, ``size`` at a time, each page resuming after the last
    row of the one before."""
    seen: list[str] = []
    after: tuple[str, str] | None = None
    while True:
        rows = facets.trial_page(query, size, after)
        seen += [item for _, item in rows]
        if len(rows) < size:
            return seen
        after = rows[-1]


@pytest.mark.parametrize("where", FILTERS, ids=lambda w: ",".join(w) or "all")
def test_trial_listings_and_counts_match_plain_sparql(
    store: Store, facets: Facets, where: dict[str, str]
) -> None:
    """Pages of 7 walk exactly the trials the filter's plain SPARQL meaning finds, by lower-case
    acronym then IRI, and the count is their number; the store's own listing agrees."""
    reference = expected(store, where)
    assert len(reference) >= 3
    query = listings.resolve_trials(store, listings.TrialFilter(**where))
    assert query is not None
    assert trial_walk(facets, query, 7) == reference
    assert facets.trial_count(query) == len(reference)
    page = listings.page_trials(store, listings.TrialFilter(**where), 1000, None)
    assert [item for item, _ in page.items] == reference


def test_a_text_matches_within_one_name_only(store: Store, facets: Facets) -> None:
    """The text filter finds a text inside one name in any case, never one spanning two names
    of a trial, nor one holding the separator the names are kept apart by."""
    dascern = f"{BASE}trial/dascern"
    names = sorted(
        str(row[0]).lower()
        for row in store.select_values(
            f"SELECT ?n WHERE {{ <{dascern}> <{RDFS.label}>|<{SCHEMA.name}>|"
            f"<{SCHEMA.alternateName}> ?n }}"
        )
    )
    assert len(names) >= 2
    first, second = names[0], names[1]
    for text, found in (
        (first[1:-1].upper().lower(), True),
        (f"{first[-3:]}{second[:3]}", False),
        (f"{first[-3:]}{NAME_SEPARATOR}{second[:3]}", False),
    ):
        rows = facets.trial_page(TrialQuery(text=text), 1000, None)
        assert (dascern in [item for _, item in rows]) is found, text
        sparql = listings.page_trials(store, listings.TrialFilter(text=text), 1000, None)
        assert [item for _, item in rows] == [item for item, _ in sparql.items], text


def test_a_study_that_is_no_trial_is_not_listed(facets: Facets) -> None:
    rows = facets.trial_page(TrialQuery(drugs=(f"{BASE}drug/dasatinib",)), 1000, None)
    assert str(OBSERVATIONAL) not in [item for _, item in rows]
    assert rows and facets.trial_count(TrialQuery(drugs=(f"{BASE}drug/dasatinib",))) == len(rows)


def comparisons(
    facets: Facets, query: ComparisonQuery, first: int, after: tuple[str, str] | None
) -> list[str]:
    """The IRIs of a page of :meth:`Facets.comparison_page`."""
    return [item for _, item in facets.comparison_page(query, first, after)]


def _statistics(store: Store) -> list[str]:
    rows = store.select_values(
        f"SELECT DISTINCT ?s WHERE {{ ?e <{EKG.statistic}> ?s }} ORDER BY ?s"
    )
    return [str(row[0]) for row in rows]


def comparison_filters(store: Store) -> list[listings.ComparisonFilter]:
    statistics = _statistics(store)
    assert statistics
    return [
        listings.ComparisonFilter(),
        listings.ComparisonFilter(drug="dasatinib"),
        listings.ComparisonFilter(comparator="imatinib"),
        listings.ComparisonFilter(drug="dasatinib", comparator="imatinib"),
        listings.ComparisonFilter(endpoint="MOLECULAR"),
        listings.ComparisonFilter(endpoint="  "),
        listings.ComparisonFilter(max_p_value=0.05),
        listings.ComparisonFilter(max_p_value=1e-6),
        listings.ComparisonFilter(derived=True),
        listings.ComparisonFilter(derived=False),
        *(listings.ComparisonFilter(statistic=s) for s in statistics),
        *(listings.ComparisonFilter(statistic=s, derived=True) for s in statistics),
        listings.ComparisonFilter(drug="no such drug"),
    ]


def test_comparison_listings_and_counts_match_the_store(store: Store, facets: Facets) -> None:
    """Every comparison filter lists the comparisons the store's SPARQL lists, in IRI order,
    page after page, and counts them alike."""
    nonempty = 0
    for where in comparison_filters(store):
        reference = [item for item, _ in listings.page_comparisons(store, where, 10_000, None).items]
        assert listings.count_comparisons(store, where) == len(reference)
        query = listings.resolve_comparisons(store, where)
        if query is None:
            assert reference == [], where
            continue
        seen: list[str] = []
        after: tuple[str, str] | None = None
        while True:
            page = comparisons(facets, query, 9, after)
            seen += page
            if len(page) < 9:
                break
            after = (page[-1], page[-1])
        assert seen == reference, where
        assert facets.comparison_count(query) == len(reference), where
        nonempty += bool(reference)
    assert nonempty >= 8, "the filters should find comparisons"


def test_a_name_finds_the_trial_the_store_search_finds(
    store: Store, facets: Facets, tmp_path: Path
) -> None:
    """trial(id:)'s case-insensitive lookup gives the same trial from the facets as from the
    store's search, for names of trials in any case, and nothing for other text."""
    asked = [
        f"{BASE}trial/synth-000003",
        "SYN-000003",
        "nct90000003",
        "NCT01593254",
        "dascern",
        "no such trial",
        "dascern x",
        "",
    ]
    for identifier in asked:
        for variant in (identifier, identifier.upper(), f" {identifier.title()} "):
            expected_trial = read.search_trial(store, variant)
            assert facets.find_trial(variant.strip().lower()) == expected_trial, variant
    assert facets.find_trial("dascern") == f"{BASE}trial/dascern"


def test_a_newer_generation_hides_what_it_changed(store: Store, tmp_path: Path) -> None:
    """Readers see each study's facets as of their own generation: a study changed later
    keeps its old facets for readers of the earlier generation, its new ones (or none, once
    deleted) for readers of the later one."""
    projection = Projection(tmp_path / "p.sqlite")
    first = projection.register("g1", None)
    projection.put_facets(first, read_facets(store))
    projection.mark_facets(first)
    dascern = f"{BASE}trial/dascern"
    second = projection.register("g2", [dascern])
    assert not projection.facets_ready(second)
    gone = read_facets(store, [dascern])
    gone[dascern].key = None
    gone[dascern].identifiers.clear()
    gone[dascern].comparisons.clear()
    projection.put_facets(second, gone)
    projection.mark_facets(second)
    old, new = projection.facets_at(first), projection.facets_at(second)
    assert old.find_trial("dascern") == dascern and new.find_trial("dascern") is None
    everything = ComparisonQuery()
    assert new.comparison_count(everything) < old.comparison_count(everything)
    before = old.trial_count(TrialQuery())
    assert new.trial_count(TrialQuery()) == before - 1
    # Pruning for readers of the second generation forgets the study's first row only.
    assert projection.prune(second, [dascern]) == 1
    assert new.find_trial("dascern") is None
    assert new.trial_count(TrialQuery()) == before - 1
    assert new.comparison_count(everything) == projection.facets_at(second).comparison_count(
        everything
    )
    projection.close()


def test_some_studies_read_as_every_study_reads_them(store: Store) -> None:
    """Reading named studies (VALUES, as after a write) gives each the facets a read of every
    study (as after a load) gives it."""
    every = read_facets(store)
    studies = every_study(store)
    assert set(every) == set(studies) and len(studies) > 200
    some = read_facets(store, studies[:3] + studies[-250:])
    assert some == {study: every[study] for study in some}
    assert read_facets(store, [f"{BASE}trial/no-such-trial"]) == {
        f"{BASE}trial/no-such-trial": StudyFacets()
    }


@pytest.mark.parametrize("driven", [True, False], ids=["term index", "listing order"])
@pytest.mark.parametrize(
    "where", [w for w in FILTERS if set(w) & {"drug", "condition", "phase"}], ids=",".join
)
def test_a_page_is_the_same_from_the_term_index_or_the_order(
    store: Store,
    facets: Facets,
    where: dict[str, str],
    driven: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page is found from the filter's term index or by walking the listing's order, as the
    sizes say (``_driven``): either way, the trials plain SPARQL finds, in its order, and the
    comparisons the store lists."""
    monkeypatch.setattr(facet_index, "_driven", lambda first, matching, every: driven)
    reference = expected(store, where)
    query = listings.resolve_trials(store, listings.TrialFilter(**where))
    assert query is not None
    assert trial_walk(facets, query, 4) == reference
    drug = listings.ComparisonFilter(drug=where.get("drug", "dasatinib"))
    compared = listings.resolve_comparisons(store, drug)
    assert compared is not None
    listed = [item for item, _ in listings.page_comparisons(store, drug, 10_000, None).items]
    assert comparisons(facets, compared, 10_000, None) == listed


def test_a_comparison_cursor_resumes_where_sparql_would(store: Store, facets: Facets) -> None:
    """A cursor's key and IRI are compared as page_after.rq compares them: a key between two
    comparisons resumes at the next, a tie on the key resumes after the IRI."""
    every = comparisons(facets, ComparisonQuery(), 10_000, None)
    between = every[1] + "!"
    for after, rest in (
        ((between, every[0]), every[2:]),
        ((every[1], every[1]), every[2:]),
        ((every[1], every[0]), every[1:]),
    ):
        assert comparisons(facets, ComparisonQuery(), 10_000, after) == rest
        cursor = listings.encode_cursor(*after)
        sparql = listings.page_comparisons(store, listings.ComparisonFilter(), 10_000, cursor)
        assert [item for item, _ in sparql.items] == rest
