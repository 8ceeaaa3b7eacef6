"""Filtered listings stay exact when something other than a trial carries a filter's predicate.

The drug and phase filters read a page without checking each match's type and keep
it when every row is a trial (``read._unchecked_page_rows``); a non-trial among the rows sends
the page back to the checked query. Both paths are proven here, on each embedded backend.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.build import load_into
from kg.readmodel import read
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
    read.TrialFilter(drug="dasatinib"),
    read.TrialFilter(phase="2b"),
    read.TrialFilter(drug="dasatinib", text="dascern"),
]


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_a_conforming_graph_keeps_the_unchecked_page(store: Store, where: read.TrialFilter) -> None:
    listing = read.trial_listing(store, where)
    rows = read._unchecked_page_rows(store, listing, 10, "")
    assert rows is not None and [str(row["item"]) for row in rows] == [DASCERN]
    assert read.page_trials(store, where, 10, None).items[0][0] == DASCERN


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_a_non_trial_with_the_predicate_is_neither_listed_nor_counted(
    intruder: Store, where: read.TrialFilter
) -> None:
    listing = read.trial_listing(intruder, where)
    assert read._unchecked_page_rows(intruder, listing, 10, "") is None
    page = read.page_trials(intruder, where, 10, None)
    assert [item for item, _ in page.items] == [DASCERN]
    assert not page.has_next_page
    assert read.count_trials(intruder, where) == 1


@pytest.mark.parametrize(
    "where", [read.TrialFilter(text="dascern"), read.TrialFilter(condition="chronic phase")], ids=repr
)
def test_filters_other_resources_match_check_types_in_the_query(
    intruder: Store, where: read.TrialFilter
) -> None:
    """Any labelled resource matches a text, and populations carry conditions: an unchecked
    page would rarely be all trials, so these filters alone keep the check in the query."""
    assert read.trial_listing(intruder, where).unchecked is None
    assert [item for item, _ in read.page_trials(intruder, where, 10, None).items] == [DASCERN]
    assert read.count_trials(intruder, where) == 1
