"""Competency questions, answered over the exported graph (the file a consumer downloads).

Each question is a ``.rq`` file in ``tests/competency/``. Files named ``*.standard.rq`` use only
standard vocabularies (schema.org, SKOS, PROV-O, STATO/OBO, RDF), proving that a consumer who never
reads our ontology can answer them; a test below holds them to that. The others need the arm and
per-arm structure, which schema.org lacks, and use the evidence ontology for it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef

from kg.build import load_into
from kg.settings import Settings
from kg.store import open_store, select
from kg.vocab import EKG, OBO
from tests.competency import QUESTIONS, comparable, question

CHEBI_DASATINIB = str(OBO.CHEBI_49375)
CHEBI_IMATINIB = str(OBO.CHEBI_45783)


def ask(graph: Graph, name: str) -> list[dict[str, object]]:
    rows = graph.query(question(name))
    return [
        {k: (v.toPython() if isinstance(v, Literal) else str(v)) for k, v in row.asdict().items()}  # type: ignore[union-attr]
        for row in rows
    ]


def test_standard_questions_use_no_project_vocabulary() -> None:
    files = sorted(QUESTIONS.glob("*.standard.rq"))
    assert len(files) >= 4
    for path in files:
        assert str(EKG._NS) not in path.read_text(), path.name


def test_trials_comparing_dasatinib_with_imatinib(exported: Graph) -> None:
    rows = ask(exported, "trials_comparing_dasatinib_with_imatinib.standard")
    assert [(r["registryId"], r["acronym"]) for r in rows] == [("NCT01593254", "DASCERN")]


def test_publication_dois_for_nct01593254(exported: Graph) -> None:
    rows = ask(exported, "publication_dois_for_nct01593254.standard")
    assert [(r["doi"], r["resolver"]) for r in rows] == [
        ("10.1038/s41375-020-0805-1", "https://doi.org/10.1038/s41375-020-0805-1"),
        ("10.1182/blood-2018-99-111978", "https://doi.org/10.1182/blood-2018-99-111978"),
        ("10.3324/haematol.2023.283428", "https://doi.org/10.3324/haematol.2023.283428"),
    ]


def test_derived_facts_name_their_method(exported: Graph) -> None:
    rows = ask(exported, "derived_facts_and_methods.standard")
    methods = {str(r["methodLabel"]) for r in rows}
    assert any("Newcombe" in m for m in methods)
    assert any("Katz" in m for m in methods)
    assert any("Woolf" in m for m in methods)
    assert any("Approximate event count" in m for m in methods)
    assert any("0.05 level" in m for m in methods)
    # The primary comparison's 3 estimates + its 2 approximate counts + 1 significance verdict
    # (P = .005); the cumulative MMR rates by 2 and 5 years are cumulative incidences: no table.
    assert len(rows) == 3 + 2 + 1


def test_estimates_by_stato_class(exported: Graph) -> None:
    rows = ask(exported, "estimates_by_stato_class.standard")
    assert len(rows) == 3
    assert all(isinstance(r["value"], Decimal) for r in rows)


def test_arm_sizes(exported: Graph) -> None:
    rows = ask(exported, "arm_sizes")
    assert [(r["chebi"], r["participants"]) for r in rows] == [
        (CHEBI_DASATINIB, 174),
        (CHEBI_IMATINIB, 86),
    ]


def test_primary_endpoint_results_and_pcomparable(exported: Graph) -> None:
    rows = ask(exported, "primary_endpoint_results")
    assert [(r["chebi"], r["percentage"], r["pValue"]) for r in rows] == [
        (CHEBI_DASATINIB, Decimal("29.0"), Decimal("0.005")),
        (CHEBI_IMATINIB, Decimal("13.0"), Decimal("0.005")),
    ]
    assert rows[0]["endpointName"] == "Major molecular response at 12 months"


def test_significant_comparisons_with_estimates(exported: Graph) -> None:
    rows = ask(exported, "significant_comparisons_with_estimates")
    assert {r["comparison"] for r in rows} == {
        Settings().base_iri + "trial/dascern/comparison-mmr-12m"
    }
    by_type = {str(r["type"]).rsplit("/", 1)[-1]: r for r in rows}
    assert set(by_type) == {"RiskDifference", "RelativeRisk", "OddsRatio"}
    for row in rows:
        assert row["lower"] <= row["value"] <= row["upper"]  # type: ignore[operator]


def test_results_told_apart_by_report(exported: Graph) -> None:
    rows = ask(exported, "results_by_report")
    table = {
        (
            str(r["reportKind"]).rsplit("/", 1)[-1],
            str(r.get("population", "")).rsplit("/", 1)[-1],
            str(r["chebi"]),
        ): r["percentage"]
        for r in rows
    }
    assert table[("PrimaryAnalysis", "", CHEBI_DASATINIB)] == Decimal("29.0")
    assert table[("FollowUpAnalysis", "CrossoverAdjusted", CHEBI_DASATINIB)] == Decimal("64.0")
    assert table[("FollowUpAnalysis", "CrossoverAdjusted", CHEBI_IMATINIB)] == Decimal("41.0")
    assert table[("FollowUpAnalysis", "IntentionToTreat", CHEBI_DASATINIB)] == Decimal("66.0")
    assert table[("FollowUpAnalysis", "IntentionToTreat", CHEBI_IMATINIB)] == Decimal("67.0")
    assert table[("FinalAnalysis", "", CHEBI_DASATINIB)] == Decimal("77.0")
    assert table[("FinalAnalysis", "", CHEBI_IMATINIB)] == Decimal("44.0")


@pytest.mark.parametrize("name", sorted(p.stem for p in QUESTIONS.glob("*.rq")))
@pytest.mark.parametrize("backend", ["memory", "oxigraph", "sparql"])
def test_store_backends_answer_like_the_export(
    exported: Graph, settings: Settings, backend: str, name: str, request: pytest.FixtureRequest
) -> None:
    """The store seam gives the same answers as the exported file, whichever backend."""
    spec = request.getfixturevalue("remote_sparql").store_spec if backend == "sparql" else backend
    store = load_into(open_store(spec), settings)
    text = question(name)
    # Compared by value: oxigraph writes decimals canonically ("29" for "29.0").
    from_store = {
        tuple(sorted((k, comparable(v)) for k, v in row.items())) for row in select(store, text)
    }
    from_export = {
        tuple(sorted((k, comparable(v)) for k, v in row.asdict().items()))  # type: ignore[union-attr]
        for row in exported.query(text)
    }
    assert from_store == from_export
    assert from_store, f"{name} answered nothing"


def test_uri_refs_resolve_against_configured_base() -> None:
    custom = Settings(base_iri="http://localhost:8000/id/")
    store = load_into(open_store("oxigraph"), custom)
    rows = select(store, question("trials_comparing_dasatinib_with_imatinib.standard"))
    assert rows.rows[0]["trial"] == URIRef("http://localhost:8000/id/trial/dascern")
