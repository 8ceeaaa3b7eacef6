"""What the graph holds after importing the real records, compared with the JSON field by field.

The figures are never typed into a test: each test walks the record and asks the store for the
fact its JSON pointer names (``ekg:recordPointer``), then compares the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kg.build import load_into
from kg.ctgov.importer import ImportSummary, import_records
from kg.ctgov.records import read_records
from kg.ctgov.values import number
from kg.settings import Settings
from kg.store import Store, open_store, select
from kg.write import WriteContext

DATA = Path(__file__).parents[2] / "data" / "ctgov"
EKG = "https://w3id.org/evidence-kg/ontology/"
PREFIXES = f"""
PREFIX ekg: <{EKG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def imported() -> Iterator[tuple[Store, ImportSummary]]:
    settings = Settings.from_env({})
    store = load_into(open_store("oxigraph"), settings)
    summary = import_records(store, read_records([str(DATA)]), WriteContext.from_settings(settings))
    yield store, summary
    store.close()


def record(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def one(store: Store, query: str) -> dict[str, Any]:
    rows = select(store, PREFIXES + query).rows
    assert len(rows) == 1, (query, rows)
    return {name: str(value) for name, value in rows[0].items()}


PHASE_3 = "NCT02552212"


def node_at(store: Store, kind: str, pointer: str, nct: str = PHASE_3) -> str:
    """The node of ``kind`` that one record's graph says comes from ``pointer``."""
    graph = f"https://w3id.org/evidence-kg/id/graph/trial/{nct.lower()}"
    query = f'SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?n a ekg:{kind} ; ekg:recordPointer "{pointer}" }} }}'
    return one(store, query)["n"]


def values_of(store: Store, node: str, predicate: str) -> list[str]:
    rows = select(store, PREFIXES + f"SELECT ?v WHERE {{ <{node}> {predicate} ?v }}")
    return sorted(str(row["v"]) for row in rows)


def same_number(stored: list[str], raw: str) -> bool:
    parsed = number(raw)
    assert parsed is not None and parsed.lexical is not None
    return [Decimal(v) for v in stored] == [Decimal(raw.lstrip("<>=≤≥ "))]


def test_every_record_is_imported(imported: tuple[Store, ImportSummary]) -> None:
    _, summary = imported
    assert [o.status for o in summary.outcomes] == ["imported"] * 4
    assert summary.errors == [] and summary.exit_code == 0


def test_every_measurement_of_the_phase_3_record_is_in_the_graph_as_given(
    imported: tuple[Store, ImportSummary],
) -> None:
    store, _ = imported
    outcomes = record("NCT02552212")["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    checked = 0
    for o, outcome in enumerate(outcomes):
        base = f"/resultsSection/outcomeMeasuresModule/outcomeMeasures/{o}"
        endpoint = node_at(store, "Endpoint", base)
        assert values_of(store, endpoint, "rdfs:label") == [outcome["title"]]
        assert values_of(store, endpoint, "ekg:timeFrame") == [outcome["timeFrame"]]
        if "unitOfMeasure" in outcome:
            assert values_of(store, endpoint, "ekg:unitLabel") == [outcome["unitOfMeasure"]]
        denominators = {c["groupId"]: int(c["value"]) for c in outcome.get("denoms", [{}])[0].get("counts", [])}
        for c, klass in enumerate(outcome.get("classes", [])):
            for k, category in enumerate(klass["categories"]):
                for m, cell in enumerate(category["measurements"]):
                    result = node_at(store, "ArmResult", f"{base}/classes/{c}/categories/{k}/measurements/{m}")
                    assert values_of(store, result, "ekg:endpoint") == [endpoint]
                    if outcome["paramType"] == "COUNT_OF_PARTICIPANTS":
                        assert values_of(store, result, "ekg:count") == [cell["value"]]
                    elif number(cell["value"]).lexical is None:  # type: ignore[union-attr]
                        assert values_of(store, result, "rdf:value") == []
                        assert values_of(store, result, "ekg:reportedText") == [cell["value"]]
                    else:
                        assert same_number(values_of(store, result, "rdf:value"), cell["value"])
                        text = values_of(store, result, "ekg:reportedText")
                        assert text in ([], [cell["value"]])
                        assert (text == []) == (number(cell["value"]).text is None)  # type: ignore[union-attr]
                    if cell["groupId"] in denominators:
                        assert values_of(store, result, "ekg:denominator") == [str(denominators[cell["groupId"]])]
                    dispersion = outcome.get("dispersionType", "")
                    for key, predicate in (("spread", "ekg:dispersion"), ("lowerLimit", None), ("upperLimit", None)):
                        if key not in cell:
                            continue
                        if predicate is None:
                            ci = "Confidence Interval" in dispersion
                            predicate = {"lowerLimit": ("ekg:ciLower", "ekg:lowerLimit"),
                                         "upperLimit": ("ekg:ciUpper", "ekg:upperLimit")}[key][0 if ci else 1]
                        if number(cell[key]).lexical is None:  # type: ignore[union-attr]
                            assert values_of(store, result, predicate) == []
                        else:
                            assert same_number(values_of(store, result, predicate), cell[key])
                    if "comment" in cell:
                        assert values_of(store, result, "ekg:note") == [cell["comment"]]
                    checked += 1
    assert checked == sum(
        len(cat["measurements"]) for o in outcomes for cl in o.get("classes", []) for cat in cl["categories"]
    )
    assert checked > 50


def test_every_analysis_of_the_phase_3_record_is_a_reported_comparison_as_given(
    imported: tuple[Store, ImportSummary],
) -> None:
    store, _ = imported
    outcomes = record("NCT02552212")["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    checked = 0
    for o, outcome in enumerate(outcomes):
        for a, analysis in enumerate(outcome.get("analyses", [])):
            pointer = f"/resultsSection/outcomeMeasuresModule/outcomeMeasures/{o}/analyses/{a}"
            comparison = node_at(store, "Comparison", pointer)
            p_value = number(analysis["pValue"])
            assert p_value is not None and p_value.lexical is not None
            assert same_number(values_of(store, comparison, "ekg:pValue"), analysis["pValue"])
            assert values_of(store, comparison, "ekg:pValueComparator") == (
                [p_value.comparator] if p_value.comparator else []
            )
            assert values_of(store, comparison, "ekg:pValueText") == ([analysis["pValue"]] if p_value.text else [])
            assert values_of(store, comparison, "ekg:analysisMethod") == [analysis["statisticalMethod"]]
            estimate = node_at(store, "EffectEstimate", pointer)
            assert values_of(store, comparison, "ekg:estimate").count(estimate) == 1
            assert values_of(store, estimate, "ekg:statisticText") == [analysis["paramType"]]
            assert same_number(values_of(store, estimate, "rdf:value"), analysis["paramValue"])
            assert same_number(values_of(store, estimate, "ekg:ciLower"), analysis["ciLowerLimit"])
            assert same_number(values_of(store, estimate, "ekg:ciUpper"), analysis["ciUpperLimit"])
            assert [Decimal(v) for v in values_of(store, estimate, "ekg:ciLevel")] == [
                Decimal(analysis["ciPctValue"]) / 100
            ]
            assert values_of(store, estimate, "ekg:ciSides") == [
                "two-sided" if analysis["ciNumSides"] == "TWO_SIDED" else "one-sided"
            ]
            # Each group the analysis names is one of the comparison's arms.
            arms = set(values_of(store, comparison, "ekg:intervention") + values_of(store, comparison, "ekg:comparator")
                       + values_of(store, comparison, "ekg:comparedArm"))
            assert len(arms) == len(analysis["groupIds"])
            checked += 1
    assert checked == 12


def test_odds_ratios_are_matched_to_their_statistic_and_stato_class(imported: tuple[Store, ImportSummary]) -> None:
    store, _ = imported
    rows = select(store, PREFIXES + """
        SELECT ?text ?statistic (COUNT(*) AS ?n) WHERE {
          ?e ekg:statisticText ?text ; ekg:statistic ?statistic .
          FILTER EXISTS { ?e a <http://purl.obolibrary.org/obo/STATO_0000182> }
        } GROUP BY ?text ?statistic""")
    assert [(str(r["text"]), str(r["statistic"]), int(r["n"])) for r in rows] == [
        ("Odds Ratio (OR)", f"{EKG}OddsRatio", 5)
    ]
    other = select(store, PREFIXES + 'SELECT ?s WHERE { ?e ekg:statisticText "Difference" ; ekg:statistic ?s }')
    assert {str(r["s"]) for r in other} == {f"{EKG}OtherStatistic"}


def test_counts_of_participants_in_two_groups_give_derived_estimates_and_means_give_none(
    imported: tuple[Store, ImportSummary],
) -> None:
    store, _ = imported
    derived = select(store, PREFIXES + """
        SELECT ?trial ?statistic ?measure WHERE {
          ?comparison ekg:estimate ?e ; ekg:endpoint ?endpoint .
          ?e prov:wasGeneratedBy ?computation ; ekg:statistic ?statistic .
          ?trial ekg:registration ?registration ; ekg:endpoint ?endpoint . ?endpoint ekg:measureType ?measure .
        }""")
    measures = {str(r["measure"]) for r in derived}
    assert measures == {f"{EKG}Count"}
    trials = {str(r["trial"]).rsplit("/", 1)[-1] for r in derived}
    assert trials == {"nct02552212"}  # the continuous outcomes of NCT00763412 give none
    statistics = sorted({str(r["statistic"]).rsplit("/", 1)[-1] for r in derived})
    assert statistics == ["OddsRatio", "RelativeRisk", "RiskDifference"]


def test_each_fact_cites_the_record_version(imported: tuple[Store, ImportSummary]) -> None:
    store, _ = imported
    source = one(store, """
        SELECT ?source ?version ?key WHERE {
          <https://w3id.org/evidence-kg/id/trial/nct02552212> prov:wasDerivedFrom ?source .
          ?source ekg:recordVersion ?version ; ekg:sourceKey ?key }""")
    status = record("NCT02552212")["protocolSection"]["statusModule"]
    assert source["version"] == status["lastUpdatePostDateStruct"]["date"]
    assert source["key"] == "NCT02552212"
    uncited = select(store, PREFIXES + """
        SELECT ?n WHERE {
          GRAPH <https://w3id.org/evidence-kg/id/graph/trial/nct02552212> { ?n ekg:recordPointer ?p }
          FILTER NOT EXISTS { ?n prov:wasDerivedFrom ?source . ?source ekg:recordVersion ?v }
        }""")
    assert uncited.rows == []


def test_identification_design_and_dates_keep_the_registrys_precision(imported: tuple[Store, ImportSummary]) -> None:
    store, _ = imported
    protocol = record("NCT02552212")["protocolSection"]
    trial = "https://w3id.org/evidence-kg/id/trial/nct02552212"
    assert values_of(store, trial, "schema:alternateName") == [protocol["identificationModule"]["acronym"]]
    assert values_of(store, trial, "ekg:officialTitle") == [protocol["identificationModule"]["officialTitle"]]
    ids = values_of(store, trial, "schema:identifier")
    assert protocol["identificationModule"]["secondaryIdInfos"][0]["id"] in ids
    start = select(store, PREFIXES + f"SELECT ?d (DATATYPE(?d) AS ?t) WHERE {{ <{trial}> ekg:startDate ?d }}").rows[0]
    assert str(start["d"]) == protocol["statusModule"]["startDateStruct"]["date"] == "2015-09"
    assert str(start["t"]).endswith("#gYearMonth")
    assert values_of(store, trial, "ekg:enrollment") == [str(protocol["designModule"]["enrollmentInfo"]["count"])]
    assert values_of(store, trial, "ekg:enrollmentStatus") == [f"{EKG}Actual"]
    assert values_of(store, trial, "ekg:masking") == [f"{EKG}QuadrupleBlind"]
    assert values_of(store, trial, "ekg:phase") == [f"{EKG}Phase3"]
    sponsors = values_of(store, trial, "schema:sponsor/schema:name")
    assert sponsors == [protocol["sponsorCollaboratorsModule"]["leadSponsor"]["name"]]


def test_conditions_and_drugs_carry_the_registrys_mesh_ids(imported: tuple[Store, ImportSummary]) -> None:
    store, _ = imported
    study = record("NCT02552212")
    trial = "https://w3id.org/evidence-kg/id/trial/nct02552212"
    codes = values_of(store, trial, "schema:healthCondition/schema:code/schema:codeValue")
    assert codes == sorted(m["id"] for m in study["derivedSection"]["conditionBrowseModule"]["meshes"])
    drugs = values_of(store, trial, "ekg:arm/ekg:intervention/ekg:drug/schema:code/schema:codeValue")
    assert drugs == [m["id"] for m in study["derivedSection"]["interventionBrowseModule"]["meshes"]]


def test_result_groups_are_linked_to_arms_by_title_or_kept_as_groups(imported: tuple[Store, ImportSummary]) -> None:
    store, summary = imported
    groups = select(store, PREFIXES + """
        SELECT ?label ?role WHERE {
          <https://w3id.org/evidence-kg/id/trial/nct02552212> ekg:arm ?arm .
          ?arm rdfs:label ?label ; ekg:armRole ?role }""")
    arms = {str(r["label"]): str(r["role"]).rsplit("/", 1)[-1] for r in groups}
    assert arms["Placebo"] == "PlaceboComparatorArm"
    assert arms["Certolizumab Pegol 200 mg Q2W"] == "ExperimentalArm"
    assert arms["Placebo->OL CZP (SS)"] == "OtherArm"
    (phase3,) = [o for o in summary.outcomes if o.study.endswith("nct02552212")]
    assert any("Placebo->OL CZP (SS)" in note for note in phase3.notes)
    # A primary analysis names placebo as its comparator, as the roles say.
    comparison = node_at(store, "Comparison", "/resultsSection/outcomeMeasuresModule/outcomeMeasures/0/analyses/0")
    assert values_of(store, comparison, "ekg:comparator/rdfs:label") == ["Placebo"]


def test_adverse_events_are_per_group_totals(imported: tuple[Store, ImportSummary]) -> None:
    store, _ = imported
    groups = record("NCT02552212")["resultsSection"]["adverseEventsModule"]["eventGroups"]
    for g, group in enumerate(groups):
        pointer = f"/resultsSection/adverseEventsModule/eventGroups/{g}"
        rows = select(store, PREFIXES + f"""
            SELECT ?label ?count ?at WHERE {{
              GRAPH <https://w3id.org/evidence-kg/id/graph/trial/nct02552212> {{
                ?r a ekg:ArmResult ; ekg:recordPointer "{pointer}" ;
                  ekg:count ?count ; ekg:denominator ?at ; ekg:endpoint ?endpoint . ?endpoint rdfs:label ?label
              }} }}""")
        found = {str(r["label"]).split(" ")[2]: (int(r["count"]), int(r["at"])) for r in rows}
        assert found["serious"] == (group["seriousNumAffected"], group["seriousNumAtRisk"])
        assert found["other"] == (group["otherNumAffected"], group["otherNumAtRisk"])


def test_a_trial_without_results_keeps_its_protocol_outcomes_and_references(
    imported: tuple[Store, ImportSummary],
) -> None:
    store, summary = imported
    study = record("NCT03630471")
    trial = "https://w3id.org/evidence-kg/id/trial/nct03630471"
    assert values_of(store, trial, "ekg:report") == []
    outcomes = study["protocolSection"]["outcomesModule"]
    endpoints = values_of(store, trial, "ekg:endpoint/rdfs:label")
    declared = [o["measure"] for key in ("primaryOutcomes", "secondaryOutcomes") for o in outcomes.get(key, [])]
    assert endpoints == sorted(declared)
    references = study["protocolSection"]["referencesModule"]["references"]
    assert len(values_of(store, trial, "ekg:reference")) == len(references)
    pmids = values_of(store, trial, "ekg:reference/ekg:cites/ekg:pmid")
    assert pmids == sorted(r["pmid"] for r in references if "pmid" in r)
    # Background references are not about the trial: only results and derived ones are subjectOf.
    about = values_of(store, trial, "schema:subjectOf/ekg:pmid")
    assert about == sorted(r["pmid"] for r in references if r.get("type") != "BACKGROUND" and "pmid" in r)
    (outcome,) = [o for o in summary.outcomes if o.study == trial]
    assert any("no results section" in note for note in outcome.notes)
    kinds = set(values_of(store, trial, "ekg:arm/ekg:intervention/ekg:interventionType"))
    assert kinds == {f"{EKG}BehavioralIntervention"}


def test_an_observational_study_is_a_study_not_a_trial(imported: tuple[Store, ImportSummary]) -> None:
    store, summary = imported
    study = "https://w3id.org/evidence-kg/id/trial/nct05594173"
    types = values_of(store, study, "rdf:type")
    assert f"{EKG}Study" in types and f"{EKG}Trial" not in types
    assert "https://schema.org/MedicalObservationalStudy" in types
    (outcome,) = [o for o in summary.outcomes if o.study == study]
    assert any("not a trial" in note for note in outcome.notes)
    assert any("no arm groups" in note for note in outcome.notes)
    groups = values_of(store, study, "ekg:arm/ekg:registryGroupId")
    assert {"OG000", "OG005"} <= set(groups)


def test_placebo_is_an_intervention_without_a_drug(imported: tuple[Store, ImportSummary]) -> None:
    store, _ = imported
    rows = select(store, PREFIXES + """
        SELECT ?label ?drug WHERE { ?i a ekg:Intervention ; ekg:placebo true ; rdfs:label ?label
          OPTIONAL { ?i ekg:drug ?drug } }""")
    assert sorted(str(r["label"]) for r in rows) == ["Placebo", "placebo"]
    assert all("drug" not in r for r in rows)
