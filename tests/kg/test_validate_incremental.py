"""Incremental validation of one trial gives what full validation gives for that trial."""

from __future__ import annotations

import time

import pytest
from rdflib import Graph, Literal, URIRef

from kg.derive import derive
from kg.settings import Settings
from kg.store import Store, open_store
from kg.synth import synth_lines
from kg.validate import (
    ValidationReport,
    load_ontology,
    load_shapes,
    trial_closure,
    validate_graph,
    validate_trial,
)
from kg.vocab import EKG, RDF

BASE = "https://w3id.org/evidence-kg/id/"
BROKEN = URIRef(f"{BASE}trial/synth-000003")


@pytest.fixture(scope="module")
def corpus() -> Graph:
    """Twelve synthetic trials plus derived facts; trial 3 has one arm's size doubled."""
    data = Graph().parse(data="\n".join(synth_lines(12, seed=9, base_iri=BASE)), format="nt")
    arm = URIRef(f"{BROKEN}/arm-1")
    size = int(data.value(arm, EKG.participants))  # type: ignore[arg-type]
    data.set((arm, EKG.participants, Literal(size * 2)))
    data += derive(data, base_iri=BASE)
    return data


@pytest.fixture(scope="module")
def store(corpus: Graph) -> Store:
    loaded = open_store("oxigraph")
    loaded.replace_graph(URIRef(f"{BASE}graph/synthetic"), corpus)
    loaded.replace_graph(URIRef(f"{BASE}graph/ontology"), load_ontology(Settings()))
    return loaded


def _rows(report: ValidationReport, nodes: set[str]) -> set[tuple[str, str | None, str, str]]:
    return {
        (r.focus_node, r.path, r.constraint_component, r.severity)
        for r in report.results
        if r.focus_node in nodes
    }


def test_closure_holds_one_trial_only(store: Store) -> None:
    closure = trial_closure(store, BROKEN)
    assert set(closure.subjects(RDF.type, EKG.Trial)) == {BROKEN}
    assert (URIRef(f"{BROKEN}/comparison-1-2"), None, None) in closure
    assert any(
        str(s).startswith(f"{BROKEN}/comparison-1-2/") for s in closure.subjects()
    )  # estimates


def test_incremental_results_equal_full_results_for_that_trial(store: Store, corpus: Graph) -> None:
    settings = Settings()
    shapes, ontology = load_shapes(settings), load_ontology(settings)
    incremental = validate_trial(store, BROKEN, shapes=shapes, ontology=ontology)
    full = validate_graph(corpus, shapes=shapes, ontology=ontology)
    trial_nodes = {
        str(s) for s in trial_closure(store, BROKEN).subjects() if str(s).startswith(str(BROKEN))
    }
    assert not incremental.conforms
    assert _rows(incremental, trial_nodes) == _rows(full, trial_nodes)
    assert _rows(incremental, trial_nodes), "the doubled arm must be reported"


def test_a_good_trial_validates_alone(store: Store) -> None:
    settings = Settings()
    started = time.perf_counter()
    report = validate_trial(
        store, URIRef(f"{BASE}trial/synth-000005"), shapes=load_shapes(settings)
    )
    assert report.conforms and not report.results
    assert time.perf_counter() - started < 30  # a sanity bound, not a benchmark
