"""Filtered listings stay exact when something other than a trial carries a filter's predicate.

The drug and phase filters read a page without checking each match's type and keep
it when every row is a trial (``listing._unchecked_page_rows``); a non-trial among the rows sends
the page back to the checked query. Both paths are proven here, on each embedded backend.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.build import load_into
from kg.readmodel import listing as listings
from kg.readmodel import model
from kg.readmodel.sparql import BadValue
from kg.settings import Settings
from kg.store import Store, open_store
from kg.vocab import EKG, SCHEMA

BASE = "https://w3id.org/evidence-kg/id/"
DASCERN = f"{BASE}trial/dascern"
STUDY = URIRef(f"{BASE}study/observational-registry")
INTRUDER_GRAPH = URIRef(f"{BASE}graph/test/observational")


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request: pytest.FixtureRequest, settings: Settings) -> Store:
    return load_into(open_store(request.param), settings)


@pytest.fixture
def intruder(store: Store) -> Iterator[Store]:
    """An observational study (not an ekg:Trial) carrying every filtered predicate, labelled to
    sort before DASCERN: an unchecked page would start with it."""
    dascern = URIRef(DASCERN)
    graph = Graph()
    graph.add((STUDY, RDF.type, SCHEMA.MedicalObservationalStudy))
    graph.add((STUDY, RDFS.label, Literal("AAA observational follow-up of DASCERN")))
    graph.add((STUDY, SCHEMA.studySubject, URIRef(f"{BASE}drug/dasatinib")))
    for value in store_values(store, dascern, EKG.phase):
        graph.add((STUDY, EKG.phase, value))
    store.replace_graph(INTRUDER_GRAPH, graph)
    yield store
    store.drop_graph(INTRUDER_GRAPH)


def store_values(store: Store, subject: URIRef, predicate: URIRef) -> list[URIRef]:
    rows = store.query(f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")
    assert not isinstance(rows, bool | Graph)
    return [URIRef(str(row["o"])) for row in rows]


FILTERS = [
    listings.TrialFilter(drug="dasatinib"),
    listings.TrialFilter(phase="2b"),
    listings.TrialFilter(drug="dasatinib", text="dascern"),
]


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_a_conforming_graph_keeps_the_unchecked_page(store: Store, where: listings.TrialFilter) -> None:
    listing = listings.trial_listing(listings.resolve_trials(store, where))
    rows = listings._unchecked_page_rows(store, listing, 10, "")
    assert rows is not None and [str(row["item"]) for row in rows] == [DASCERN]
    assert listings.page_trials(store, where, 10, None).items[0][0] == DASCERN


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_a_non_trial_with_the_predicate_is_neither_listed_nor_counted(
    intruder: Store, where: listings.TrialFilter
) -> None:
    listing = listings.trial_listing(listings.resolve_trials(intruder, where))
    assert listings._unchecked_page_rows(intruder, listing, 10, "") is None
    page = listings.page_trials(intruder, where, 10, None)
    assert [item for item, _ in page.items] == [DASCERN]
    assert not page.has_next_page
    assert listings.count_trials(intruder, where) == 1


@pytest.mark.parametrize(
    "where", [listings.TrialFilter(text="dascern"), listings.TrialFilter(condition="chronic phase")], ids=repr
)
def test_filters_other_resources_match_check_types_in_the_query(
    intruder: Store, where: listings.TrialFilter
) -> None:
    """Any labelled resource matches a text, and populations carry conditions: an unchecked
    page would rarely be all trials, so these filters alone keep the check in the query."""
    assert listings.trial_listing(listings.resolve_trials(intruder, where)).unchecked is None
    assert [item for item, _ in listings.page_trials(intruder, where, 10, None).items] == [DASCERN]
    assert listings.count_trials(intruder, where) == 1


def walk(store: Store, where: listings.ComparisonFilter, size: int) -> list[model.Page]:
    """Every page of a comparison listing, ``size`` at a time."""
    pages = [listings.page_comparisons(store, where, size, None)]
    while pages[-1].has_next_page:
        pages.append(listings.page_comparisons(store, where, size, pages[-1].items[-1][1]))
    return pages


@pytest.mark.parametrize("where", [listings.ComparisonFilter(), listings.ComparisonFilter(drug="dasatinib")])
def test_comparisons_page_in_iri_order_on_every_engine(
    store: Store, where: listings.ComparisonFilter
) -> None:
    """Pages of a store whose ORDER BY is costly are sorted in Python, the others' by SPARQL:
    the same order (codepoint order of the IRIs), each comparison once, and the same count."""
    listing = listings.comparison_listing(listings.resolve_comparisons(store, where))
    every = [item for item, _ in listings.page(store, listing, 1000, None).items]
    assert len(every) > 3 and every == sorted(every)
    for size in (2, len(every) // 2, len(every)):
        pages = walk(store, where, size)
        assert [item for page in pages for item, _ in page.items] == every
        assert all(page.items for page in pages)  # the last page says it is the last
    assert listings.count_comparisons(store, where) == len(every)
    sorted_here = store.capabilities.costly_string_order
    assert all((page.total == len(every)) == sorted_here for page in pages)


def test_a_cursor_resumes_where_sparql_would(store: Store) -> None:
    """page_after.rq keeps rows after (key, IRI): a cursor whose key sorts between two IRIs
    resumes at the next IRI, whichever engine sorts."""
    where = listings.ComparisonFilter()
    every = [item for item, _ in listings.page_comparisons(store, where, 1000, None).items]
    between = every[1] + "!"  # after every[1], before every[2] ('!' is the lowest printable)
    resumed = listings.page_comparisons(store, where, 1000, listings.encode_cursor(between, every[0]))
    assert [item for item, _ in resumed.items] == every[2:]
    exact = listings.page_comparisons(store, where, 1000, listings.encode_cursor(every[1], every[1]))
    assert [item for item, _ in exact.items] == every[2:]
    tie = listings.page_comparisons(store, where, 1000, listings.encode_cursor(every[1], every[0]))
    assert [item for item, _ in tie.items] == every[1:]
    with pytest.raises(BadValue):
        listings.page_comparisons(store, where, 10, listings.encode_cursor(every[1], "not an IRI"))
