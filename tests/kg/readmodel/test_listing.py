"""Filtered listings stay exact when something other than a trial carries a filter's predicate.

The drug and phase filters read a page without checking each match's type and keep
it when every row is a trial (``listing._unchecked_page_rows``); a non-trial among the rows sends
the page back to the checked query. Both paths are proven here, on each embedded backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.build import load_into
from kg.ctgov.importer import import_records
from kg.ctgov.records import read_records
from kg.readmodel import listing as listings
from kg.readmodel import model, read
from kg.readmodel.sparql import BadValue
from kg.settings import Settings
from kg.store import Store, open_store
from kg.vocab import EKG, SCHEMA
from kg.write import WriteContext

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
    listing = listings.trial_listing(store, where)
    rows = listings._unchecked_page_rows(store, listing, 10, "")
    assert rows is not None and [str(row["item"]) for row in rows] == [DASCERN]
    assert listings.page_trials(store, where, 10, None).items[0][0] == DASCERN


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_a_non_trial_with_the_predicate_is_neither_listed_nor_counted(
    intruder: Store, where: listings.TrialFilter
) -> None:
    listing = listings.trial_listing(intruder, where)
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
    assert listings.trial_listing(intruder, where).unchecked is None
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
    every = [item for item, _ in listings.page(store, listings.comparison_listing(store, where), 1000, None).items]
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


def test_the_trial_catalog_searches_each_name_alone(store: Store) -> None:
    """The catalog matches a text inside one name, in any case, as the SPARQL filter does, and
    never across two names of a trial (they are kept joined by a separator)."""
    catalog = listings.read_trial_catalog(store)
    assert [item for _, item in catalog.matching("DasCern")] == [DASCERN]
    names = sorted(
        {
            name.lower()
            for p in (RDFS.label, SCHEMA.name, SCHEMA.alternateName)
            for name in store_values_literal(store, URIRef(DASCERN), p)
        }
    )
    assert len(names) >= 2
    first, second = names[0], names[1]
    assert catalog.matching(f"{first[-3:]}{second[:3]}") == ()
    assert catalog.matching(f"{first[-3:]}{listings.NAME_SEPARATOR}{second[:3]}") == ()
    assert catalog.matching(first[1:-1].upper(), within=catalog.order) == catalog.matching(
        first[1:-1]
    )


def store_values_literal(store: Store, subject: URIRef, predicate: URIRef) -> list[str]:
    rows = store.query(f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")
    assert not isinstance(rows, bool | Graph)
    return [str(row["o"]) for row in rows]


@pytest.fixture(scope="module")
def with_registry_trials(settings: Settings) -> Iterator[Store]:
    """DASCERN and the four real registry records (tests/data/ctgov), imported as kg does."""
    store = load_into(open_store("oxigraph"), settings)
    records = read_records([str(Path(__file__).parents[2] / "data" / "ctgov")])
    import_records(store, records, WriteContext.from_settings(settings))
    yield store
    store.close()


def test_the_trial_names_index_finds_what_the_store_search_finds(
    with_registry_trials: Store,
) -> None:
    """trial(id:)'s case-insensitive lookup gives the same trial from the index as from the
    store's search, for every name of every trial in any case, and nothing for other text."""
    store = with_registry_trials
    names = listings.read_trial_identifiers(store)
    assert len(set(names.identifiers.values())) >= 4, "DASCERN and registry trials"
    assert names.find("nct01593254") == names.find(" NCT01593254 ") == DASCERN
    asked = [*names.identifiers, "no such trial", "dascern x", ""]
    for identifier in asked:
        for variant in (identifier, identifier.upper(), f" {identifier.title()} "):
            assert names.find(variant) == read.search_trial(store, variant), variant
