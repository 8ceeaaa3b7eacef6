"""The read model answers the same on every backend, in batches, and refuses unsafe input."""

from __future__ import annotations

import pytest

from kg.build import load_into
from kg.readmodel import listing as listings
from kg.readmodel import read
from kg.readmodel.sparql import BadValue, iri, render, string_literal
from kg.settings import Settings
from kg.store import Store, open_store

BASE = "https://w3id.org/evidence-kg/id/"
TRIAL = f"{BASE}trial/dascern"
EKG = "https://w3id.org/evidence-kg/ontology/"


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request: pytest.FixtureRequest, settings: Settings) -> Store:
    """The knowledge graph in each backend: the .rq files must not depend on one engine."""
    return load_into(open_store(request.param), settings)


def test_trials_by_iri(store: Store) -> None:
    found = read.read_trials(store, [TRIAL, f"{BASE}trial/absent"])
    assert list(found) == [TRIAL]
    trial = found[TRIAL]
    assert (trial.acronym, trial.phase, trial.enrollment) == ("DASCERN", "Phase 2b", 262)
    assert trial.start_date is not None and trial.start_date.isoformat() == "2012-09-12"


def test_many_kinds_of_link_in_one_batch(store: Store) -> None:
    links = read.read_links(
        store,
        [
            (TRIAL, f"{EKG}arm"),
            (TRIAL, f"{EKG}report"),
            (f"{TRIAL}/arm-imatinib", f"{EKG}intervention"),
        ],
    )
    assert links[(TRIAL, f"{EKG}arm")] == [f"{TRIAL}/arm-dasatinib", f"{TRIAL}/arm-imatinib"]
    assert len(links[(TRIAL, f"{EKG}report")]) == 3
    assert links[(f"{TRIAL}/arm-imatinib", f"{EKG}intervention")] == [
        f"{TRIAL}/intervention-imatinib"
    ]


def test_arm_results_carry_derived_counts(store: Store) -> None:
    results = read.read_arm_results(
        store, [f"{TRIAL}/result-mmr-12m-dasatinib", f"{TRIAL}/result-mmr-12m-imatinib"]
    )
    dasatinib = results[f"{TRIAL}/result-mmr-12m-dasatinib"]
    assert (dasatinib.percentage, dasatinib.count, dasatinib.derived) == (29.0, None, False)
    assert (dasatinib.approximate_count, dasatinib.approximate_denominator) == (50, 174)
    assert dasatinib.approximate_computation
    methods = read.read_methods(store, [dasatinib.approximate_computation])
    assert methods[dasatinib.approximate_computation].name


def test_estimates_name_their_method(store: Store) -> None:
    estimate = read.read_estimates(store, [f"{TRIAL}/comparison-mmr-12m/risk-difference"])
    (found,) = estimate.values()
    assert found.derived and found.computation is not None
    method = read.read_methods(store, [found.computation])[found.computation]
    assert "Newcombe" in (method.name or "")
    assert found.statistic == f"{EKG}RiskDifference"


def test_authors_in_published_order(store: Store) -> None:
    authors = read.read_authors(store, [f"{BASE}publication/cortes-2024-haematologica"])
    names = [a.name for a in authors[f"{BASE}publication/cortes-2024-haematologica"]]
    assert names[0] == "Cortes JE" and names[-1] == "Saglio G" and len(names) == 13


def test_lookups(store: Store) -> None:
    assert read.find_trial(store, "nct01593254") == TRIAL
    assert read.find_drug(store, "chebi:45783") == f"{BASE}drug/imatinib"
    assert read.find_publication(store, "doi:10.3324/HAEMATOL.2023.283428") == (
        f"{BASE}publication/cortes-2024-haematologica"
    )
    assert read.find_trial(store, '"} DROP ALL') is None


def test_filtered_count_and_page_agree(store: Store) -> None:
    where = listings.ComparisonFilter(endpoint="molecular response", derived=True)
    page = listings.page_comparisons(store, where, first=10, after=None)
    # MMR at 12 months only: the cumulative MMR rates are cumulative incidences, never derived on
    assert listings.count_comparisons(store, where) == len(page.items) == 1
    assert not page.has_next_page


def test_unsafe_values_are_refused_or_escaped() -> None:
    with pytest.raises(BadValue):
        iri("https://x.org/a> . ?s ?p ?o")
    with pytest.raises(BadValue):
        listings.decode_cursor("!!!")
    assert string_literal('"\\\n') == '"\\"\\\\\\n"'
    with pytest.raises(KeyError):
        render("properties", ids="")  # every placeholder must be filled
