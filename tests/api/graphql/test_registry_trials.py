"""Registry trials through GraphQL: what `kg import ctgov` wrote, read back as frontends read it,
compared with the records field by field, on the embedded, rdflib and remote backends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from api.graphql.context import make_context
from api.graphql.limits import Limits
from api.graphql.schema import build_schema
from kg.ctgov.importer import import_records
from kg.ctgov.records import Record, read_records
from kg.ctgov.values import number
from kg.settings import Settings
from kg.store import Store
from kg.write import WriteContext
from tests.backends import Backends

DATA = Path(__file__).parents[2] / "data" / "ctgov"
BACKENDS = ("oxigraph", "memory", "sparql-oxigraph")


def dasatinib_record() -> dict[str, Any]:
    """The small real record (NCT00763412) made a trial of dasatinib against imatinib, as
    tests/kg/ctgov/test_import.py makes it: the drug named by its MeSH id only."""
    study: dict[str, Any] = json.loads((DATA / "NCT00763412.json").read_text(encoding="utf-8"))
    protocol = study["protocolSection"]
    protocol["identificationModule"]["nctId"] = "NCT09000001"
    arms = protocol["armsInterventionsModule"]
    arms["interventions"] = [
        {"type": "DRUG", "name": "Dasatinib", "armGroupLabels": [arms["armGroups"][1]["label"]]},
        {"type": "DRUG", "name": "Imatinib", "armGroupLabels": [arms["armGroups"][0]["label"]]},
    ]
    arms["armGroups"][0]["type"] = "ACTIVE_COMPARATOR"
    study["derivedSection"]["interventionBrowseModule"] = {
        "meshes": [{"id": "D000069439", "term": "Dasatinib"}]
    }
    return study


@pytest.fixture(scope="module", params=BACKENDS)
def imported(request: pytest.FixtureRequest, backends: Backends) -> Iterator[tuple[Settings, Store]]:
    """DASCERN and the registry records imported into the backend, with settings naming it."""
    settings = Settings.from_env({})
    with backends.get(str(request.param)).built(settings, key="ctgov") as (configured, built):
        records = [*read_records([str(DATA)]), Record(dasatinib_record(), "dasatinib.json")]
        summary = import_records(built, records, WriteContext.from_settings(configured))
        assert summary.exit_code == 0, [o.problems for o in summary.outcomes if o.refused]
        yield configured, built


@pytest.fixture(scope="module")
def store(imported: tuple[Settings, Store]) -> Store:
    return imported[1]


def run(store: Store, query: str) -> dict[str, Any]:
    schema = build_schema(Limits(timeout_seconds=60))

    async def execute() -> Any:
        context = await make_context(store, 60, inline_reads=store.capabilities.inline_reads)
        return await schema.execute(query, context_value=context)

    result = asyncio.run(execute())
    assert result.errors is None, result.errors
    data: dict[str, Any] = result.data
    return data


def record(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def same(value: float | None, raw: str) -> bool:
    parsed = number(raw)
    assert parsed is not None
    if parsed.lexical is None:
        return value is None
    return value is not None and Decimal(repr(value)) == Decimal(parsed.lexical)


PRIMARY = """
{ trial(id: "NCT02552212") { acronym isTrial endpoints(kind: PRIMARY) {
    name
    results { arm { label } value valueAsReported count denominator lowerLimit upperLimit
              sources { recordPointer document { key recordVersion } } }
    comparisons { pValue pValueComparator pValueAsReported analysisMethod
                  sources { recordPointer }
                  estimates { statistic statisticAsReported value ciLower ciUpper ciLevel ciSides derived } }
} } }
"""


def test_primary_outcomes_and_their_analyses_read_as_the_record_gives_them(store: Store) -> None:
    trial = run(store, PRIMARY)["trial"]
    assert trial["acronym"] == "C-AXSPAND" and trial["isTrial"]
    outcomes = record("NCT02552212")["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    by_name = {e["name"]: e for e in trial["endpoints"]}
    primary = [o for o in outcomes if o["type"] == "PRIMARY"]
    assert sorted(by_name) == sorted(o["title"] for o in primary)
    checked = 0
    for o, outcome in enumerate(outcomes):
        if outcome["type"] != "PRIMARY":
            continue
        endpoint = by_name[outcome["title"]]
        base = f"/resultsSection/outcomeMeasuresModule/outcomeMeasures/{o}"
        results = {r["sources"][0]["recordPointer"]: r for r in endpoint["results"]}
        for c, klass in enumerate(outcome.get("classes", [])):
            for k, category in enumerate(klass["categories"]):
                for m, cell in enumerate(category["measurements"]):
                    result = results[f"{base}/classes/{c}/categories/{k}/measurements/{m}"]
                    assert result["sources"][0]["document"]["key"] == "NCT02552212"
                    if outcome["paramType"] == "COUNT_OF_PARTICIPANTS":
                        assert result["count"] == int(cell["value"])
                    else:
                        assert same(result["value"], cell["value"]), (result, cell)
                    if number(cell["value"]).lexical is None:  # type: ignore[union-attr]
                        assert result["valueAsReported"] == cell["value"]
                    for key in ("lowerLimit", "upperLimit"):
                        if key in cell:
                            assert same(result[key], cell[key])
                    checked += 1
        comparisons = {c["sources"][0]["recordPointer"]: c for c in endpoint["comparisons"]}
        for a, analysis in enumerate(outcome.get("analyses", [])):
            comparison = comparisons[f"{base}/analyses/{a}"]
            assert same(comparison["pValue"], analysis["pValue"])
            assert comparison["pValueAsReported"] == analysis["pValue"]
            assert comparison["pValueComparator"] == "<"
            assert comparison["analysisMethod"] == analysis["statisticalMethod"]
            (reported,) = [e for e in comparison["estimates"] if not e["derived"]]
            assert reported["statistic"] == "ODDS_RATIO"
            assert reported["statisticAsReported"] == analysis["paramType"]
            assert same(reported["value"], analysis["paramValue"])
            assert same(reported["ciLower"], analysis["ciLowerLimit"])
            assert same(reported["ciUpper"], analysis["ciUpperLimit"])
            assert Decimal(repr(reported["ciLevel"])) == Decimal(analysis["ciPctValue"]) / 100
            assert reported["ciSides"] == "two-sided"
            checked += 1
    assert checked > 10


def test_the_drug_filter_finds_registry_trials_by_name_and_mesh_id_beside_dascern(store: Store) -> None:
    for drug in ("dasatinib", "CHEBI:49375", "D000069439"):
        query = f'{{ trials(filter: {{drug: "{drug}"}}) {{ edges {{ node {{ registryIds }} }} }} }}'
        found = {i for e in run(store, query)["trials"]["edges"] for i in e["node"]["registryIds"]}
        assert {"NCT09000001", "NCT01593254"} <= found, drug


def test_an_observational_study_is_found_by_its_registry_id(store: Store) -> None:
    study = run(store, """{ trial(id: "NCT05594173") { isTrial acronym design { observationalModel }
        arms { label role registryGroupIds } } }""")["trial"]
    assert study["isTrial"] is False and study["acronym"] == "NIH_HVX6"
    assert study["design"]["observationalModel"] == "Cohort"
    assert {arm["role"] for arm in study["arms"]} == {"OTHER"}


def test_a_trial_without_results_shows_its_references_and_dates(store: Store) -> None:
    trial = run(store, """{ trial(id: "NCT03630471") { dates { start { value precision anticipated } }
        references { type publication { pmid } } reports { label } } }""")["trial"]
    start = record("NCT03630471")["protocolSection"]["statusModule"]["startDateStruct"]
    assert trial["dates"]["start"] == {"value": start["date"], "precision": "day", "anticipated": False}
    assert trial["reports"] == []
    assert {r["type"] for r in trial["references"]} == {"Background", "Found by the registry"}


def test_sparql_answers_each_analysis_as_the_record_gives_it(imported: tuple[Settings, Store]) -> None:
    """The same facts through /sparql, as a linked-data client asks for them."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(*imported)) as client:
        response = client.post("/sparql", data={"query": ANALYSES},
                               headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    check_analyses(response.json()["results"]["bindings"])


ANALYSES = """
        PREFIX ekg: <https://w3id.org/evidence-kg/ontology/>
        SELECT ?pointer ?pValue ?value ?lower ?upper WHERE {
          GRAPH <https://w3id.org/evidence-kg/id/graph/trial/nct02552212> {
            ?comparison a ekg:Comparison ; ekg:recordPointer ?pointer ; ekg:pValueText ?pValue ;
                        ekg:estimate ?estimate .
            ?estimate ekg:statisticText ?text ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?value ;
                      ekg:ciLower ?lower ; ekg:ciUpper ?upper .
          } }"""


def check_analyses(bindings: list[dict[str, Any]]) -> None:
    rows = {b["pointer"]["value"]: b for b in bindings}
    outcomes = record("NCT02552212")["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    analyses = {
        f"/resultsSection/outcomeMeasuresModule/outcomeMeasures/{o}/analyses/{a}": analysis
        for o, outcome in enumerate(outcomes)
        for a, analysis in enumerate(outcome.get("analyses", []))
    }
    assert set(rows) == set(analyses)
    for pointer, analysis in analyses.items():
        row = rows[pointer]
        assert row["pValue"]["value"] == analysis["pValue"]
        for key, field in (("value", "paramValue"), ("lower", "ciLowerLimit"), ("upper", "ciUpperLimit")):
            assert Decimal(row[key]["value"]) == Decimal(analysis[field]), (pointer, key)
