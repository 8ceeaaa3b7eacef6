"""DASCERN as a record: the same graph as the curated Turtle it replaced, and a round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.build import read_reference
from kg.records.check import read_record_file
from kg.records.export import canonical, record_of
from kg.records.mapping import RecordGraph
from kg.records.reference import ReferenceIndex
from kg.records.source import parse_text
from kg.settings import PROJECT_ROOT, Settings

RECORD = PROJECT_ROOT / "data" / "dascern.yaml"
TURTLE = Path(__file__).resolve().parents[2] / "data" / "records" / "dascern.ttl"


@pytest.fixture(scope="module")
def index(settings: Settings) -> ReferenceIndex:
    return ReferenceIndex.from_graph(read_reference(settings), settings.base_iri)


@pytest.fixture(scope="module")
def mapped(settings: Settings, index: ReferenceIndex) -> RecordGraph:
    return read_record_file(RECORD, base_iri=settings.base_iri, reference=index,
                            max_bytes=settings.max_input_bytes)


def test_record_graph_is_isomorphic_to_the_curated_turtle(
    mapped: RecordGraph, settings: Settings
) -> None:
    """What the Turtle said (with the figure semantics added the same way, and the reference
    data it held) the record says: not one triple more or less, blank nodes matched."""
    built = mapped.graph + read_reference(settings)
    turtle = Graph().parse(TURTLE, publicID=settings.base_iri)
    if not isomorphic(built, turtle):
        _, only_record, only_turtle = graph_diff(to_isomorphic(built), to_isomorphic(turtle))
        pytest.fail(f"record only: {sorted(only_record)[:5]}; Turtle only: {sorted(only_turtle)[:5]}")
    assert len(built) == len(turtle)


def test_record_maps_without_problems_or_warnings(mapped: RecordGraph) -> None:
    assert mapped.problems == []


def test_round_trip_gives_the_same_record(mapped: RecordGraph, index: ReferenceIndex) -> None:
    """record -> graph -> record: the file itself, which is written in the canonical order."""
    written = parse_text(RECORD.read_text(encoding="utf-8"), str(RECORD)).data
    assert record_of(mapped.graph, URIRef(mapped.trial), index.name) == written
    assert canonical(written) == written
