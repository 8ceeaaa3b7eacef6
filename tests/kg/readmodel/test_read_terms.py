"""Bag reads take values as (text, kind) pairs, not rdflib terms; they must read as rdflib did."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Identifier

from kg.readmodel import read
from kg.store import BLANK, IRI, Lexical, Store, lexical_of, open_store, select
from kg.stores.oxigraph import OxigraphStore

EX = "https://example.org/"
INT, DEC, DBL, BOOL, DATE = XSD.integer, XSD.decimal, XSD.double, XSD.boolean, XSD.date
TRICKY: list[Identifier] = [
    Literal("42", datatype=INT),
    Literal("-007", datatype=INT),
    Literal("+3", datatype=INT),
    Literal("4.5", datatype=INT),
    Literal("twelve", datatype=INT),
    Literal("0.05", datatype=DEC),
    Literal("1.50", datatype=DEC),
    Literal("-.5", datatype=DEC),
    Literal("1e3", datatype=DEC),
    Literal("1.5E0", datatype=DBL),
    Literal("-2.5e-3", datatype=DBL),
    Literal("INF", datatype=DBL),
    Literal("NaN", datatype=DBL),
    Literal("INF", datatype=INT),
    Literal("0.25", datatype=XSD.float),
    Literal("17", datatype=XSD.nonNegativeInteger),
    Literal("true", datatype=BOOL),
    Literal("0", datatype=BOOL),
    Literal("TRUE", datatype=BOOL),
    Literal("2012-09-12", datatype=DATE),
    Literal("2012-02-30", datatype=DATE),
    Literal("2008-08", datatype=DATE),
    Literal("2012-09-12Z", datatype=DATE),
    Literal("2024", datatype=XSD.gYear),
    Literal("12"),
    Literal("True"),
    Literal("1", lang="en"),
    Literal("plain text"),
    URIRef(f"{EX}concept"),
    BNode("b0"),
]


def outcome(convert: Callable[..., object], *args: object) -> object:
    """What ``convert`` gives, comparable: NaN as a string, an error as its type."""
    try:
        found = convert(*args)
    except Exception as error:  # INF as an integer: OverflowError, before and after
        return type(error).__name__
    return "NaN" if isinstance(found, float) and math.isnan(found) else found


def old_reading(term: object) -> tuple[object, ...]:
    """What the read model made of an rdflib term before values became pairs."""
    row = {"v": term}
    return (
        str(term),
        *(outcome(f, row, "v") for f in (read._int, read._float, read._bool, read._date)),
    )


def new_reading(pair: Lexical) -> tuple[object, ...]:
    return (
        read.text_of(pair),
        *(
            outcome(f, pair)
            for f in (read.integer_of, read.number_of, read.boolean_of, read.date_of)
        ),
    )


@pytest.mark.filterwarnings("ignore")  # rdflib warns about the ill-typed literals
@pytest.mark.parametrize("term", TRICKY, ids=lambda t: f"{t!r}")
def test_pairs_read_as_rdflib_terms_did(term: Identifier) -> None:
    """Straight conversions from the text (canonical numbers, dates, booleans) give what
    rdflib's toPython() gave, and everything else still goes through rdflib."""
    expected = old_reading(term)
    assert new_reading(lexical_of(term)) == expected


@pytest.mark.filterwarnings("ignore")
def test_oxigraph_pairs_read_as_its_rdflib_terms_did() -> None:
    """What oxigraph gives (canonical lexical forms, datatypes, languages, blank nodes) reads
    as the rdflib terms it gave before."""
    store = OxigraphStore()
    graph = Graph()
    for n, term in enumerate(TRICKY):
        graph.add((URIRef(f"{EX}s{n}"), URIRef(f"{EX}p"), term))
    store.replace_graph(URIRef(f"{EX}g"), graph)
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}"
    pairs = {s[0]: o for s, o in store.select_lexical(query) if s is not None}
    terms = {str(row["s"]): row["o"] for row in select(store, query)}
    assert len(pairs) == len(TRICKY)
    for subject, term in terms.items():
        pair = pairs[subject]
        assert pair is not None
        assert new_reading(pair)[0] == old_reading(term)[0] or isinstance(term, BNode)
        assert new_reading(pair)[1:] == old_reading(term)[1:], term


def bag_graph() -> Graph:
    graph = Graph()
    thing, other = URIRef(f"{EX}thing"), URIRef(f"{EX}other")
    graph.add((thing, RDF.type, URIRef(f"{EX}Thing")))
    graph.add((thing, RDF.type, URIRef(f"{EX}Extra")))
    graph.add((thing, RDFS.label, Literal("a thing", lang="en")))
    graph.add((thing, URIRef(f"{EX}size"), Literal("3", datatype=INT)))
    graph.add((thing, URIRef(f"{EX}size"), Literal("12", datatype=INT)))
    graph.add((thing, URIRef(f"{EX}weight"), Literal("2.5E0", datatype=DBL)))
    graph.add((thing, URIRef(f"{EX}when"), Literal("2020-01-31", datatype=DATE)))
    graph.add((thing, URIRef(f"{EX}link"), BNode("n1")))
    graph.add((thing, URIRef(f"{EX}unasked"), Literal("x")))
    graph.add((other, RDF.type, URIRef(f"{EX}Other")))
    graph.add((other, RDFS.label, Literal("not a thing")))
    return graph


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def bag_store(request: pytest.FixtureRequest) -> Store:
    store = open_store(request.param)
    store.replace_graph(URIRef(f"{EX}g"), bag_graph())
    return store


def test_bags_hold_the_asked_predicates_and_classes(bag_store: Store) -> None:
    """Oxigraph's bag read returns resources and predicates as numbers, the others' as IRIs;
    both give the same bags, reading values as before."""
    predicates = [RDFS.label, f"{EX}size", f"{EX}weight", f"{EX}when", f"{EX}link"]
    bags = read.read_bags(
        bag_store, [f"{EX}other", f"{EX}thing", f"{EX}absent"], predicates, f"{EX}Thing"
    )
    assert list(bags) == [f"{EX}thing"]
    bag = bags[f"{EX}thing"]
    assert (f"{EX}Thing", IRI) in bag.values[str(RDF.type)]
    assert f"{EX}unasked" not in bag.values
    assert bag.text(RDFS.label) == "a thing"
    assert bag.integer(f"{EX}size") == 12  # the first value by text: "12" < "3"
    assert bag.all(f"{EX}size") == ["12", "3"]
    assert bag.number(f"{EX}weight") == 2.5
    assert bag.text(f"{EX}weight") == "2.5"  # rdflib's normal form, as before
    assert bag.date(f"{EX}when") == datetime.date(2020, 1, 31)
    link = bag.first(f"{EX}link")
    assert link is not None and link[1] == BLANK
