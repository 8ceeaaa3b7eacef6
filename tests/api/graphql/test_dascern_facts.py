"""Every DASCERN fact the graph holds answers over GraphQL with the right numbers and sources."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.documents import README_QUERY
from tests.api.graphql.conftest import GraphQL

BASE = "https://w3id.org/evidence-kg/id/"
TRIAL = f"{BASE}trial/dascern"

TRIAL_QUERY = """
query ($id: ID!) {
  trial(id: $id) {
    id acronym title registryIds phase allocationRatio enrollment randomized
    startDate primaryCompletionDate resultsFirstPosted crossoverRule
    design { allocation masking interventionModel primaryPurpose }
    registrations { registry registryId registeredPhase }
    population { label inclusionCriteria conditions { name } }
    conditions { name alternateName xrefs { scheme code } }
    arms {
      id label role participants allocationWeight
      interventions { drug { id name } dose { value unit comparator text } route frequency
                      maximumDuration doseEscalationAllowed }
      sources { statement document { key } }
    }
    endpoints { name kind definition timeFrame }
    reports { label kind followUp minimumFollowUp publication { doi } }
    publications { doi title journal datePublished url authors }
    documents { key kind label }
    crossovers { count percentage medianTimeToCrossoverMonths fromArm { role } toArm { role }
                 report { label } sources { statement publication { doi } } }
    findings { kind statement sources { document { key } } }
    sources { statement document { key kind } }
  }
}
"""


@pytest.fixture(scope="module")
def trial(gql: GraphQL) -> dict[str, Any]:
    found: dict[str, Any] = gql(TRIAL_QUERY, id="NCT01593254")["trial"]
    return found


@pytest.mark.parametrize("identifier", ["NCT01593254", "nct01593254", "DASCERN", "dascern", TRIAL])
def test_trial_is_found_by_registry_id_acronym_or_iri(gql: GraphQL, identifier: str) -> None:
    """Query.trial accepts an IRI, a registry id or the acronym, case-insensitively."""
    assert gql("query ($id: ID!) { trial(id: $id) { id } }", id=identifier)["trial"]["id"] == TRIAL


def test_unknown_trial_is_null(gql: GraphQL) -> None:
    assert gql('{ trial(id: "NCT00000000") { id } }')["trial"] is None


def test_trial_design_and_registry_facts(trial: dict[str, Any]) -> None:
    assert trial["acronym"] == "DASCERN"
    assert set(trial["registryIds"]) == {"NCT01593254", "2011-006181-41"}
    assert trial["phase"] == "Phase 2b"
    assert trial["allocationRatio"] == "2:1"
    assert (trial["enrollment"], trial["randomized"]) == (262, 260)
    assert trial["startDate"] == "2012-09-12"
    assert trial["primaryCompletionDate"] == "2017-11-08"
    assert trial["design"] == {
        "allocation": "Randomized",
        "masking": "Open label",
        "interventionModel": "Parallel assignment",
        "primaryPurpose": "Treatment",
    }
    registrations = {r["registryId"]: r for r in trial["registrations"]}
    assert registrations["NCT01593254"]["registeredPhase"] == "Phase 2"
    assert len(trial["population"]["inclusionCriteria"]) == 4
    assert trial["conditions"][0]["alternateName"] == "CML-CP"
    assert {"code": "C3175", "scheme": "NCIt"} in trial["conditions"][0]["xrefs"]


def test_arm_sizes_roles_and_doses(trial: dict[str, Any]) -> None:
    arms = {arm["interventions"][0]["drug"]["name"]: arm for arm in trial["arms"]}
    assert arms["dasatinib"]["participants"] == 174
    assert arms["imatinib"]["participants"] == 86
    assert arms["dasatinib"]["role"] == "EXPERIMENTAL"
    assert arms["imatinib"]["role"] == "ACTIVE_COMPARATOR"
    assert arms["dasatinib"]["interventions"][0]["dose"]["text"] == "100 mg"
    assert arms["imatinib"]["interventions"][0]["dose"]["text"] == ">= 400 mg"
    assert arms["imatinib"]["interventions"][0]["doseEscalationAllowed"] is True
    assert arms["dasatinib"]["interventions"][0]["route"] == "Oral"
    statements = [s["statement"] for s in arms["dasatinib"]["sources"]]
    assert "174 patients were randomized to dasatinib." in statements


def test_endpoints_primary_first(trial: dict[str, Any]) -> None:
    kinds = [e["kind"] for e in trial["endpoints"]]
    assert kinds[0] == "PRIMARY" and kinds.count("PRIMARY") == 1
    assert trial["endpoints"][0]["name"] == "Major molecular response at 12 months"
    assert "TERTIARY" in kinds


def test_publications_with_dois_and_authors(trial: dict[str, Any]) -> None:
    by_doi = {p["doi"]: p for p in trial["publications"]}
    assert set(by_doi) == {
        "10.1038/s41375-020-0805-1",
        "10.1182/blood-2018-99-111978",
        "10.3324/haematol.2023.283428",
    }
    primary = by_doi["10.1038/s41375-020-0805-1"]
    assert primary["journal"] == "Leukemia"
    assert primary["datePublished"] == "2020-04-07"
    assert primary["url"] == "https://doi.org/10.1038/s41375-020-0805-1"
    assert primary["authors"][0] == "Cortes JE" and primary["authors"][-1] == "Saglio G"
    assert len(primary["authors"]) == 14
    kinds = {d["key"]: d["kind"] for d in trial["documents"]}
    assert kinds == {"S1": "PUBLICATION", "S2": "OTHER", "S4": "PUBLICATION", "S5": "PUBLICATION"}


def test_reports_point_to_their_publications(trial: dict[str, Any]) -> None:
    dois = {r["kind"]: r["publication"]["doi"] for r in trial["reports"]}
    assert dois["Primary analysis"] == "10.1038/s41375-020-0805-1"
    assert dois["Final analysis"] == "10.3324/haematol.2023.283428"
    final = next(r for r in trial["reports"] if r["kind"] == "Final analysis")
    assert final["minimumFollowUp"] in {"P60M", "P5Y"}  # oxigraph writes durations canonically


def test_crossover_by_report(trial: dict[str, Any]) -> None:
    crossovers = {c["report"]["label"]: c for c in trial["crossovers"]}
    two_years = crossovers["Follow-up analysis: more than 2 years"]
    assert (two_years["count"], two_years["percentage"]) == (45, 52.0)
    assert two_years["medianTimeToCrossoverMonths"] == 9.0
    assert two_years["fromArm"]["role"] == "ACTIVE_COMPARATOR"
    assert two_years["toArm"]["role"] == "EXPERIMENTAL"
    final = crossovers["Final analysis: 5 years"]
    assert (final["count"], final["percentage"]) == (46, 53.0)
    assert final["sources"][0]["publication"]["doi"] == "10.3324/haematol.2023.283428"


def test_findings_and_trial_sources(trial: dict[str, Any]) -> None:
    kinds = {f["kind"] for f in trial["findings"]}
    assert kinds == {"Background", "Conclusion"}
    keys = {s["document"]["key"] for s in trial["sources"]}
    assert keys == {"S1", "S2", "S3", "S4", "S5"}


def test_readme_query_primary_endpoint(gql: GraphQL) -> None:
    """The README query: MMR at 12 months 29% vs 13%, P = .005, derived estimates, the DOI."""
    data = gql(README_QUERY)
    (endpoint,) = data["trial"]["endpoints"]
    values = {r["arm"]["participants"]: r for r in endpoint["results"]}
    assert values[174]["value"] == 29.0 and values[86]["value"] == 13.0
    assert values[174]["unit"] == "%"
    # The source gives no counts: the counts shown are derived, and say so.
    assert (values[174]["count"], values[174]["denominator"]) == (50, 174)
    assert (values[86]["count"], values[86]["denominator"]) == (11, 86)
    assert values[174]["countDerived"] is True
    (comparison,) = endpoint["comparisons"]
    assert comparison["pValue"] == 0.005
    assert comparison["significant"] is True
    assert comparison["intervention"]["label"].startswith("Dasatinib")
    assert comparison["comparator"]["label"].startswith("Imatinib")
    estimates = {e["statistic"]: e for e in comparison["estimates"]}
    assert set(estimates) == {"RISK_DIFFERENCE", "RELATIVE_RISK", "ODDS_RATIO"}
    assert all(e["derived"] is True and e["method"]["name"] for e in estimates.values())
    assert estimates["RISK_DIFFERENCE"]["value"] == pytest.approx(0.16, abs=0.005)
    assert "Newcombe" in estimates["RISK_DIFFERENCE"]["method"]["name"]
    assert estimates["RISK_DIFFERENCE"]["ciLevel"] == 0.95
    dois = {s["publication"]["doi"] for s in comparison["sources"] if s["publication"]}
    assert dois == {"10.1038/s41375-020-0805-1"}
    assert any(s["publication"] is None for s in comparison["sources"])  # the news summary


RESULTS_QUERY = """
{
  trial(id: "DASCERN") {
    endpoints {
      name
      results { value count countDerived countMethod derived measure
                arm { participants } report { label } analysisPopulation { id label }
                sources { statement publication { doi } document { key } } }
      comparisons { label pValue significant significanceDerived analysisMethod
                    analysisPopulation { label } report { label }
                    interventionResult { value } comparatorResult { value }
                    estimates { statistic derived } sources { document { key } } }
    }
  }
}
"""


@pytest.fixture(scope="module")
def endpoints(gql: GraphQL) -> dict[str, dict[str, Any]]:
    found = gql(RESULTS_QUERY)["trial"]["endpoints"]
    return {e["name"]: e for e in found}


def _pair(results: list[dict[str, Any]], report: str, population: str | None) -> tuple[float, ...]:
    """(dasatinib, imatinib) values for one report and analysis population."""
    chosen = [
        r
        for r in results
        if r["report"]["label"] == report
        and (r["analysisPopulation"] or {}).get("label") == population
        and r["measure"] != "Reached MMR after crossing over to dasatinib"
    ]
    return tuple(r["value"] for r in sorted(chosen, key=lambda r: -r["arm"]["participants"]))


def test_two_year_results_told_apart_by_analysis_population(
    endpoints: dict[str, dict[str, Any]],
) -> None:
    """Crossover-adjusted 64/41 and intention-to-treat 66/67 are distinct analyses."""
    results = endpoints["Time to major molecular response"]["results"]
    report = "Follow-up analysis: more than 2 years"
    assert _pair(results, report, "Accounting for crossover") == (64.0, 41.0)
    assert _pair(results, report, "Intention to treat") == (66.0, 67.0)
    comparisons = endpoints["Time to major molecular response"]["comparisons"]
    populations = {(c["analysisPopulation"] or {}).get("label") for c in comparisons}
    assert {"Accounting for crossover", "Intention to treat"} <= populations


def test_five_year_results(endpoints: dict[str, dict[str, Any]]) -> None:
    results = endpoints["Time to major molecular response"]["results"]
    assert _pair(results, "Final analysis: 5 years", None) == (77.0, 44.0)
    five = [r for r in results if r["report"]["label"] == "Final analysis: 5 years"]
    assert {s["publication"]["doi"] for r in five for s in r["sources"]} == {
        "10.3324/haematol.2023.283428"
    }
    comparison = next(
        c
        for c in endpoints["Time to major molecular response"]["comparisons"]
        if c["report"]["label"] == "Final analysis: 5 years"
    )
    assert comparison["significant"] is True and comparison["significanceDerived"] is False
    assert (comparison["interventionResult"]["value"], comparison["comparatorResult"]["value"]) == (
        77.0,
        44.0,
    )


def test_reported_results_are_not_derived_but_their_counts_are(
    endpoints: dict[str, dict[str, Any]],
) -> None:
    results = endpoints["Major molecular response at 12 months"]["results"]
    assert all(r["derived"] is False for r in results)
    assert all(r["countDerived"] is True and r["countMethod"] for r in results)
    keys = {s["document"]["key"] for r in results for s in r["sources"]}
    assert keys == {"S1", "S2", "S5"}


def test_derived_significance_comes_from_the_graph_with_its_level_and_method(
    gql: GraphQL,
) -> None:
    """P = .005 with no verdict in the sources: the verdict is the derived graph's, the same fact
    SPARQL consumers read, with the level and the rule that made it."""
    data = gql(
        """{ trial(id: "DASCERN") { endpoints(kind: PRIMARY) { comparisons {
             significant significanceDerived
             significanceAssessment { id significant level method { name definition } } } } } }"""
    )
    (comparison,) = data["trial"]["endpoints"][0]["comparisons"]
    assert comparison["significant"] is True and comparison["significanceDerived"] is True
    assessment = comparison["significanceAssessment"]
    assert assessment["id"] == f"{TRIAL}/comparison-mmr-12m/significance"
    assert assessment["significant"] is True and assessment["level"] == 0.05
    assert "0.05" in assessment["method"]["definition"]


def test_survival_comparisons_not_significant_as_reported(
    endpoints: dict[str, dict[str, Any]],
) -> None:
    for name in ("Overall survival", "Progression-free survival"):
        (comparison,) = endpoints[name]["comparisons"]
        assert comparison["significant"] is False
        assert comparison["significanceDerived"] is False
        assert comparison["pValue"] is None
        assert comparison["estimates"] == []
        assert [s["document"]["key"] for s in comparison["sources"]] == ["S2"]


@pytest.mark.parametrize(
    ("identifier", "name"),
    [
        ("CHEBI:49375", "dasatinib"),
        ("DB01254", "dasatinib"),
        ("sprycel", "dasatinib"),
        ("http://purl.obolibrary.org/obo/CHEBI_49375", "dasatinib"),
        ("CHEBI:45783", "imatinib"),
        ("db00619", "imatinib"),
        ("Imatinib", "imatinib"),
    ],
)
def test_drug_by_any_identifier(gql: GraphQL, identifier: str, name: str) -> None:
    data = gql(
        "query ($id: ID!) { drug(id: $id) { name xrefs { scheme code iri } trials { acronym } } }",
        id=identifier,
    )
    assert data["drug"]["name"] == name
    assert data["drug"]["trials"] == [{"acronym": "DASCERN"}]
    codes = {x["code"] for x in data["drug"]["xrefs"]}
    assert {"dasatinib": {"CHEBI:49375", "DB01254"}, "imatinib": {"CHEBI:45783", "DB00619"}}[
        name
    ] <= codes


def test_drugs_listing(gql: GraphQL) -> None:
    names = [d["name"] for d in gql("{ drugs { name } }")["drugs"]]
    assert names == ["dasatinib", "imatinib"]


@pytest.mark.parametrize(
    "doi",
    [
        "10.1038/s41375-020-0805-1",
        "10.1038/S41375-020-0805-1",
        "https://doi.org/10.1038/s41375-020-0805-1",
        "doi:10.1038/s41375-020-0805-1",
    ],
)
def test_publication_by_doi(gql: GraphQL, doi: str) -> None:
    data = gql("query ($doi: String!) { publication(doi: $doi) { doi journal key } }", doi=doi)
    assert data["publication"] == {
        "doi": "10.1038/s41375-020-0805-1",
        "journal": "Leukemia",
        "key": "S1",
    }


def test_node_resolves_every_kind(gql: GraphQL) -> None:
    """Query.node answers with the concrete type for any IRI the graph types."""
    expected = {
        TRIAL: "Trial",
        f"{TRIAL}/arm-dasatinib": "Arm",
        f"{TRIAL}/intervention-dasatinib": "Intervention",
        f"{BASE}drug/imatinib": "Drug",
        f"{BASE}condition/cml-chronic-phase": "Condition",
        f"{TRIAL}/endpoint-mmr-12m": "Endpoint",
        f"{TRIAL}/report-final-5y": "Report",
        f"{TRIAL}/result-mmr-12m-dasatinib": "ArmResult",
        f"{TRIAL}/comparison-mmr-12m": "Comparison",
        f"{TRIAL}/comparison-mmr-12m/risk-difference": "EffectEstimate",
        f"{TRIAL}/comparison-mmr-12m/significance": "SignificanceAssessment",
        f"{TRIAL}/crossover-2y": "CrossoverResult",
        f"{TRIAL}/finding-safety": "Finding",
        f"{BASE}publication/cortes-2020-leukemia": "Publication",
        f"{BASE}source/dascern-news-summary": "Document",
        f"{TRIAL}/population": "Population",
        f"{TRIAL}/registration-nct01593254": "Registration",
    }
    for iri, typename in expected.items():
        data = gql("query ($id: ID!) { node(id: $id) { __typename id } }", id=iri)
        assert data["node"] == {"__typename": typename, "id": iri}
    assert gql('{ node(id: "https://example.org/nothing") { id } }')["node"] is None


def test_finding_about_is_a_node(gql: GraphQL) -> None:
    data = gql(
        "query ($id: ID!) { node(id: $id) { ... on Finding { statement about { __typename id } } } }",
        id=f"{TRIAL}/finding-safety",
    )
    assert data["node"]["about"] == {"__typename": "Endpoint", "id": f"{TRIAL}/endpoint-safety"}


def test_lists_come_in_a_meaningful_order(gql: GraphQL) -> None:
    """Arms experimental first, reports in the trial's life order, estimates RD, RR, OR."""
    data = gql(
        """{ trial(id: "DASCERN") { arms { role } reports { kind }
             endpoints(kind: PRIMARY) { comparisons { estimates { statistic } } } } }"""
    )["trial"]
    assert [a["role"] for a in data["arms"]] == ["EXPERIMENTAL", "ACTIVE_COMPARATOR"]
    assert [r["kind"] for r in data["reports"]] == [
        "Primary analysis",
        "Follow-up analysis",
        "Final analysis",
    ]
    estimates = data["endpoints"][0]["comparisons"][0]["estimates"]
    assert [e["statistic"] for e in estimates] == ["RISK_DIFFERENCE", "RELATIVE_RISK", "ODDS_RATIO"]
