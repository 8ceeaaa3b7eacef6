"""The registry's coded values map to declared concepts of the right scheme, all of them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Namespace, URIRef

from kg.ctgov import vocabulary
from kg.ctgov.importer import stato_classes
from kg.settings import Settings
from kg.vocab import EKG, ONTOLOGY_IRI, RDF, SKOS
from kg.write import WriteContext

SCHEMES = Namespace(ONTOLOGY_IRI)
"""Concept schemes (kg.vocab names only the terms code uses)."""
OAS = Path(__file__).parents[2] / "data" / "ctgov" / "ctg-oas-v2.yaml"

TABLES: dict[str, tuple[dict[str, URIRef], URIRef, str | None]] = {
    "STATUS": (vocabulary.STATUS, SCHEMES.StudyStatuses, "Status"),
    "FIGURE_STATUS": (vocabulary.FIGURE_STATUS, SCHEMES.FigureStatuses, "DateType"),
    "ALLOCATION": (vocabulary.ALLOCATION, SCHEMES.DesignConcepts, "DesignAllocation"),
    "INTERVENTION_MODEL": (vocabulary.INTERVENTION_MODEL, SCHEMES.DesignConcepts, "InterventionalAssignment"),
    "MASKING": (vocabulary.MASKING, SCHEMES.DesignConcepts, "DesignMasking"),
    "PRIMARY_PURPOSE": (vocabulary.PRIMARY_PURPOSE, SCHEMES.DesignConcepts, "PrimaryPurpose"),
    "OBSERVATIONAL_MODEL": (vocabulary.OBSERVATIONAL_MODEL, SCHEMES.DesignConcepts, "ObservationalModel"),
    "TIME_PERSPECTIVE": (vocabulary.TIME_PERSPECTIVE, SCHEMES.DesignConcepts, "DesignTimePerspective"),
    "ARM_ROLE": (vocabulary.ARM_ROLE, SCHEMES.ArmRoles, "ArmGroupType"),
    "INTERVENTION_TYPE": (vocabulary.INTERVENTION_TYPE, SCHEMES.InterventionTypes, "InterventionType"),
    "REFERENCE_TYPE": (vocabulary.REFERENCE_TYPE, SCHEMES.ReferenceTypes, "ReferenceType"),
    "ENDPOINT_KIND": (vocabulary.ENDPOINT_KIND, SCHEMES.EndpointKinds, "OutcomeMeasureType"),
    "MEASURE_TYPE": (vocabulary.MEASURE_TYPE, SCHEMES.StatisticTypes, "MeasureParam"),
    "HYPOTHESIS_TYPE": (vocabulary.HYPOTHESIS_TYPE, SCHEMES.HypothesisTypes, "NonInferiorityType"),
}


@pytest.fixture(scope="module")
def enumerations() -> dict[str, list[str]]:
    schemas = yaml.safe_load(OAS.read_text(encoding="utf-8"))["components"]["schemas"]
    return {name: schema["enum"] for name, schema in schemas.items() if "enum" in schema}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_concept_a_table_names_is_in_its_scheme(name: str, ontology: Graph) -> None:
    table, scheme, _ = TABLES[name]
    for key, concept in table.items():
        assert (concept, SKOS.inScheme, scheme) in ontology, f"{name}[{key}] = {concept}"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_value_of_the_registrys_enumeration_is_mapped(
    name: str, enumerations: dict[str, list[str]]
) -> None:
    table, _, enumeration = TABLES[name]
    assert enumeration is not None
    missing = [value for value in enumerations[enumeration] if vocabulary.code(value) not in table]
    assert missing == [], f"{enumeration} values {name} does not map"


def test_every_phase_and_phase_pair_is_mapped(enumerations: dict[str, list[str]], ontology: Graph) -> None:
    for value in enumerations["Phase"]:
        assert (value,) in vocabulary.PHASE
    for phases, concept in vocabulary.PHASE.items():
        assert (concept, SKOS.inScheme, SCHEMES.TrialPhases) in ontology, phases


def test_every_dispersion_type_is_read(enumerations: dict[str, list[str]], ontology: Graph) -> None:
    for value in enumerations["MeasureDispersionType"]:
        concept, level = vocabulary.dispersion_type(value)
        if value == "NA":
            assert concept is None
            continue
        assert concept is not None and (concept, RDF.type, EKG.DispersionType) in ontology, value
        assert (level is not None) == (value.startswith("CONFIDENCE_") and value != "CONFIDENCE_OTHER")
    for value in enumerations["AnalysisDispersionType"]:
        assert vocabulary.dispersion_type(value)[0] in (EKG.StandardDeviation, EKG.StandardError)


def test_free_text_statistics_fall_back_to_other_and_every_target_is_a_statistic_type(ontology: Graph) -> None:
    assert vocabulary.statistic_type("Geometric mean ratio of something") == EKG.OtherStatistic
    assert vocabulary.statistic_type(None) == EKG.OtherStatistic
    for _, concept in vocabulary._STATISTICS:
        assert (concept, RDF.type, EKG.StatisticType) in ontology


def test_reported_estimates_are_typed_with_the_stato_class_the_ontology_maps(
    settings: Settings, shapes: Graph, ontology: Graph
) -> None:
    """The importer reads the STATO classes from the ontology, so the two cannot disagree; this
    pins the ones the crosscheck ekgsh:EstimateStatoType relies on."""
    stato = stato_classes(WriteContext(settings.base_iri, shapes, ontology))
    assert stato[EKG.OddsRatio] == URIRef("http://purl.obolibrary.org/obo/STATO_0000182")
    assert stato[EKG.MeanDifference] == URIRef("http://purl.obolibrary.org/obo/STATO_0000457")
    assert EKG.HazardRatio not in stato
